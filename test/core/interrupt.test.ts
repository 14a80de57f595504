import { spawn } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { generateApart, ROOT, runCli, tempDir } from '../support/cli.js';

/**
 * Runs an export into `out`, presses Ctrl-C once `ready` says so (checked every 10 ms), and gives its exit
 * code and stderr. Its own process group, as a terminal's Ctrl-C reaches every process of the foreground group.
 */
async function interrupted(args: string[], ready: () => boolean): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [join(ROOT, 'dist', 'cli', 'main.js'), 'export', ...args, '--no-progress'], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  while (!ready() && child.exitCode === null) await new Promise((r) => setTimeout(r, 10));
  if (child.exitCode === null) process.kill(-child.pid!, 'SIGINT');
  return { code: await exited, stderr };
}

/** The counts the archive's latest run recorded. */
function lastCounts(out: string): Record<string, number> {
  const store = new Database(join(out, 'textkeeper.sqlite'), { readonly: true });
  const counts = store.prepare('SELECT counts FROM runs ORDER BY id DESC LIMIT 1').pluck().get() as string;
  store.close();
  return JSON.parse(counts) as Record<string, number>;
}

describe('Ctrl-C during an export', () => {
  it('stops with exit code 130 and leaves no unfinished file', async () => {
    const dir = tempDir('interrupt');
    const db = await generateApart(dir, 40_000, 17);
    const out = join(dir, 'out');
    // Interrupted once the export has begun writing.
    const { code, stderr } = await interrupted(['--db', db, '--out', out, '--format', 'txt,pdf'], () => existsSync(out) && readdirSync(out).length > 0);
    expect(code).toBe(130);
    expect(stderr.trim()).toBe('textkeeper: interrupted; unfinished files were removed.');
    expect(readdirSync(out).filter((f) => f.endsWith('.partial'))).toEqual([]);
  });

  it('removes NDJSON\'s part files', async () => {
    const dir = tempDir('interrupt-ndjson');
    // One long conversation: its part is being written for a good while, whatever the machine.
    const db = await generateApart(dir, 80_000, 19, ['--single-conversation']);
    const out = join(dir, 'out');
    const parts = join(out, '.messages.ndjson.parts');
    const writing = () => existsSync(parts) && readdirSync(parts, { recursive: true }).some((f) => String(f).endsWith('.partial'));
    expect((await interrupted(['--db', db, '--out', out, '--format', 'ndjson', '--attachments', 'none'], writing)).code).toBe(130);
    expect(existsSync(parts)).toBe(false);
    expect(existsSync(join(out, 'messages.ndjson'))).toBe(false);
  });

  it('is taken within a conversation being read, which is then left out whole', async () => {
    const dir = tempDir('interrupt-reading');
    const db = await generateApart(dir, 60_000, 18, ['--single-conversation']);
    const out = join(dir, 'out');
    // The store is made before its one conversation is read (seconds, for 60,000 messages).
    const store = join(out, 'textkeeper.sqlite');
    expect((await interrupted(['--db', db, '--out', out, '--format', 'txt', '--attachments', 'none'], () => existsSync(store))).code).toBe(130);
    const kept = new Database(store, { readonly: true });
    expect(kept.prepare('SELECT COUNT(*) FROM messages').pluck().get()).toBe(0);
    kept.close();
    // The next run completes it; no run finished before it, so, like a first run, it says nothing was added "since".
    const again = await runCli(['export', '--db', db, '--out', out, '--format', 'txt', '--attachments', 'none', '--no-progress']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).not.toMatch(/since the last/);
    // It records, as a first run does, every message as added, with the stopped run it counts them with.
    const counts = lastCounts(out);
    expect(counts).toMatchObject({ added: counts.messages, unfinished: 1 });
    expect(counts.messages).toBeGreaterThan(50_000);
  });

  it('is followed by a run that says what changed since the last finished run, what the stopped one added too', async () => {
    const dir = tempDir('interrupt-since');
    const db = await generateApart(dir, 3_000, 23);
    const whole = join(dir, 'whole.db');
    copyFileSync(db, whole);
    const device = new Database(db);
    device.exec('DELETE FROM chat_message_join WHERE message_id IN (SELECT ROWID FROM message ORDER BY date DESC LIMIT 40); DELETE FROM message WHERE ROWID NOT IN (SELECT message_id FROM chat_message_join)');
    device.close();
    const out = join(dir, 'out');
    const run = () => runCli(['export', '--db', db, '--out', out, '--format', 'txt,html', '--attachments', 'none', '--no-progress']);
    expect((await run()).code).toBe(0);
    copyFileSync(whole, db);
    const second = await run();
    const [, added, changed] = /^ {2}since the last run: ([\d,]+ messages?) added, (\d+) changed, 0 newly/m.exec(second.stdout)!;
    // As if the second run had been stopped after reading: its counts are never recorded.
    const store = new Database(join(out, 'textkeeper.sqlite'));
    store.exec('UPDATE runs SET finished_at = NULL, counts = NULL WHERE id = (SELECT max(id) FROM runs)');
    store.close();
    const third = await run();
    expect(third.code, third.stderr).toBe(0);
    expect(third.stdout).toContain(`  since the last finished run: ${added} added, ${changed} changed, 0 newly not on the device`);
    // The store and the Runs table record for the third run what it says, the stopped run's additions included.
    expect(lastCounts(out)).toMatchObject({ added: Number(added!.split(' ')[0]), changed: Number(changed), absent: 0, unfinished: 1 });
    const index = readFileSync(join(out, 'index.html'), 'utf8');
    const rows = [...index.matchAll(/<tr>\s*<td>[^]*?<\/tr>/g)].map(([row]) => row);
    expect(rows).toHaveLength(3);
    expect(rows[1]).toContain('(did not finish)');
    expect(rows[2]).toContain(`${added!.split(' ')[0]} added, ${changed} changed, 0 newly not on the device`);
    expect(rows[2]).toContain('added, changed and newly not on the device include what the run before it, which did not finish, took in');
  });
});

/** The GUIDs of the messages the archive keeps as no longer on the device. */
function keptOnly(out: string): string[] {
  const store = new Database(join(out, 'textkeeper.sqlite'), { readonly: true });
  const guids = store.prepare('SELECT guid FROM messages WHERE absent_since IS NOT NULL ORDER BY guid').pluck().all() as string[];
  store.close();
  return guids;
}

/** Whether the store holds, committed, a message the run `run` read (false while it cannot be read). */
function readBy(out: string, run: number): boolean {
  try {
    const store = new Database(join(out, 'textkeeper.sqlite'), { readonly: true, fileMustExist: true });
    try {
      return store.prepare('SELECT 1 FROM messages WHERE last_run = ? LIMIT 1').pluck().get(run) !== undefined;
    } finally {
      store.close();
    }
  } catch {
    return false;
  }
}

/** Every .txt of a folder, by name, without what names the run (the export time, the day of the run that missed a message). */
function transcriptsOf(out: string): Map<string, string> {
  const text = (f: string) => readFileSync(join(out, f), 'utf8').replace(/^Exported .*$/m, '').replace(/not on the device since \S+/g, 'not on the device since <day>');
  return new Map(readdirSync(out).filter((f) => f.endsWith('.txt')).map((f) => [f, text(f)]));
}

describe('Ctrl-C while the sources are read, once a changed conversation is in the store', () => {
  it('leaves the next run to mark what the device lost in it, as a run that was not stopped does', async () => {
    const dir = tempDir('interrupt-lost');
    // Three conversations: the one read first (two chats of one person, the most recent) has over 20,000 messages,
    // so it is committed on its own, and the others are read for a good while after it.
    const db = await generateApart(dir, 40_000, 31, ['--conversations', '4']);
    const args = (out: string) => ['--db', db, '--out', out, '--format', 'txt', '--attachments', 'none'];
    const run = (out: string) => runCli(['export', ...args(out), '--no-progress']);
    const stopped = join(dir, 'stopped');
    expect((await run(stopped)).code).toBe(0);
    const uncut = join(dir, 'uncut');
    cpSync(stopped, uncut, { recursive: true });
    // The device then purges each chat's 150 oldest messages.
    const device = new Database(db);
    device.exec(`DELETE FROM chat_message_join WHERE message_id IN (SELECT message_id FROM
        (SELECT j.message_id, row_number() OVER (PARTITION BY j.chat_id ORDER BY m.date) AS n FROM chat_message_join j JOIN message m ON m.ROWID = j.message_id) WHERE n <= 150);
      DELETE FROM message WHERE ROWID NOT IN (SELECT message_id FROM chat_message_join)`);
    device.close();
    const whole = await run(uncut);
    expect(whole.code, whole.stderr).toBe(0);
    const [, lost] = /^ {2}since the last run: 0 messages added, 0 changed, ([\d,]+) newly not on the device/m.exec(whole.stdout)!;
    expect(Number(lost!.replace(',', ''))).toBeGreaterThanOrEqual(450);

    expect((await interrupted(args(stopped), () => readBy(stopped, 2))).code).toBe(130);
    const finishing = await run(stopped);
    expect(finishing.code, finishing.stderr).toBe(0);
    expect(finishing.stdout).toContain(`  since the last finished run: 0 messages added, 0 changed, ${lost} newly not on the device`);
    expect(keptOnly(stopped)).toEqual(keptOnly(uncut));
    expect(lastCounts(stopped)).toMatchObject({ absent: lastCounts(uncut).absent, unfinished: 1 });
    expect(transcriptsOf(stopped)).toEqual(transcriptsOf(uncut));
  });
});

describe('Ctrl-C once every conversation is written (the archive being finished: search data, index, SHA256SUMS)', () => {
  it('finishes the archive, says so, and exits 0', async () => {
    const dir = tempDir('interrupt-finishing');
    const db = await generateApart(dir, 20_000, 7);
    const out = join(dir, 'out');
    // search.html is written by the HTML archive's finish, once every conversation's pages are.
    const { code, stderr } = await interrupted(['--db', db, '--out', out, '--format', 'html'], () => existsSync(join(out, 'search.html')));
    expect(stderr).toMatch(/^textkeeper: every conversation is written: finishing the archive .*; interrupt again to stop at once, leaving it unfinished\.$/m);
    expect(code, stderr).toBe(0);
    expect((await runCli(['verify', out])).stdout).toMatch(/^Intact: /);
  });
});

describe('An export whose messages no one reads any more (its terminal closed, `2>&1 | head` ended)', () => {
  it('still finishes its archive instead of stopping at the first line it writes', async () => {
    const dir = tempDir('reader-gone');
    const out = join(dir, 'out');
    // --chat says what it chose on stderr, halfway through the run: by then nothing reads that pipe.
    const child = spawn(process.execPath, [join(ROOT, 'dist', 'cli', 'main.js'), 'export', '--db', join(ROOT, 'sample-data', 'chat.db'), '--out', out, '--chat', 'Family', '--no-progress'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.destroy();
    child.stderr.destroy();
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(code).toBe(0);
    expect((await runCli(['verify', out])).stdout).toMatch(/^Intact: /);
  });
});
