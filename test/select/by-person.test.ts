import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ConversationRecord as ConversationJson } from '../../src/render/json/records.js';
import { runCli } from '../support/cli.js';
import { ids, NAME, selectFixture } from './fixture.js';

describe('--chat chooses every conversation a person takes part in', () => {
  let f: Awaited<ReturnType<typeof selectFixture>>;
  let theirs: ConversationJson[];

  beforeAll(async () => {
    f = await selectFixture('select-person');
    theirs = f.all.filter((c) => c.participants.some((p) => p.name === NAME));
  });

  it('by a member’s name, ignoring case and accents: their groups too, each said on stderr', async () => {
    expect(theirs.some((c) => c.isGroup)).toBe(true);
    const result = await runCli(['list', ...f.base, '--json', '--chat', 'zoe ANGSTROM']);
    expect(result.code).toBe(0);
    expect(ids(JSON.parse(result.stdout))).toEqual(ids(theirs));
    const said = result.stderr.trim().split('\n');
    expect(said).toHaveLength(theirs.length);
    for (const line of said) expect(line).toMatch(/^selected “.+” \(.+\): Zoë Ångström \(.+\) takes part$/);
  });

  it('by their number in any formatting', async () => {
    expect(f.typedPhone).not.toBe(f.phone);
    const result = await runCli(['list', ...f.base, '--json', '--chat', f.typedPhone]);
    expect(result.code).toBe(0);
    expect(ids(JSON.parse(result.stdout))).toEqual(ids(theirs));
    // Their name and number together choose the same, each conversation said once with the reason once.
    const both = await runCli(['list', ...f.base, '--json', '--chat', `${NAME},${f.typedPhone}`]);
    expect(ids(JSON.parse(both.stdout))).toEqual(ids(theirs));
    for (const line of both.stderr.trim().split('\n')) expect(line).toMatch(/^selected “.+” \(.+\): Zoë Ångström \([^)]+\) takes part$/);
  });

  it('exports each of them, saying which before writing', async () => {
    const out = join(f.dir, 'out');
    const result = await runCli(['export', ...f.base, '--out', out, '--chat', NAME, '--no-progress']);
    expect(result.code).toBe(0);
    expect(readdirSync(out).filter((name) => name.endsWith('.txt'))).toHaveLength(theirs.length);
    expect(result.stderr.trim().split('\n')).toHaveLength(theirs.length);
    expect(result.stdout).toMatch(new RegExp(`^Exported ${theirs.length} conversation`));
  });
});
