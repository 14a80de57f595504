import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli, tempDir } from '../support/cli.js';
import { exportFrom, generateHistory, transcripts, type History } from './device.js';

const ARGS = ['--format', 'txt,html', '--no-progress'];

/** Starts an export and SIGKILLs all its processes as soon as `ready(out)` holds (or when it ends by itself). */
async function killedWhen(history: History, out: string, ready: (out: string) => boolean): Promise<void> {
  const child = spawn(process.execPath, [join(ROOT, 'dist', 'cli', 'main.js'), 'export', '--db', join(history.dir, 'chat.db'), '--out', out, ...ARGS], {
    detached: true,
    stdio: 'ignore',
    // Killed with it, the launcher cannot remove its temporary folder: it is made where the test's are removed.
    env: { ...process.env, TZ: 'UTC', TMPDIR: tempDir('killed-run') },
  });
  const ended = new Promise((resolve) => child.on('exit', resolve));
  while (child.exitCode === null && child.signalCode === null && !ready(out)) await new Promise((r) => setTimeout(r, 5));
  try {
    process.kill(-child.pid!, 'SIGKILL');
  } catch {
    // It had finished already.
  }
  await ended;
}

const has = (out: string, test: (name: string) => boolean) => existsSync(out) && readdirSync(out, { recursive: true }).map(String).some(test);

describe('a run killed at any moment (SIGKILL) is completed by the next run', () => {
  let history: History;
  let reference: Map<string, string>;

  beforeAll(async () => {
    history = await generateHistory(1500, 303);
    const clean = join(tempDir('killed-ref'), 'out');
    await exportFrom(history.dir, clean, 'txt,html');
    reference = transcripts(clean);
  });

  const moments: [string, (out: string) => boolean][] = [
    ['while the store is made', (out) => has(out, (f) => f.startsWith('textkeeper.sqlite'))],
    ['while attachments are copied', (out) => has(out, (f) => f.startsWith('attachments/'))],
    ['while transcripts are written', (out) => has(out, (f) => f.endsWith('.txt') || f.endsWith('.partial'))],
    ['while the HTML index is written', (out) => has(out, (f) => f.startsWith('search/'))],
  ];
  for (const [moment, ready] of moments) {
    it(moment, async () => {
      const out = join(tempDir('killed'), 'out');
      await killedWhen(history, out, ready);
      const again = await runCli(['export', '--db', join(history.dir, 'chat.db'), '--out', out, ...ARGS]);
      expect(again.stderr).toBe('');
      expect(again.code).toBe(0);
      const verified = await runCli(['verify', out]);
      expect(verified.stdout).toMatch(/^Intact/m);
      expect(verified.code).toBe(0);
      expect(transcripts(out)).toEqual(reference);
    });
  }
});
