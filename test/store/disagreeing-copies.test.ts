// Two sources holding one message (same GUID) with different texts that no edit explains: the merged export
// showed one of them and counted the message as "in every source", with nothing said of the other text.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { writeBackup } from '../../src/generate/backup.js';
import { runCli, tempDir } from '../support/cli.js';
import { deviceSlice, generateHistory, transcripts } from './device.js';

describe('copies of a message whose texts differ', () => {
  it('are merged with a note naming both texts and their sources, and a warning', async () => {
    const history = await generateHistory(200, 41);
    const work = tempDir('disagreeing');
    const phone = deviceSlice(history, undefined, undefined);
    const db = new Database(join(phone, 'chat.db'));
    const { guid, text } = db.prepare("SELECT guid, text FROM message WHERE text LIKE '% %' AND associated_message_type = 0 AND date_edited = 0 ORDER BY ROWID LIMIT 1").get() as { guid: string; text: string };
    db.prepare("UPDATE message SET text = 'I never said that', attributedBody = NULL WHERE guid = ?").run(guid);
    db.close();
    await writeBackup({ chatDb: join(phone, 'chat.db'), attachmentsDir: join(phone, 'Attachments'), outDir: join(work, 'backup'), seed: 41 });
    const run = await runCli(['export', '--db', join(history.dir, 'chat.db'), '--backup', join(work, 'backup'), '--out', join(work, 'out'), '--format', 'txt', '--no-progress']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(new RegExp(`^warning: message ${guid}: The sources differ on this message's text: `, 'm'));
    const all = [...transcripts(join(work, 'out')).values()].join('\n');
    const note = /The sources differ on this message's text: (.+) has “(.+)”, (.+) has “(.+)”; the first is shown\./.exec(all);
    expect(note, all.slice(0, 200)).not.toBeNull();
    expect([note![2], note![4]].sort()).toEqual([text.length > 80 ? `${text.slice(0, 79)}…` : text, 'I never said that'].sort());
    expect([note![1], note![3]].some((source) => source.startsWith('iPhone backup'))).toBe(true);
    expect(run.stdout).toMatch(/[1-9]\d* warnings?/);
  });
});
