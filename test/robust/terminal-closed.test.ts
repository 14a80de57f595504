import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, tempDir } from '../support/cli.js';
import { encryptedTinyBackup } from '../sources/tiny-chat-db.js';

/**
 * Runs the CLI on a terminal (util-linux `script`) beside a keeper process that outlives the terminal and
 * writes down how the CLI ended (and its process id); the terminal is closed once the password prompt shows.
 */
const KEEPER = `import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
const [statusFile, ...args] = process.argv.slice(2);
process.on('SIGHUP', () => {});
const child = spawn(process.execPath, args, { stdio: 'inherit' });
writeFileSync(statusFile + '.pid', String(child.pid));
child.on('exit', (code, signal) => {
  writeFileSync(statusFile, JSON.stringify({ code, signal }));
  process.kill(process.pid, 'SIGKILL');
});
`;

interface Ended {
  code: number | null;
  signal: string | null;
}

async function closeTerminalAtPrompt(dir: string, args: string[]): Promise<Ended | 'still running after 150 s'> {
  const keeper = join(dir, 'keeper.mjs');
  const status = join(dir, `${args[0]}-status.json`);
  writeFileSync(keeper, KEEPER);
  const command = [process.execPath, keeper, status, join(ROOT, 'dist', 'cli', 'main.js'), ...args].map((a) => `'${a}'`).join(' ');
  const terminal = spawn('script', ['-qfec', command, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let shown = '';
  terminal.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    shown += chunk;
    if (shown.includes('Backup password:')) terminal.kill('SIGKILL');
  });
  await new Promise((resolve) => terminal.on('close', resolve));
  for (const started = Date.now(); Date.now() - started < 150_000; await new Promise((resolve) => setTimeout(resolve, 50))) {
    if (existsSync(status)) return JSON.parse(readFileSync(status, 'utf8')) as Ended;
  }
  // A run that waits on is ended (its launcher: the run then sees it gone), so that the failure leaves nothing running.
  process.kill(Number(readFileSync(`${status}.pid`, 'utf8')), 'SIGKILL');
  return 'still running after 150 s';
}

describe('the terminal closed during a run', () => {
  it('ends the run as an interruption (exit 130), not waiting on for ever nor aborting, and leaves nothing', async () => {
    const dir = tempDir('terminal-closed');
    const backup = await encryptedTinyBackup(dir, 5);
    const out = join(dir, 'out');
    // Before: the export waited at the prompt for ever, holding the new archive's lock; list aborted (SIGABRT) as Node 20 exited.
    expect(await closeTerminalAtPrompt(dir, ['export', '--backup', backup, '--out', out, '--format', 'txt'])).toEqual({ code: 130, signal: null });
    expect(existsSync(out)).toBe(false);
    expect(await closeTerminalAtPrompt(dir, ['list', '--backup', backup])).toEqual({ code: 130, signal: null });
  });
});
