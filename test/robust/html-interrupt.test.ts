// Issue #10, HTML interrupted: no page links to a page that does not exist, and the index (written
// last) is absent, so an interrupted archive never looks finished.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateChatDb } from '../../src/generate/index.js';
import { ROOT, tempDir } from '../support/cli.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('an HTML export interrupted', () => {
  it('leaves only pages whose links lead somewhere, and no index', async () => {
    const dir = tempDir('html-int');
    const db = join(dir, 'chat.db');
    await generateChatDb({ path: db, messages: 20_000, seed: 23, singleConversation: true });
    const out = join(dir, 'out');
    const cli = spawn(process.execPath, [join(ROOT, 'dist', 'cli', 'main.js'), 'export', '--db', db, '--out', out, '--format', 'html', '--attachments', 'none', '--no-progress'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => cli.on('exit', (code) => resolve(code)));
    const pages = () => (existsSync(join(out, 'conversations')) ? readdirSync(join(out, 'conversations'), { recursive: true }).map(String).filter((f) => /p\d+\.html$/.test(f)) : []);
    // Interrupted once a few pages of the big conversation are written.
    while (pages().length < 3 && cli.exitCode === null) await sleep(10);
    expect(cli.exitCode).toBe(null);
    cli.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(existsSync(join(out, 'index.html'))).toBe(false);
    for (const page of pages()) {
      const html = readFileSync(join(out, 'conversations', page), 'utf8');
      for (const [, target] of html.matchAll(/href="(p\d+\.html)"/g)) expect(existsSync(join(out, 'conversations', dirname(page), target!)), `${page} → ${target}`).toBe(true);
    }
    const left = readdirSync(out, { recursive: true }).map(String);
    expect(left.filter((f) => f.endsWith('.partial'))).toEqual([]);
  });
});
