import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateChatDb } from '../../src/generate/index.js';
import { ROOT, runCli, tempDir } from '../support/cli.js';
import { pdfText } from '../pdf/pdf-tools.js';

let db: string;
let sealed: string;
const FORGED = 'I agree to pay you $5,000';

beforeAll(async () => {
  const root = tempDir('unsealed-log-src');
  db = join(root, 'chat.db');
  await generateChatDb({ path: db, messages: 200, seed: 62, conversations: 3, images: 0 });
  sealed = join(root, 'archive');
  expect((await runCli(['export', '--db', db, '--out', sealed, '--format', 'txt', '--no-progress'])).code).toBe(0);
});

/** A copy of the sealed archive with a write-ahead log beside its store, made on another copy of the store: one message's text forged in it. */
function withPlantedLog(): { out: string; original: string } {
  const out = join(tempDir('unsealed-log'), 'archive');
  const work = tempDir('unsealed-log-work');
  copyFileSync(join(sealed, 'textkeeper.sqlite'), join(work, 'textkeeper.sqlite'));
  cpSync(sealed, out, { recursive: true, preserveTimestamps: true });
  const store = new Database(join(work, 'textkeeper.sqlite'));
  store.pragma('journal_mode = WAL');
  store.pragma('wal_autocheckpoint = 0');
  const row = store.prepare(`SELECT guid, body FROM messages WHERE body LIKE '%"text":"%' ORDER BY date LIMIT 1`).get() as { guid: string; body: string };
  const original = /"text":"([^"]+)"/.exec(row.body)![1]!;
  store.prepare('UPDATE messages SET body = ? WHERE guid = ?').run(row.body.replace(`"text":"${original}"`, `"text":"${FORGED}"`), row.guid);
  // Copied while the connection is open: closing it would fold the log in and remove it.
  copyFileSync(join(work, 'textkeeper.sqlite-wal'), join(out, 'textkeeper.sqlite-wal'));
  store.close();
  return { out, original };
}

/**
 * A copy of the sealed archive with a rollback journal beside its store, left by a process killed in a transaction
 * on another copy of the store, in which a message was forged before: the journal holds the forged pages, which
 * opening the store plays back into it.
 */
function withPlantedJournal(): string {
  const out = join(tempDir('unsealed-journal'), 'archive');
  const work = tempDir('unsealed-journal-work');
  const forged = join(work, 'textkeeper.sqlite');
  copyFileSync(join(sealed, 'textkeeper.sqlite'), forged);
  cpSync(sealed, out, { recursive: true, preserveTimestamps: true });
  const store = new Database(forged);
  const row = store.prepare(`SELECT guid, body FROM messages WHERE body LIKE '%"text":"%' ORDER BY date LIMIT 1`).get() as { guid: string; body: string };
  store.prepare('UPDATE messages SET body = ? WHERE guid = ?').run(row.body.replace(/"text":"[^"]+"/, `"text":"${FORGED}"`), row.guid);
  store.close();
  // A cache of two pages spills the transaction's pages into the file: the journal is then whole, and hot once killed.
  const rewrites = `const db = new (require('better-sqlite3'))(${JSON.stringify(forged)}); db.pragma('cache_size = 2'); db.exec('BEGIN');
    db.prepare("UPDATE messages SET body = body || ' '").run(); process.kill(process.pid, 'SIGKILL');`;
  expect(() => execFileSync(process.execPath, ['-e', rewrites], { cwd: ROOT, stdio: 'ignore' })).toThrow();
  copyFileSync(`${forged}-journal`, join(out, 'textkeeper.sqlite-journal'));
  return out;
}

const transcriptsOf = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.txt')).map((f) => readFileSync(join(dir, f), 'utf8')).join('\n');

describe('a log put beside a sealed store is not taken for part of it', () => {
  it('verify reports it and checks the store as sealed, without it', async () => {
    const { out } = withPlantedLog();
    const result = await runCli(['verify', out]);
    expect(result.stdout.trim().split('\n')).toEqual([
      'unexpected: textkeeper.sqlite-wal (a log that changes what the store holds, left by no export: the last one finished and sealed the store without it; the store was checked as sealed, without it)',
    ]);
    expect(result.code).toBe(1);
  });

  it('verify checks the store once: beside a journal, from one copy of it; beside a write-ahead log, from a copy without it', async () => {
    // Each copy of the store file, and each of SQLite's checks of every page, written to stderr at exit.
    const counted = { NODE_OPTIONS: `--require ${join(ROOT, 'test', 'support', 'store-reads.cjs')}` };
    const line = (log: string) => `unexpected: textkeeper.sqlite-${log} (a log that changes what the store holds, left by no export: the last one finished and sealed the store without it; the store was checked as sealed, without it)`;
    const withLog = await runCli(['verify', withPlantedLog().out, '--no-progress'], counted);
    expect(withLog.stdout.trim().split('\n')).toEqual([line('wal')]);
    // One copy with the log, to learn whether the last run finished; the store as sealed is the other.
    expect(withLog.stderr).toMatch(/^store reads: 2 copies, 1 checks$/m);
    const withJournal = await runCli(['verify', withPlantedJournal(), '--no-progress'], counted);
    expect(withJournal.stdout.trim().split('\n')).toEqual([line('journal')]);
    expect(withJournal.stderr).toMatch(/^store reads: 1 copies, 1 checks$/m);
    expect(withJournal.code).toBe(1);
    const alone = await runCli(['verify', sealed, '--no-progress'], counted);
    expect(alone.stderr).toBe('store reads: 0 copies, 1 checks\n');
    expect(alone.code).toBe(0);
  });

  it('an export into the folder says it in a warning line, as for an edited store', async () => {
    const { out } = withPlantedLog();
    const result = await runCli(['export', '--db', db, '--out', out, '--format', 'txt', '--no-progress']);
    expect(result.stderr).toBe('warning: textkeeper.sqlite-wal was put beside textkeeper.sqlite since the last export, not by textkeeper (read in with it): this export read every conversation again from its sources, and its record of this run says so (restore the folder from a backup if no one meant to change it: what only the archive kept is as the store was found)\n');
    expect(result.stdout).toMatch(/, 1 warning in /);
    expect(result.code).toBe(0);
    // The device's text, not the forged one as an earlier version of it.
    expect(transcriptsOf(out)).not.toContain(FORGED);
  });

  it('an export into the folder says a rollback journal put beside it, which opening the store plays back and removes', async () => {
    const out = withPlantedJournal();
    const result = await runCli(['export', '--db', db, '--out', out, '--format', 'txt', '--no-progress']);
    expect(result.stderr).toBe('warning: textkeeper.sqlite-journal was put beside textkeeper.sqlite since the last export, not by textkeeper (read in with it): this export read every conversation again from its sources, and its record of this run says so (restore the folder from a backup if no one meant to change it: what only the archive kept is as the store was found)\n');
    expect(result.code).toBe(0);
    expect(transcriptsOf(out)).not.toContain(FORGED);
  });

  it('an export reading the folder with --archive says it in a warning line and in the files it writes', async () => {
    const { out } = withPlantedLog();
    const to = join(tempDir('unsealed-log-out'), 'out');
    const result = await runCli(['export', '--archive', out, '--out', to, '--format', 'txt', '--no-progress']);
    expect(result.stderr).toBe(`warning: the store of the archive ${out} is not the one its last export sealed (textkeeper.sqlite-wal lay beside it, left by no export): this export read it as it was found (\`textkeeper verify\` of that folder says more)\n`);
    expect(result.stdout).toMatch(/, 1 warning in /);
    const text = transcriptsOf(to);
    expect(text).toContain(FORGED);
    expect(text).toContain(`, read through the textkeeper archive ${out} (its store's SHA-256 ${readFileSync(join(out, 'SHA256SUMS'), 'utf8').trim().split('\n').at(-1)!.slice(0, 64)}; the store did not match the archive's seal: textkeeper.sqlite-wal lay beside it, left by no export), which had them from`);
  });
});

describe('a store that no longer matches its archive’s seal, read with --archive', () => {
  it('is said in a warning line, on the PDF cover under its SHA-256 and in the transcripts’ header', async () => {
    const out = join(tempDir('unsealed-store'), 'archive');
    cpSync(sealed, out, { recursive: true, preserveTimestamps: true });
    const seal = readFileSync(join(out, 'SHA256SUMS'), 'utf8').trim().split('\n').at(-1)!.slice(0, 64);
    const store = new Database(join(out, 'textkeeper.sqlite'));
    store.prepare(`UPDATE messages SET body = replace(body, '"text":"', '"text":"${FORGED} ') WHERE rowid = (SELECT min(rowid) FROM messages WHERE body LIKE '%"text":"%')`).run();
    store.close();
    const to = join(tempDir('unsealed-store-out'), 'out');
    const result = await runCli(['export', '--archive', out, '--out', to, '--format', 'txt,pdf', '--no-progress']);
    const reason = `the folder's SHA256SUMS gives it the SHA-256 ${seal}`;
    expect(result.stderr).toBe(`warning: the store of the archive ${out} is not the one its last export sealed (${reason}): this export read it as it was found (\`textkeeper verify\` of that folder says more)\n`);
    expect(result.stdout).toMatch(/, 1 warning in /);
    expect(result.code).toBe(0);
    expect(transcriptsOf(to)).toContain(`; the store did not match the archive's seal: ${reason}), which had them from`);
    const pdf = readdirSync(to).find((f) => f.endsWith('.pdf'))!;
    const cover = pdfText(join(to, pdf), { first: 1, last: 1 }).replace(/\s+/g, ' ');
    expect(cover).toContain(`Warning: the store did not match the archive's seal: ${reason}`);
  });

  it('an intact archive read with --archive gives no warning', async () => {
    const to = join(tempDir('sealed-store-out'), 'out');
    const result = await runCli(['export', '--archive', sealed, '--out', to, '--format', 'txt', '--no-progress']);
    expect(result.stderr).toBe('');
    expect(transcriptsOf(to)).not.toContain('did not match');
  });
});
