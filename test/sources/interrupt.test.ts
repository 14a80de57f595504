import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { writeBackup } from '../../src/generate/backup.js';
import { makeTinyChatDb } from './tiny-chat-db.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../..');
const work = mkdtempSync(path.join(tmpdir(), 'tk-interrupt-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function startChild(signalName: string, mode = '') {
  const chat = makeTinyChatDb(mkdtempSync(path.join(work, 'chat-')));
  const backup = path.join(work, `backup-${signalName}-${mode}`);
  await writeBackup({ chatDb: chat.chatDb, attachmentsDir: chat.attachmentsDir, outDir: backup, seed: 2, encryption: { password: 'pw', dpIterations: 100, iterations: 5 } });
  const child = spawn(
    path.join(repoRoot, 'node_modules', '.bin', 'vite-node'),
    [path.join(here, 'hold-backup-open.ts'), backup, 'pw', mode],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const dbPath = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', () => out.includes('\n') && resolve(out.split('\n')[0]));
    child.on('exit', (code) => reject(new Error(`child exited early with ${code}`)));
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, sig) => resolve({ code, signal: sig })),
  );
  return { child, dbPath, exited, output: () => out };
}

describe('an interrupted run', () => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`removes the decrypted files on ${signal} and still dies of the signal`, async () => {
      const { child, dbPath, exited } = await startChild(signal);
      expect(existsSync(dbPath)).toBe(true);
      child.kill(signal);
      expect((await exited).signal).toBe(signal);
      expect(existsSync(path.dirname(dbPath))).toBe(false);
    }, 30_000);
  }

  it('leaves shutdown to a program with its own SIGINT handler, and still removes the files at exit', async () => {
    const { child, dbPath, exited, output } = await startChild('SIGINT', 'graceful');
    child.kill('SIGINT');
    expect(await exited).toEqual({ code: 130, signal: null });
    // The attachment was still decrypted after Ctrl-C, into the folder that the exit hook then removed.
    expect(output()).toContain(`resolved ${path.dirname(dbPath)}${path.sep}attachments`);
    expect(existsSync(path.dirname(dbPath))).toBe(false);
  }, 30_000);
});
