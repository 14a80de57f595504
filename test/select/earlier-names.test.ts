import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateChatDb } from '../../src/generate/index.js';
import { runCli, tempDir } from '../support/cli.js';

const DAY_NS = 86_400_000_000_000n;

/** A group named "Poetry Circle" at first, renamed "Readers" a year later: it is still chosen by the name people remember. */
describe('a group chosen by a name it had before', () => {
  const dir = tempDir('select-earlier-names');
  const db = join(dir, 'chat.db');
  let guid: string;
  let renamedOn: string;

  beforeAll(async () => {
    await generateChatDb({ path: db, messages: 300, seed: 83 });
    const sqlite = new Database(db);
    const group = sqlite.prepare(`SELECT ROWID AS id, guid FROM chat WHERE style = 43 AND display_name != '' ORDER BY ROWID LIMIT 1`).get() as { id: number; guid: string };
    guid = group.guid;
    // Its generated namings gave it the name it has: these are the only ones now.
    sqlite.prepare('UPDATE message SET item_type = 0, group_title = NULL WHERE item_type = 2 AND ROWID IN (SELECT message_id FROM chat_message_join WHERE chat_id = ?)').run(group.id);
    sqlite.prepare("UPDATE chat SET display_name = 'Readers' WHERE ROWID = ?").run(group.id);
    const first = BigInt(sqlite.prepare('SELECT MIN(message_date) FROM chat_message_join WHERE chat_id = ?').pluck().get(group.id) as number);
    const add = sqlite.prepare(`INSERT INTO message (guid, handle_id, is_from_me, service, date, item_type, group_title) VALUES (?, 0, 1, 'iMessage', ?, 2, ?)`);
    const joinChat = sqlite.prepare('INSERT INTO chat_message_join (chat_id, message_id, message_date) VALUES (?, ?, ?)');
    const namings: [string, bigint][] = [['Poetry Circle', first + DAY_NS], ['Readers', first + 400n * DAY_NS]];
    namings.forEach(([name, date], i) => joinChat.run(group.id, add.run(`NAMING-${i}`, date, name).lastInsertRowid, date));
    sqlite.close();
    renamedOn = new Date(Date.UTC(2001, 0, 1) + Number(namings[1]![1] / 1_000_000n)).toISOString().slice(0, 10);
  });

  const list = (term: string) => runCli(['list', '--db', db, '--json', '--timezone', 'UTC', '--chat', term]);

  it('list --chat with the earlier name finds it, and says it was its name until it was renamed', async () => {
    const result = await list('poetry circle');
    expect(result.code, result.stderr).toBe(0);
    expect((JSON.parse(result.stdout) as { id: string; title: string }[]).map((c) => [c.id, c.title])).toEqual([[guid, 'Readers']]);
    expect(result.stderr).toContain(`selected “Readers” (${guid}): group named “Poetry Circle” until ${renamedOn}`);
  });

  it('part of an earlier name finds it too, unless --exact', async () => {
    const result = await list('Poetry');
    expect(result.code, result.stderr).toBe(0);
    expect((JSON.parse(result.stdout) as { id: string }[]).map((c) => c.id)).toEqual([guid]);
    expect(result.stderr).toContain(`“Poetry Circle”, its name until ${renamedOn}, contains “Poetry”`);
    const exact = await runCli(['list', '--db', db, '--exact', '--chat', 'Poetry']);
    expect(exact.code).toBe(1);
    expect(exact.stderr).toMatch(/^textkeeper: No conversation matches --chat Poetry; closest: “Poetry Circle”/);
  });

  it('export --chat with the earlier name writes its files; a second run into the archive knows its namings without reading them again', async () => {
    const out = join(dir, 'out');
    const whole = await runCli(['export', '--db', db, '--out', out, '--format', 'txt', '--quiet']);
    expect(whole.code, whole.stderr).toBe(0);
    // Only --chat terms ask how groups were named.
    expect(namingsKept(out)).toBe(0);
    for (const run of [1, 2]) {
      const result = await runCli(['export', '--db', db, '--out', out, '--format', 'txt', '--timezone', 'UTC', '--chat', 'Poetry Circle']);
      expect(result.code, `run ${run}: ${result.stderr}`).toBe(0);
      expect(result.stderr).toContain(`selected “Readers” (${guid}): group named “Poetry Circle” until ${renamedOn}`);
      expect(existsSync(join(out, 'Readers.txt'))).toBe(true);
      expect(namingsKept(out)).toBe(1);
    }
  });

  it('an archive folder read with --archive knows the earlier names from the renames it keeps: list, stats and export choose the group', async () => {
    const out = join(dir, 'kept');
    // A whole export asks for no namings: the archive has only the rename events among its messages.
    expect((await runCli(['export', '--db', db, '--out', out, '--format', 'txt', '--quiet'])).code).toBe(0);
    expect(namingsKept(out)).toBe(0);
    const chosen = `selected “Readers” (${guid}): group named “Poetry Circle” until ${renamedOn}`;
    const listed = await runCli(['list', '--archive', out, '--json', '--timezone', 'UTC', '--chat', 'Poetry Circle']);
    expect(listed.code, listed.stderr).toBe(0);
    expect((JSON.parse(listed.stdout) as { id: string; title: string }[]).map((c) => [c.id, c.title])).toEqual([[guid, 'Readers']]);
    expect(listed.stderr).toContain(chosen);
    const stats = await runCli(['stats', '--archive', out, '--json', '--timezone', 'UTC', '--chat', 'poetry circle']);
    expect(stats.code, stats.stderr).toBe(0);
    expect((JSON.parse(stats.stdout) as { conversations: { conversation: { title: string } }[] }).conversations.map((c) => c.conversation.title)).toEqual(['Readers']);
    const again = join(dir, 'from-archive');
    const exported = await runCli(['export', '--archive', out, '--out', again, '--format', 'txt', '--timezone', 'UTC', '--chat', 'Poetry Circle']);
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stderr).toContain(chosen);
    expect(existsSync(join(again, 'Readers.txt'))).toBe(true);
    const exact = await runCli(['list', '--archive', out, '--exact', '--chat', 'Poetry']);
    expect(exact.code).toBe(1);
    expect(exact.stderr).toMatch(/^textkeeper: No conversation matches --chat Poetry; closest: “Poetry Circle”/);
  });
});

function namingsKept(out: string): number {
  const store = new Database(join(out, 'textkeeper.sqlite'), { readonly: true });
  try {
    return store.prepare("SELECT COUNT(*) FROM chat_marks WHERE chat_ids = '-2'").pluck().get() as number;
  } finally {
    store.close();
  }
}
