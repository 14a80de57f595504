import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { generateChatDb } from '../../src/generate/index.js';
import { runCli, tempDir } from '../support/cli.js';

/**
 * Makes the store's messages read as an older textkeeper stored them: no edit or unsend times, other event wording,
 * no junk marks, a satellite service by its own name (iMessageLite); and forgets the change marks, as the store's
 * version 11 does, so that the next run reads every conversation again (and migrates it then).
 */
function asAnOlderTextkeeperStoredThem(store: string): number {
  const db = new Database(store);
  let doctored = 0;
  for (const { guid, body } of db.prepare('SELECT guid, body FROM messages').all() as { guid: string; body: string }[]) {
    const message = JSON.parse(body) as { parts: Record<string, unknown>[]; event?: { description: string }; junk?: true; satellite?: true; service?: string };
    const before = JSON.stringify(message);
    for (const part of message.parts) delete part.editedAt, delete part.unsentAt;
    if (message.event) message.event.description = 'Older wording.';
    delete message.junk;
    if (message.satellite) {
      delete message.satellite;
      message.service = message.service === 'SMS' ? 'SatelliteSMS' : 'iMessageLite';
    }
    if (JSON.stringify(message) === before) continue;
    db.prepare('UPDATE messages SET body = ? WHERE guid = ?').run(JSON.stringify(message), guid);
    doctored++;
  }
  db.exec('DELETE FROM source_marks');
  // As if the next run were the first at version 11 (the first to read junk marks).
  db.exec('UPDATE migrations SET applied_at = (SELECT max(started_at) + 1 FROM runs) WHERE version = 11');
  db.close();
  return doctored;
}

describe('an archive an older textkeeper made, updated by this one', () => {
  it('counts as changed only what changed on the device, not what this version reads or words anew', async () => {
    const dir = tempDir('read-anew');
    const chatDb = join(dir, 'chat.db');
    await generateChatDb({ path: chatDb, messages: 800, seed: 12 });
    // Two messages over satellite (this sample has none of its own).
    const sample = new Database(chatDb);
    sample.exec(`UPDATE message SET service = 'iMessageLite' WHERE ROWID IN (SELECT m.ROWID FROM message m JOIN chat_message_join j ON j.message_id = m.ROWID
      JOIN chat c ON c.ROWID = j.chat_id WHERE c.style = 45 AND c.service_name = 'iMessage' AND m.item_type = 0 AND m.associated_message_type = 0 ORDER BY m.ROWID LIMIT 2)`);
    sample.close();
    const out = join(dir, 'archive');
    expect((await runCli(['export', '--db', chatDb, '--out', out, '--format', 'txt', '--no-progress'])).code).toBe(0);
    expect(asAnOlderTextkeeperStoredThem(join(out, 'textkeeper.sqlite'))).toBeGreaterThan(3);

    // An edit on the device, as its change marks see one (date_edited).
    const device = new Database(chatDb);
    device.prepare("UPDATE message SET text = 'changed on the device', attributedBody = NULL, date_edited = date + 60000000000 WHERE ROWID = (SELECT max(ROWID) FROM message WHERE text IS NOT NULL AND associated_message_type = 0 AND item_type = 0)").run();
    device.close();
    const run = await runCli(['export', '--db', chatDb, '--out', out, '--format', 'txt', '--no-progress']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('since the last run: 0 messages added, 1 changed,');
    const store = new Database(join(out, 'textkeeper.sqlite'), { readonly: true });
    expect(store.prepare('SELECT count(*) FROM message_history').pluck().get()).toBe(1);
    // Junk and satellite marks, which the older one did not read, are kept now, not counted as changes.
    expect(store.prepare(`SELECT count(*) FROM messages WHERE body LIKE '%"junk":true%'`).pluck().get()).toBe(2);
    expect(store.prepare(`SELECT count(*) FROM messages WHERE body LIKE '%"satellite":true%'`).pluck().get()).toBe(2);
    expect(store.prepare(`SELECT count(*) FROM messages WHERE body LIKE '%iMessageLite%' OR body LIKE '%SatelliteSMS%'`).pluck().get()).toBe(0);
    // The conversation read again keeps this version's reading of its messages; the others were not read.
    const reread = store.prepare('SELECT conversation_key FROM messages WHERE guid = (SELECT guid FROM message_history)').pluck().get();
    const older = (key: unknown) => store.prepare("SELECT count(*) FROM messages WHERE conversation_key = ? AND body LIKE '%Older wording.%'").pluck().get(key);
    expect(older(reread)).toBe(0);
    store.close();
    const transcripts = readdirSync(out).filter((f) => f.endsWith('.txt')).map((f) => readFileSync(join(out, f), 'utf8')).join('');
    expect(transcripts).not.toContain('Older wording.');
  });
});
