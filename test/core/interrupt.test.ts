import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
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
});
