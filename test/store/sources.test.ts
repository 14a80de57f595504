import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeBackup } from '../../src/generate/backup.js';
import { generateChatDb } from '../../src/generate/index.js';
import { runCli, tempDir } from '../support/cli.js';
import { exportedCount, transcripts } from './device.js';

describe('the same messages reached through a Mac database and an iPhone backup in different runs', () => {
  let work: string;
  beforeAll(async () => {
    work = tempDir('mac-and-phone');
    await generateChatDb({ path: join(work, 'mac', 'chat.db'), messages: 400, seed: 304, conversations: 3, images: 8 });
    await writeBackup({ chatDb: join(work, 'mac', 'chat.db'), attachmentsDir: join(work, 'mac', 'Attachments'), outDir: join(work, 'backup'), seed: 304 });
  });

  it('keeps each message once and records both sources', async () => {
    const out = join(work, 'archive');
    const run1 = await runCli(['export', '--db', join(work, 'mac', 'chat.db'), '--out', out, '--no-progress']);
    expect(run1.code, run1.stderr).toBe(0);
    const run2 = await runCli(['export', '--backup', join(work, 'backup'), '--out', out, '--no-progress']);
    expect(run2.code, run2.stderr).toBe(0);
    expect(exportedCount(run2.stdout)).toBe(exportedCount(run1.stdout));
    const text = [...transcripts(out).values()].join('\n');
    const headings = text.match(/^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\] /gm) ?? [];
    expect(headings.length).toBe(exportedCount(run1.stdout));
    // Every message was in both sources, so none is marked as found in only some of them.
    expect(text).not.toContain('⧉ Found in');
    const store = new Database(join(out, 'textkeeper.sqlite'), { readonly: true });
    const kinds = store.prepare(`SELECT COUNT(*) FROM messages m JOIN source_sets s ON s.id = m.source_set
      WHERE (SELECT SUM(value LIKE 'chat.db%') = 1 AND SUM(value LIKE 'iPhone backup%') = 1 FROM json_each(s.sources))`).pluck().get();
    expect(kinds).toBe(store.prepare('SELECT COUNT(*) FROM messages').pluck().get());
    store.close();
    expect(text).not.toContain('Kept by this archive');
  });
});
