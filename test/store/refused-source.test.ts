// A source refused once the run has read from it (a -wal copied at another time than its chat.db): the archive
// keeps nothing of what was read, and the next run goes on as if the refused one had never been.
import { copyFileSync, cpSync, existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../support/cli.js';
import { expectOneLine, liveMessages, makeBase } from '../robust/support.js';

/** The device's database at three times, and a pair of its files copied at two of them. */
interface Device {
  /** Some texts retyped and 20 messages added since the copy in `pair`. */
  first: string;
  /** `first` and 85 more messages. */
  second: string;
  /** chat.db copied before `first`, its -wal after it (holding the 85 messages of `second`). */
  pair: { db: string; wal: string };
}

/** Messages on a Mac whose Messages is at work: what it writes is in the -wal until a checkpoint writes it into chat.db. */
function liveDevice(base: string, dir: string): Device {
  const { path: live, db: messages, add } = liveMessages(base, dir, 'live');
  const copy = (from: string, name: string) => {
    copyFileSync(from, join(dir, name));
    return join(dir, name);
  };
  const pairDb = copy(live, 'pair.db');
  messages.exec("UPDATE message SET text = 'retyped ' || text, attributedBody = NULL WHERE ROWID % 7 = 0 AND text IS NOT NULL");
  add(20, 'first');
  messages.pragma('wal_checkpoint(TRUNCATE)');
  const first = copy(live, 'first.db');
  add(85, 'later');
  const wal = copy(`${live}-wal`, 'pair.db-wal');
  messages.pragma('wal_checkpoint(TRUNCATE)');
  const second = copy(live, 'second.db');
  messages.close();
  return { first, second, pair: { db: pairDb, wal } };
}

/** What the archive keeps of messages and runs (the refused run must add nothing to it). */
function record(out: string): unknown {
  const store = new Database(join(out, 'textkeeper.sqlite'), { readonly: true });
  try {
    const all = (sql: string) => store.prepare(sql).all();
    return {
      messages: all('SELECT guid, conversation_key, body, revision, first_run, last_run, absent_since FROM messages ORDER BY guid'),
      history: all('SELECT * FROM message_history ORDER BY guid, revision'),
      conversations: all('SELECT key, body, revision FROM conversations ORDER BY key'),
      marks: all('SELECT * FROM source_marks ORDER BY conversation_key, sources'),
      attachments: all('SELECT * FROM attachments ORDER BY sha256'),
      runs: all('SELECT id, started_at, finished_at FROM runs ORDER BY id'),
    };
  } finally {
    store.close();
  }
}

/** The transcripts, without the line saying when they were written. */
function transcripts(out: string): Record<string, string> {
  const files = readdirSync(out).filter((f) => f.endsWith('.txt')).sort();
  return Object.fromEntries(files.map((f) => [f, readFileSync(join(out, f), 'utf8').replace(/^Exported .*$/m, '')]));
}

describe('a source refused once the run has read from it', () => {
  let dir: string;
  let device: Device;
  /** The folder the user copies the Mac's files into, always the same (with the Attachments folder beside). */
  let folder: string;

  beforeAll(async () => {
    dir = tempDir('refused-source');
    const base = await makeBase(dir, 300);
    device = liveDevice(base, dir);
    folder = join(dir, 'copied');
    cpSync(join(base, '..'), folder, { recursive: true });
  });

  /** Puts these files where the user copies chat.db (and its -wal, or none) to. */
  function copied(db: string, wal?: string): string {
    const path = join(folder, 'chat.db');
    copyFileSync(db, path);
    if (wal) copyFileSync(wal, `${path}-wal`);
    else rmSync(`${path}-wal`, { force: true });
    return path;
  }

  const exportInto = (out: string, db: string) => runCli(['export', '--db', db, '--out', out, '--format', 'txt,html', '--no-progress']);
  const refusal = /chat\.db-wal does not match .*chat\.db \(copied at another time\?\)/;

  it('leaves an archive as the last finished run left it: nothing of what was read is kept, and the next runs say what they would have said', async () => {
    const out = join(dir, 'archive');
    const control = join(dir, 'control');
    for (const to of [out, control]) expect((await exportInto(to, copied(device.first))).code).toBe(0);
    const before = record(out);

    expectOneLine(await exportInto(out, copied(device.pair.db, device.pair.wal)), 1, refusal);
    expect(record(out)).toEqual(before);
    const verified = await runCli(['verify', out]);
    expect(verified.stdout, verified.stderr).toMatch(/^Intact: /);

    // Run again unchanged: the archive is as the finished run left it.
    const unchanged = await exportInto(out, copied(device.first));
    expect(unchanged.code, unchanged.stderr).toBe(0);
    expect((await exportInto(control, copied(device.first))).code).toBe(0);
    expect(unchanged.stdout).toMatch(/^ {2}\d+ conversations unchanged since the last run/m);
    expect(unchanged.stdout).not.toMatch(/since the last (finished )?run: \d/);

    // The device's next copy: its new messages added, none taken as changed or gone.
    const updated = await exportInto(out, copied(device.second));
    expect(updated.code, updated.stderr).toBe(0);
    expect(updated.stdout).toContain('  since the last run: 85 messages added, 0 changed, 0 newly not on the device');
    expect((await exportInto(control, copied(device.second))).code).toBe(0);
    const { runs, ...kept } = record(out) as Record<string, unknown>;
    const { runs: controlRuns, ...controlKept } = record(control) as Record<string, unknown>;
    expect(kept).toEqual(controlKept);
    expect(transcripts(out)).toEqual(transcripts(control));
    expect((await runCli(['verify', out])).stdout).toMatch(/^Intact: /);
  });

  it('leaves no new archive behind, though it had copied attachments', async () => {
    const out = join(dir, 'new');
    expectOneLine(await exportInto(out, copied(device.pair.db, device.pair.wal)), 1, refusal);
    expect(existsSync(out)).toBe(false);
  });
});
