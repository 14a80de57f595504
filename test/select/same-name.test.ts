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
});
