import { cpSync, existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../support/cli.js';
import { beforeEdits, changedDevice, deviceSlice, exportedCount, generateHistory } from '../store/device.js';

interface Exported {
  guid: string;
  dateRead?: string;
  parts: { attachment?: { missing: boolean }; tapbacks: unknown[] }[];
}

/**
 * The first message of the database at `dir` with an attachment whose file is there; gives its GUID and file, after
 * giving it a reaction (a copy of another message's, placed a minute after it) when `react`.
 */
function photo(dir: string, react: boolean): { guid: string; file: string } {
  const db = new Database(join(dir, 'chat.db'));
  try {
    const rows = db.prepare(`SELECT m.ROWID AS id, m.guid AS guid, m.date AS date, a.filename AS file FROM message m
      JOIN message_attachment_join j ON j.message_id = m.ROWID JOIN attachment a ON a.ROWID = j.attachment_id
      WHERE a.filename IS NOT NULL AND m.associated_message_type = 0 ORDER BY m.ROWID`).all() as { id: number; guid: string; date: number; file: string }[];
    const found = rows.find((r) => existsSync(join(dir, r.file.replace(/^~\/Library\/Messages\//, ''))))!;
    if (react) {
      db.exec(`CREATE TEMP TABLE reaction AS SELECT * FROM message WHERE associated_message_type = 2001 LIMIT 1;
        UPDATE reaction SET ROWID = (SELECT MAX(ROWID) + 1 FROM message), guid = 'A1B2C3D4-0000-4000-8000-00000000REAC',
          associated_message_guid = 'p:0/${found.guid}', date = ${found.date + 60e9};
        INSERT INTO message SELECT * FROM reaction;
        INSERT INTO chat_message_join (chat_id, message_id, message_date)
          SELECT chat_id, (SELECT ROWID FROM reaction), ${found.date + 60e9} FROM chat_message_join WHERE message_id = ${found.id};`);
    }
    return found;
  } finally {
    db.close();
  }
}

describe('a message two databases read in one run hold otherwise', () => {
  it('keeps the copy whose file is there, with the reaction and the read receipt only the other has', async () => {
    const history = await generateHistory(400, 321);
    const work = tempDir('merged-copies');
    const [mac, phone] = [join(work, 'mac'), join(work, 'phone')];
    for (const device of [mac, phone]) cpSync(history.dir, device, { recursive: true });
    // The iPhone got a reaction the Mac did not, and no longer has the file.
    const target = photo(mac, false);
    photo(phone, true);
    rmSync(join(phone, target.file.replace(/^~\/Library\/Messages\//, '')));
    // The Mac never learned that a message was read.
    const macDb = new Database(join(mac, 'chat.db'));
    const read = macDb.prepare('SELECT guid FROM message WHERE date_read > 0 AND is_from_me = 0 AND associated_message_type = 0 ORDER BY ROWID LIMIT 1').pluck().get() as string;
    macDb.prepare('UPDATE message SET date_read = 0, is_read = 0 WHERE guid = ?').run(read);
    macDb.close();

    const out = join(work, 'out');
    const run = await runCli(['export', '--db', join(mac, 'chat.db'), '--db', join(phone, 'chat.db'), '--out', out, '--format', 'json', '--no-progress']);
    expect(run.code, run.stderr).toBe(0);
    const messages = new Map(readdirSync(out).filter((f) => f.endsWith('.json'))
      .flatMap((f) => (JSON.parse(readFileSync(join(out, f), 'utf8')) as { messages: Exported[] }).messages).map((m) => [m.guid, m]));
    const merged = messages.get(target.guid)!;
    const part = merged.parts.find((p) => p.attachment)!;
    expect(part.attachment!.missing).toBe(false);
    expect(merged.parts.flatMap((p) => p.tapbacks)).toHaveLength(1);
    expect(messages.get(read)!.dateRead).toBeDefined();
  });

  it('keeps the edits and the unsendings one copy saw, whichever database comes first', async () => {
    const history = await generateHistory(400, 323);
    const work = tempDir('merged-edits');
    const mac = join(work, 'mac');
    cpSync(history.dir, mac, { recursive: true });
    const stale = beforeEdits(mac);
    for (const [name, dbs] of [['mac-first', [mac, history.dir]], ['phone-first', [history.dir, mac]]] as const) {
      const out = join(work, name);
      const run = await runCli(['export', ...dbs.flatMap((dir) => ['--db', join(dir, 'chat.db')]), '--out', out, '--format', 'json', '--no-progress']);
      expect(run.code, run.stderr).toBe(0);
      const messages = new Map(readdirSync(out).filter((f) => f.endsWith('.json'))
        .flatMap((f) => (JSON.parse(readFileSync(join(out, f), 'utf8')) as { messages: (Exported & { edited: boolean; parts: { kind: string }[] })[] }).messages).map((m) => [m.guid, m]));
      for (const guid of stale.edited) expect(messages.get(guid), name).toMatchObject({ edited: true, parts: [{ kind: 'text' }] });
      for (const guid of stale.unsent) expect(messages.get(guid)!.parts[0]!.kind, name).toBe('unsent');
    }
  });
});

describe('an old Mac database, dated in whole seconds, read with a newer one of the same history', () => {
  it('finds each message in both, once, dated as finely as the newer one knows', async () => {
    const history = await generateHistory(300, 327);
    // macOS before 10.13 kept dates in seconds: the same messages, their dates cut to the second.
    const old = changedDevice(history, (db) => db.exec(`UPDATE message SET date = date / 1000000000, date_read = date_read / 1000000000,
      date_delivered = date_delivered / 1000000000; UPDATE chat_message_join SET message_date = message_date / 1000000000`));
    const ref = await runCli(['export', '--db', join(history.dir, 'chat.db'), '--out', join(old, 'ref'), '--format', 'json', '--no-progress']);
    const out = join(old, 'out');
    const run = await runCli(['export', '--db', join(old, 'chat.db'), '--db', join(history.dir, 'chat.db'), '--out', out, '--format', 'json', '--no-progress']);
    expect(run.code, run.stderr).toBe(0);
    const total = exportedCount(ref.stdout);
    expect(run.stdout).toContain(`${total.toLocaleString('en-US')} messages in every source`);
    for (const dir of [old, history.dir]) expect(run.stdout).toContain(`0 messages only in chat.db at ${join(dir, 'chat.db')}`);
    const dates = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.json'))
      .flatMap((f) => (JSON.parse(readFileSync(join(dir, f), 'utf8')) as { messages: (Exported & { date: string; sources?: string[] })[] }).messages)
      .map((m) => `${m.guid} ${m.date} ${m.sources?.length ?? 0}`).sort();
    expect(dates(out)).toEqual(dates(join(old, 'ref')));
  });
});

describe('a Mac before macOS 11 (no thread_originator_guid) read with a newer device', () => {
  it('keeps what each reply replies to, in one run whichever comes first, and run after run', async () => {
    const history = await generateHistory(400, 329);
    // The old Mac stopped getting messages at the last third, and reads a reply as a plain message.
    const old = deviceSlice(history, undefined, history.thirds[1]);
    const db = new Database(join(old, 'chat.db'));
    db.exec(`DROP INDEX IF EXISTS message_idx_thread_originator_guid;
      ALTER TABLE message DROP COLUMN thread_originator_part; ALTER TABLE message DROP COLUMN thread_originator_guid`);
    db.close();
    const [newer, older] = [join(history.dir, 'chat.db'), join(old, 'chat.db')];
    const replies = (out: string) => readdirSync(out).filter((f) => f.endsWith('.json'))
      .flatMap((f) => (JSON.parse(readFileSync(join(out, f), 'utf8')) as { messages: { guid: string; replyTo?: { guid: string } }[] }).messages)
      .filter((m) => m.replyTo).map((m) => `${m.guid} ${m.replyTo!.guid}`).sort();
    const runs = { 'newer alone': [[newer]], 'older first': [[older, newer]], 'run after run': [[newer], [older]] };
    const found: Record<string, string[]> = {};
    for (const [name, dbs] of Object.entries(runs)) {
      const out = join(old, name);
      for (const run of dbs) {
        const result = await runCli(['export', ...run.flatMap((path) => ['--db', path]), '--out', out, '--format', 'json', '--no-progress']);
        expect(result.code, result.stderr).toBe(0);
      }
      found[name] = replies(out);
    }
    expect(found['newer alone']!.length).toBeGreaterThan(3);
    expect(found['older first']).toEqual(found['newer alone']);
    expect(found['run after run']).toEqual(found['newer alone']);
  });
});

describe('an old Mac database, dated in whole seconds, run after a newer one into the same archive', () => {
  it('keeps the receipts and reactions dated to the millisecond, not cut to the second', async () => {
    const history = await generateHistory(400, 331);
    const old = deviceSlice(history, undefined, history.thirds[1]);
    const db = new Database(join(old, 'chat.db'));
    db.exec(`UPDATE message SET date = date / 1000000000, date_read = date_read / 1000000000, date_delivered = date_delivered / 1000000000;
      UPDATE chat_message_join SET message_date = message_date / 1000000000`);
    db.close();
    type Dated = { guid: string; dateRead?: string; dateDelivered?: string; parts: { tapbacks: { kind: string; date: string; sender: { handle: string } }[] }[] };
    const exported = async (out: string, dbs: string[]) => {
      for (const dir of dbs) expect((await runCli(['export', '--db', join(dir, 'chat.db'), '--out', out, '--format', 'json', '--no-progress'])).code).toBe(0);
      return new Map(readdirSync(out).filter((f) => f.endsWith('.json'))
        .flatMap((f) => (JSON.parse(readFileSync(join(out, f), 'utf8')) as { messages: Dated[] }).messages).map((m) => [m.guid, m]));
    };
    const newer = await exported(join(old, 'newer'), [history.dir]);
    const both = await exported(join(old, 'both'), [history.dir, old]);
    let reactions = 0;
    for (const [guid, m] of both) {
      const n = newer.get(guid)!;
      expect([m.dateRead, m.dateDelivered], guid).toEqual([n.dateRead, n.dateDelivered]);
      m.parts.forEach((part, i) => {
        for (const t of part.tapbacks) {
          const same = n.parts[i]?.tapbacks.find((o) => o.kind === t.kind && o.sender.handle === t.sender.handle);
          if (same && (reactions += 1)) expect(t.date, guid).toBe(same.date);
        }
      });
    }
    expect(reactions).toBeGreaterThan(3);
  });
});
