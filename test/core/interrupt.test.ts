import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
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
    // The next run completes it, and says that what it added counts from a run that did not finish.
    const again = await runCli(['export', '--db', db, '--out', out, '--format', 'txt', '--attachments', 'none', '--no-progress']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/^ {2}since the last run \(which did not finish\): [\d,]+ messages added, 0 changed/m);
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
