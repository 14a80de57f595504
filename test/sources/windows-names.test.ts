// An encrypted backup's attachments are decrypted under names every system can create: the phone's own
// may hold characters Windows refuses (`?`, `*`, `"`) or turns into something else (`:` names a stream).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { writeBackup } from '../../src/generate/backup.js';
import { openBackup } from '../../src/sources/backup/open-backup.js';
import { makeTinyChatDb } from './tiny-chat-db.js';

describe('attachments decrypted from an encrypted backup', () => {
  const work = mkdtempSync(path.join(tmpdir(), 'tk-windows-names-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('get names Windows can create, keeping their extension and bytes', async () => {
    const chat = makeTinyChatDb(work);
    const rest = 'aa/04/DDD-4/Q3: what? *final*.pdf';
    const bytes = Buffer.from('%PDF-1.4 odd name');
    const file = path.join(chat.attachmentsDir, ...rest.split('/'));
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, bytes);
    const db = new Database(chat.chatDb);
    db.prepare("INSERT INTO attachment (guid, filename, transfer_name, total_bytes) VALUES ('ATT-9', ?, 'Q3: what? *final*.pdf', ?)").run(`~/Library/Messages/Attachments/${rest}`, bytes.length);
    db.close();
    const outDir = path.join(work, 'backup');
    await writeBackup({ chatDb: chat.chatDb, attachmentsDir: chat.attachmentsDir, outDir, seed: 3, encryption: { password: 'pw', dpIterations: 1000, iterations: 10 } });
    const source = await openBackup(outDir, { password: async () => 'pw' });
    try {
      const resolved = source.resolveAttachment(`~/Library/SMS/Attachments/${rest}`)!;
      expect(path.basename(resolved)).not.toMatch(/[<>:"|?*\\]/);
      expect(path.extname(resolved)).toBe('.pdf');
      expect(readFileSync(resolved)).toEqual(bytes);
    } finally {
      await source.dispose();
    }
  });
});
