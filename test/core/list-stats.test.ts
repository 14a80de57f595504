import { cpSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli, tempDir } from '../support/cli.js';

const SAMPLE = join(ROOT, 'sample-data');

/** The sample's chat.db copied, so that rows can be taken out of it as a device loses them. */
function sampleCopy(): string {
  const dir = tempDir('list-stats');
  cpSync(join(SAMPLE, 'chat.db'), join(dir, 'chat.db'));
  return dir;
}

/** Deletes rows of one conversation as a purge would: `count` of each kind, oldest first. */
function purge(db: string, chat: string, kinds: { messages: number; events: number; tapbacks: number }): void {
  const database = new Database(db);
  const rows = (where: string, count: number) =>
    database.prepare(`SELECT m.ROWID FROM message m JOIN chat_message_join j ON j.message_id = m.ROWID JOIN chat c ON c.ROWID = j.chat_id
      WHERE c.chat_identifier = ? AND ${where} ORDER BY m.date LIMIT ?`).pluck().all(chat, count) as number[];
  const gone = [
    ...rows('m.item_type = 0 AND m.associated_message_type = 0', kinds.messages),
    ...rows('m.item_type != 0', kinds.events),
    ...rows('m.associated_message_type BETWEEN 2000 AND 2005', kinds.tapbacks),
  ].join(',');
  database.exec(`DELETE FROM message_attachment_join WHERE message_id IN (${gone}); DELETE FROM chat_message_join WHERE message_id IN (${gone});
    DELETE FROM message WHERE ROWID IN (${gone});`);
  database.close();
}

describe('list and stats of an archive whose device lost messages and group events', () => {
  let archive: string;
  let absent: number;

  beforeAll(async () => {
    const device = sampleCopy();
    archive = join(device, 'archive');
    const db = join(device, 'chat.db');
    const run = (extra: string[] = []) => runCli(['export', '--db', db, '--out', archive, '--format', 'json', '--no-progress', ...extra]);
    expect((await run()).code).toBe(0);
    purge(db, 'chat100000039595', { messages: 7, events: 2, tapbacks: 1 });
    const second = await run();
    expect(second.code, second.stderr).toBe(0);
    absent = Number(/ (\d+) newly not on the device/.exec(second.stdout)![1]);
  });

  it('count what only the archive keeps alike: the export’s summary, list’s KEPT ONLY, and stats (its messages and group events)', async () => {
    expect(absent).toBe(9);
    const table = (await runCli(['list', '--archive', archive])).stdout.trim().split('\n');
    const kept = table[0]!.split(/\s{2,}/).indexOf('KEPT ONLY');
    expect(table.slice(1).reduce((sum, row) => sum + Number(row.split(/\s{2,}/)[kept]), 0)).toBe(absent);
    const stats = await runCli(['stats', '--archive', archive]);
    expect(stats.code).toBe(0);
    const lines = stats.stdout.split('\n').filter((l) => l.startsWith('  kept only by this archive: '));
    // The total and the one conversation that lost them.
    expect(lines).toEqual(Array(2).fill('  kept only by this archive: 7 messages (and 2 group events), no longer in the sources'));
    const json = JSON.parse((await runCli(['stats', '--archive', archive, '--json'])).stdout) as { total: { keptOnly: number; keptOnlyEvents: number } };
    expect(json.total.keptOnly + json.total.keptOnlyEvents).toBe(absent);
  });
});
