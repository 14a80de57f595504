import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { selectFixture } from './fixture.js';

describe('--chat takes the ids that list prints', () => {
  let f: Awaited<ReturnType<typeof selectFixture>>;

  beforeAll(async () => {
    f = await selectFixture('select-id');
  });

  it('a group by its id (iMessage;+;chat…) and by its bare chat identifier', async () => {
    const group = f.all.find((c) => c.isGroup && c.id.includes(';+;'))!;
    const bare = group.chatIdentifiers.find((id) => /^chat\d+$/.test(id))!;
    expect(group.id.endsWith(bare)).toBe(true);
    for (const term of [group.id, bare, group.id.toUpperCase()]) {
      const result = await runCli(['list', ...f.base, '--json', '--chat', term]);
      expect(result.code, term).toBe(0);
      expect((JSON.parse(result.stdout) as { id: string }[]).map((c) => c.id)).toEqual([group.id]);
      expect(result.stderr).toMatch(new RegExp(`^selected “.+” \\(${group.id.replace(/[;+]/g, '\\$&')}\\): id `, 'i'));
    }
  });

  it('lists JSON with the documented fields', async () => {
    for (const c of f.all) {
      expect(Object.keys(c)).toEqual(expect.arrayContaining(['chatIdentifiers', 'firstDate', 'id', 'isGroup', 'lastDate', 'messageCount', 'participants', 'services', 'title']));
      if (c.isGroup && c.id.includes(';+;')) expect(c.chatIdentifiers).toContain(c.id.split(';').at(-1));
      expect(Number.isNaN(Date.parse(c.firstDate!))).toBe(false);
      expect(c.messageCount).toBeGreaterThan(0);
      // otherHandles only for a person read from more than one handle (a contact's phone and email); former only
      // for one who left the group or was removed from it.
      for (const p of c.participants) expect(Object.keys(p).filter((key) => key !== 'otherHandles' && key !== 'former').sort()).toEqual(['handle', 'name']);
      for (const p of c.participants as { former?: string }[]) if (p.former !== undefined) expect(['left', 'removed']).toContain(p.former);
    }
    expect(f.all.some((c) => c.isGroup && c.participants.length > 1)).toBe(true);
  });
});
