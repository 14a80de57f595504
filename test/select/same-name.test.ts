import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateChatDb } from '../../src/generate/index.js';
import { runCli, tempDir } from '../support/cli.js';

describe('conversations with the same name', () => {
  const dir = tempDir('select-names');
  const db = join(dir, 'chat.db');

  beforeAll(async () => {
    await generateChatDb({ path: db, messages: 1500, seed: 51 });
    const sqlite = new Database(db);
    const groups = sqlite.prepare('SELECT ROWID FROM chat WHERE style = 43 ORDER BY ROWID LIMIT 2').pluck().all() as number[];
    expect(groups).toHaveLength(2);
    for (const id of groups) sqlite.prepare("UPDATE chat SET display_name = 'Mallory & friends' WHERE ROWID = ?").run(id);
    sqlite.close();
  });

  it('get file names told apart by their participants, the same in every run', async () => {
    const names = async (out: string) => {
      const result = await runCli(['export', '--db', db, '--out', join(dir, out), '--quiet']);
      expect(result.code, result.stderr).toBe(0);
      return readdirSync(join(dir, out)).filter((f) => f.startsWith('Mallory & friends')).sort();
    };
    const first = await names('one');
    expect(first).toHaveLength(2);
    for (const file of first) {
      const suffix = /^Mallory & friends \((.+)\)\.txt$/.exec(file)?.[1];
      expect(suffix, file).toBeDefined();
      const participants = /^Participants: (.*)$/m.exec(readFileSync(join(dir, 'one', file), 'utf8'))![1]!;
      for (const who of suffix!.replace(/ \+\d+$/, '').split(', ')) expect(participants).toContain(who);
    }
    expect(await names('two')).toEqual(first);
  });

  it('told apart when their titles are long, by what tells them apart left whole at the end of the cut name', async () => {
    // Three unnamed groups of 30, named by their members: 29 the same, in the same order, and one of their own.
    const many = join(dir, 'many.db');
    await generateChatDb({ path: many, messages: 200, seed: 52 });
    const sqlite = new Database(many);
    const handle = sqlite.prepare(`INSERT INTO handle (id, service) VALUES (?, 'iMessage')`);
    const shared = Array.from({ length: 29 }, (_, i) => Number(handle.run(`+1555888${String(1000 + i)}`).lastInsertRowid));
    const template = sqlite.prepare('SELECT ROWID FROM message WHERE item_type = 0 AND is_from_me = 1 LIMIT 1').pluck().get() as number;
    for (const own of ['+15559990001', '+15559990002', '+15559990003']) {
      const chat = Number(sqlite.prepare(`INSERT INTO chat (guid, style, chat_identifier, service_name, display_name) VALUES (?, 43, ?, 'iMessage', '')`).run(`iMessage;+;chat${own.slice(1)}`, `chat${own.slice(1)}`).lastInsertRowid);
      for (const id of [...shared, Number(handle.run(own).lastInsertRowid)]) sqlite.prepare('INSERT INTO chat_handle_join (chat_id, handle_id) VALUES (?, ?)').run(chat, id);
      const message = sqlite.prepare(`INSERT INTO message (guid, text, handle_id, is_from_me, service, date, associated_message_type, item_type)
        SELECT ?, text, 0, 1, service, date, 0, 0 FROM message WHERE ROWID = ?`).run(`MANY-${own}`, template).lastInsertRowid;
      sqlite.prepare('INSERT INTO chat_message_join (chat_id, message_id) VALUES (?, ?)').run(chat, message);
    }
    sqlite.close();
    const out = join(dir, 'many');
    const result = await runCli(['export', '--db', many, '--out', out, '--quiet']);
    expect(result.code, result.stderr).toBe(0);
    const files = readdirSync(out).filter((f) => f.startsWith('+15558881000, ')).sort();
    expect(files).toHaveLength(3);
    files.forEach((file, i) => expect(file).toMatch(new RegExp(`^\\+15558881000, .+… \\(\\+1555999000${i + 1}\\)\\.txt$`)));
  });
});
