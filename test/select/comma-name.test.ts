import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { ids, selectFixture } from './fixture.js';

const GROUP = 'Tom, Dick & Harry';

// --chat is a comma list: a group whose name holds a comma was cut into two terms, and chosen by neither whole.
describe('--chat with a group whose name holds a comma', () => {
  let f: Awaited<ReturnType<typeof selectFixture>>;

  beforeAll(async () => {
    f = await selectFixture('select-comma');
    const db = new Database(f.db);
    db.prepare('UPDATE chat SET display_name = ? WHERE guid = (SELECT guid FROM chat WHERE style = 43 ORDER BY ROWID LIMIT 1)').run(GROUP);
    db.close();
  });

  it('chooses that group by its whole name, --exact or not, however the spaces around the comma are typed', async () => {
    const named = JSON.parse((await runCli(['list', ...f.base, '--json'])).stdout) as { id: string; title: string }[];
    const wanted = named.filter((c) => c.title === GROUP);
    expect(wanted).toHaveLength(1);
    for (const term of [GROUP, 'tom,dick & harry', 'TOM ,  Dick & Harry']) {
      for (const exact of [[], ['--exact']]) {
        const result = await runCli(['list', ...f.base, '--json', '--chat', term, ...exact]);
        expect(result.code, `${term} ${exact}: ${result.stderr}`).toBe(0);
        expect(ids(JSON.parse(result.stdout)), term).toEqual(ids(wanted as never));
        expect(result.stderr.trim()).toBe(`selected “${GROUP}” (${wanted[0]!.id}): group named “${GROUP}”`);
      }
    }
  });

  it('chooses a group without a name by the title list gives it (its people, a comma between each), and only that group', async () => {
    const named = JSON.parse((await runCli(['list', ...f.base, '--json'])).stdout) as { id: string; title: string; isGroup: boolean }[];
    const unnamed = named.find((c) => c.isGroup && c.title !== GROUP && c.title.includes(', '))!;
    expect(unnamed, 'a group without a name').toBeDefined();
    const result = await runCli(['list', ...f.base, '--json', '--chat', unnamed.title, '--exact']);
    expect(result.code, result.stderr).toBe(0);
    expect((JSON.parse(result.stdout) as { id: string }[]).map((c) => c.id)).toEqual([unnamed.id]);
    expect(result.stderr.trim()).toBe(`selected “${unnamed.title}” (${unnamed.id}): named “${unnamed.title}”`);
  });

  it('says the terms that chose nothing as they were typed, a comma and a space between them', async () => {
    const result = await runCli(['list', ...f.base, '--chat', 'Nobody Here, No One There']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^textkeeper: No conversation matches --chat Nobody Here, No One There[;( ]/);
  });

  it('with other terms around it, each chooses its own', async () => {
    const other = f.all.find((c) => !c.isGroup)!;
    const result = await runCli(['list', ...f.base, '--json', '--chat', `${other.id},${GROUP}`, '--exact']);
    expect(result.code, result.stderr).toBe(0);
    const chosen = (JSON.parse(result.stdout) as { title: string; id: string }[]).map((c) => c.id);
    expect(chosen).toContain(other.id);
    expect(chosen).toHaveLength(2);
  });
});
