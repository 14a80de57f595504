// Which of the owner's own phone numbers and Apple IDs a conversation and each message used: chat.db records it for
// every message (destination_caller_id, account), and for evidence "Me" must be identified as the others are.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { generateChatDb } from '../../src/generate/index.js';
import { ROOT, runCli, tempDir } from '../support/cli.js';
import { readJsonFiles, readNdjson, schemaValidators } from '../data/support.js';
import { pdfText, pdfToolsPresent } from '../pdf/pdf-tools.js';

/** Each message's owner handle as the database says it (destination_caller_id, else account without P:/E:), by GUID. */
function ownerHandlesIn(db: string): Map<string, string> {
  const sqlite = new Database(db, { readonly: true });
  const rows = sqlite.prepare(`SELECT guid, coalesce(nullif(destination_caller_id, ''), substr(account, 3)) AS handle FROM message`).all() as { guid: string; handle: string | null }[];
  sqlite.close();
  return new Map(rows.filter((r) => r.handle).map((r) => [r.guid, r.handle!.toLowerCase()]));
}

/** What a conversation's record (list --json, stats --json, the library's conversations()) says of it here. */
type Record = { id: string; ownerHandles?: string[] };

/**
 * A generated database whose owner's handles vary as some databases have them: no destination_caller_id (the
 * account says it), and an email spelled otherwise.
 */
async function ownerDb(dir: string): Promise<string> {
  const db = join(dir, 'chat.db');
  await generateChatDb({ path: db, messages: 600, seed: 7 });
  const sqlite = new Database(db);
  sqlite.exec(`UPDATE message SET destination_caller_id = NULL WHERE service = 'SMS' AND ROWID % 2 = 0;
    UPDATE message SET destination_caller_id = 'Owner@Example.com' WHERE service = 'iMessage' AND ROWID % 3 = 0`);
  sqlite.close();
  return db;
}

describe("the owner's handles", () => {
  it('are in every format: the txt, HTML and PDF headers list those a conversation used, JSON, NDJSON and CSV give each message its own', async () => {
    const dir = tempDir('owner-handles');
    const db = await ownerDb(dir);
    const expected = ownerHandlesIn(db);
    const out = join(dir, 'out');
    const result = await runCli(['export', '--db', db, '--out', out, '--format', 'txt,html,pdf,csv,json,ndjson', '--timezone', 'UTC', '--quiet']);
    expect(result.code, result.stderr).toBe(0);

    const validate = schemaValidators();
    const used = new Map<string, string[]>();
    for (const [name, file] of readJsonFiles(out)) {
      expect(validate.conversation(file)).toBe('');
      const { ownerHandles } = file.conversation;
      expect(ownerHandles, name).toEqual([...new Set(file.messages.map((m) => m.ownerHandle!))].sort());
      used.set(name, ownerHandles!);
    }
    expect(new Set([...used.values()].flat())).toEqual(new Set(['+15555550199', 'owner@example.com']));
    const lines = readNdjson(join(out, 'messages.ndjson'));
    expect(lines.length).toBeGreaterThan(400);
    for (const line of lines) {
      expect(validate.message(line)).toBe('');
      expect(line.ownerHandle, line.guid).toBe(expected.get(line.guid));
    }

    for (const [stem, handles] of used) {
      const mine = `Me: ${handles.join(', ')}`;
      expect(readFileSync(join(out, `${stem}.txt`), 'utf8').split('\n').slice(0, 4)).toContain(mine);
      expect(readFileSync(join(out, 'conversations', stem, 'p1.html'), 'utf8')).toContain(`<p class="owner">${mine}</p>`);
      const csv = readFileSync(join(out, `${stem}.csv`), 'utf8');
      // Last, so that the columns before keep their places.
      expect(csv.split('\r\n')[0]).toMatch(/,satellite,junk,owner_handle,kind$/);
      const rows = parse(csv, { bom: true, columns: true }) as Record<string, string>[];
      expect(rows.map((row) => expected.get(row.guid!))).toEqual(rows.map((row) => row.owner_handle));
      if (!pdfToolsPresent) continue;
      const cover = pdfText(join(out, `${stem}.pdf`), { first: 1, last: 1 });
      expect(cover.replace(/\s+/g, ' ')).toContain(`Me ${handles.join(', ')}`);
    }
  });

  it("are the same in list --json, stats --json and the library's conversations() from a database as in the export's .json", async () => {
    const dir = tempDir('owner-handles-records');
    // Besides: spelled otherwise; on reactions alone (no conversation shows them as messages); and the messages of
    // a chat the database lost (of no chat now), on a line of their own.
    const db = await ownerDb(dir);
    const sqlite = new Database(db);
    sqlite.exec(`UPDATE message SET destination_caller_id = '+1 (555) 555-0199' WHERE service = 'iMessage' AND ROWID % 7 = 0;
      UPDATE message SET destination_caller_id = '+15555550177' WHERE associated_message_type BETWEEN 1000 AND 3007;
      UPDATE message SET destination_caller_id = '+15555550166' WHERE associated_message_type = 0 AND ROWID IN (SELECT message_id FROM chat_message_join WHERE chat_id = 1);
      DELETE FROM chat WHERE ROWID = 1`);
    sqlite.close();
    const out = join(dir, 'out');
    const exported = await runCli(['export', '--db', db, '--out', out, '--format', 'json', '--quiet']);
    expect(exported.code, exported.stderr).toBe(0);
    const expected = new Map([...readJsonFiles(out).values()].map((file) => [file.conversation.id, file.conversation.ownerHandles]));
    expect(expected.get('messages-without-conversation')).toEqual(['+15555550166']);
    expect([...expected.values()]).toContainEqual(['+15555550199', 'owner@example.com']);
    expect([...expected.values()].flat()).not.toContain('+15555550177');

    const listed = await runCli(['list', '--db', db, '--json']);
    expect(listed.code, listed.stderr).toBe(0);
    const stats = await runCli(['stats', '--db', db, '--json', '--no-progress']);
    expect(stats.code, stats.stderr).toBe(0);
    const { openArchive } = (await import(join(ROOT, 'dist', 'index.js'))) as typeof import('../../src/index.js');
    const library = await openArchive({ db, backup: [], contacts: [] });
    const records = {
      list: JSON.parse(listed.stdout) as Record[],
      stats: (JSON.parse(stats.stdout) as { conversations: { conversation: Record }[] }).conversations.map((c) => c.conversation),
      library: library.conversations(),
    };
    await library.close();
    for (const [how, conversations] of Object.entries(records)) {
      expect(new Map(conversations.map((c) => [c.id, c.ownerHandles])), how).toEqual(expected);
    }
  });

  it('come to an archive an earlier textkeeper made without counting as changes; until then its messages render without them', async () => {
    const dir = tempDir('owner-handles-earlier');
    const db = join(dir, 'chat.db');
    await generateChatDb({ path: db, messages: 300, seed: 5 });
    // Named by a contact then, not now: the first run that reads the owner's handles may well name people anew.
    const contacts = join(dir, 'contacts.vcf');
    writeFileSync(contacts, 'BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Chiara Named\r\nTEL:+15555550100\r\nEND:VCARD\r\n');
    const out = join(dir, 'archive');
    expect((await runCli(['export', '--db', db, '--contacts', contacts, '--out', out, '--format', 'txt', '--quiet'])).code).toBe(0);
    // As an earlier textkeeper stored them (and as version 12 leaves them, its change marks forgotten).
    const store = new Database(join(out, 'textkeeper.sqlite'));
    store.exec(`UPDATE messages SET body = json_remove(body, '$.ownerHandle');
      UPDATE conversations SET body = json_remove(body, '$.ownerHandles');
      DELETE FROM source_marks`);
    store.close();

    const earlier = join(dir, 'read-back');
    const read = await runCli(['export', '--archive', out, '--out', earlier, '--format', 'txt,csv,json', '--quiet']);
    expect(read.code, read.stderr).toBe(0);
    const files = [...readJsonFiles(earlier).values()];
    expect(files.length).toBeGreaterThan(2);
    for (const file of files) {
      expect(file.conversation).not.toHaveProperty('ownerHandles');
      for (const message of file.messages) expect(message).not.toHaveProperty('ownerHandle');
    }
    const txt = readdirSync(earlier).filter((f) => f.endsWith('.txt')).map((f) => readFileSync(join(earlier, f), 'utf8')).join('');
    expect(txt).toContain('Chiara Named');
    expect(txt).not.toMatch(/^Me: /m);

    const run = await runCli(['export', '--db', db, '--out', out, '--format', 'txt', '--no-progress']);
    expect(run.code, run.stderr).toBe(0);
    // Nothing added nor changed: the summary says nothing of it; every file is written anew, with the handles.
    expect(run.stdout).not.toMatch(/since the last run|unchanged/);
    const updated = new Database(join(out, 'textkeeper.sqlite'), { readonly: true });
    expect(updated.prepare("SELECT count(*) FROM messages WHERE body NOT LIKE '%\"ownerHandle\":%'").pluck().get()).toBe(0);
    expect(updated.prepare('SELECT count(*) FROM message_history').pluck().get()).toBe(0);
    updated.close();
    const transcripts = readdirSync(out).filter((f) => f.endsWith('.txt')).map((f) => readFileSync(join(out, f), 'utf8'));
    for (const transcript of transcripts) expect(transcript).toMatch(/^Me: (?:\+15555550199|owner@example\.com)/m);
  });
});
