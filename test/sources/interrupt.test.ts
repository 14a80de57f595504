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

describe('an interrupted run', () => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`removes the decrypted files on ${signal} and still dies of the signal`, async () => {
      const chat = makeTinyChatDb(mkdtempSync(path.join(work, 'chat-')));
      const backup = path.join(work, `backup-${signal}`);
      await writeBackup({ chatDb: chat.chatDb, outDir: backup, seed: 2, encryption: { password: 'pw', dpIterations: 100, iterations: 5 } });
      const child = spawn(
        path.join(repoRoot, 'node_modules', '.bin', 'vite-node'),
        [path.join(here, 'hold-backup-open.ts'), backup, 'pw'],
        { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] },
      );
      const dbPath = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          if (out.includes('\n')) resolve(out.trim());
        });
        child.on('exit', (code) => reject(new Error(`child exited early with ${code}`)));
      });
      expect(existsSync(dbPath)).toBe(true);
      const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, sig) => resolve(sig)));
      child.kill(signal);
      expect(await exited).toBe(signal);
      expect(existsSync(path.dirname(dbPath))).toBe(false);
    }, 30_000);
  }
});
