import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { generateApart, ROOT, tempDir } from '../support/cli.js';

describe('Ctrl-C during an export', () => {
  it('stops with exit code 130 and leaves no unfinished file', async () => {
    const dir = tempDir('interrupt');
    const db = await generateApart(dir, 40_000, 17);
    const out = join(dir, 'out');
    // Its own process group, as a terminal's Ctrl-C reaches every process of the foreground group.
    const child = spawn(process.execPath, [join(ROOT, 'dist', 'cli', 'main.js'), 'export', '--db', db, '--out', out, '--format', 'txt,pdf', '--no-progress'], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // Interrupt once the export has begun writing.
    while (!(existsSync(out) && readdirSync(out).length > 0) && child.exitCode === null) await new Promise((r) => setTimeout(r, 20));
    if (child.exitCode === null) process.kill(-child.pid!, 'SIGINT');
    const code = await exited;
    expect(code).toBe(130);
    expect(stderr.trim()).toBe('textkeeper: interrupted; unfinished files were removed.');
    expect(readdirSync(out).filter((f) => f.endsWith('.partial'))).toEqual([]);
  });

  it('removes NDJSON\'s part files', async () => {
    const dir = tempDir('interrupt-ndjson');
    // One long conversation: its part is being written for a good while, whatever the machine.
    const db = await generateApart(dir, 80_000, 19, ['--single-conversation']);
    const out = join(dir, 'out');
    const child = spawn(process.execPath, [join(ROOT, 'dist', 'cli', 'main.js'), 'export', '--db', db, '--out', out, '--format', 'ndjson', '--attachments', 'none', '--no-progress'], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const parts = join(out, '.messages.ndjson.parts');
    const partFiles = () => (existsSync(parts) ? readdirSync(parts, { recursive: true }).map(String).filter((f) => f.endsWith('.partial')) : []);
    // Interrupted once the conversation is being written into its part.
    while (partFiles().length === 0 && child.exitCode === null) await new Promise((r) => setTimeout(r, 10));
    if (child.exitCode === null) process.kill(-child.pid!, 'SIGINT');
    expect(await exited).toBe(130);
    expect(existsSync(parts)).toBe(false);
    expect(existsSync(join(out, 'messages.ndjson'))).toBe(false);
  });

  it('is taken within a conversation being read, which is then left out whole', async () => {
    const dir = tempDir('interrupt-reading');
    const db = await generateApart(dir, 60_000, 18, ['--single-conversation']);
    const out = join(dir, 'out');
    const child = spawn(process.execPath, [join(ROOT, 'dist', 'cli', 'main.js'), 'export', '--db', db, '--out', out, '--format', 'txt', '--attachments', 'none', '--no-progress'], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // The store is made before its one conversation is read (seconds, for 60,000 messages).
    while (!existsSync(join(out, 'textkeeper.sqlite')) && child.exitCode === null) await new Promise((r) => setTimeout(r, 20));
    if (child.exitCode === null) process.kill(-child.pid!, 'SIGINT');
    expect(await exited).toBe(130);
    const store = new Database(join(out, 'textkeeper.sqlite'), { readonly: true });
    expect(store.prepare('SELECT COUNT(*) FROM messages').pluck().get()).toBe(0);
    store.close();
  });
});
