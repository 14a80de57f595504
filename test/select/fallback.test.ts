import { beforeAll, describe, expect, it } from 'vitest';
import type { ConversationRecord as ConversationJson } from '../../src/render/json/records.js';
import { runCli } from '../support/cli.js';
import { ids, NAME, selectFixture } from './fixture.js';

describe('part of a name is a fallback, reported, and --exact refuses it', () => {
  let f: Awaited<ReturnType<typeof selectFixture>>;

  beforeAll(async () => {
    f = await selectFixture('select-fallback');
  });

  it('matches part of a name, saying so for each conversation', async () => {
    const result = await runCli(['list', ...f.base, '--json', '--chat', 'ångst']);
    expect(result.code).toBe(0);
    const theirs = f.all.filter((c) => c.participants.some((p) => p.name === NAME));
    expect(ids(JSON.parse(result.stdout))).toEqual(ids(theirs));
    const said = result.stderr.trim().split('\n');
    expect(said.filter((line) => line.startsWith('selected '))).toHaveLength(theirs.length);
    for (const line of said.filter((l) => l.startsWith('selected '))) expect(line).toMatch(/: “.*Zoë Ångström.*” contains “ångst”$/);
    if (theirs.length > 1) expect(said.at(-1)).toMatch(new RegExp(`^note: --chat ångst .*matched ${theirs.length} conversations by part of a name \\(--exact refuses that\\)$`));
  });

  it('--exact refuses it: one line naming the closest names, exit 1', async () => {
    const result = await runCli(['export', ...f.base, '--out', `${f.dir}/never`, '--exact', '--chat', 'ångst']);
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^textkeeper: No conversation matches --chat ångst; closest: “Zoë Ångström”/);
  });

  it('a typo finds no conversation but names the closest', async () => {
    const result = await runCli(['list', ...f.base, '--chat', 'Zoe Angstrem']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/closest: “Zoë Ångström”/);
  });

  it('a term far from every name is told so, not given names that are not close', async () => {
    const result = await runCli(['list', ...f.base, '--chat', 'xqzvwk']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('textkeeper: No conversation matches --chat xqzvwk; no name is close to it (see `textkeeper list`).\n');
  });

  it('the messages of no chat are no one’s name: no part of a name chooses them, nor are they named closest', async () => {
    const result = await runCli(['export', ...f.base, '--out', `${f.dir}/no-chat`, '--chat', 'without a conv']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^textkeeper: No conversation matches --chat without a conv; (closest: |no name is close to it)/);
    expect(result.stderr).not.toContain('Messages without a conversation');
    // A letter in many names: the note counts the conversations chosen, as many as are listed.
    const loose = await runCli(['list', ...f.base, '--json', '--chat', 'a']);
    const chosen = (JSON.parse(loose.stdout) as ConversationJson[]).length;
    expect(loose.stderr.split('\n').filter((line) => line.startsWith('selected '))).toHaveLength(chosen);
    expect(loose.stderr).toContain(`it matched ${chosen} conversations by part of a name`);
  });

  it('reports ambiguity: a term several people’s names contain chooses them all, with a note', async () => {
    const first = (c: ConversationJson) => c.participants.map((p) => p.name.split(' ')[0]!);
    const counts = new Map<string, Set<string>>();
    for (const c of f.all) for (const name of first(c)) counts.set(name, new Set([...(counts.get(name) ?? []), c.id]));
    const [shared, chats] = [...counts].filter(([name]) => name.length > 2 && !/^\+/.test(name)).sort((a, b) => b[1].size - a[1].size)[0]!;
    expect(chats.size).toBeGreaterThan(1);
    const result = await runCli(['list', ...f.base, '--json', '--chat', shared.toLowerCase()]);
    expect(result.code).toBe(0);
    expect((JSON.parse(result.stdout) as ConversationJson[]).length).toBeGreaterThanOrEqual(chats.size);
    expect(result.stderr).toMatch(new RegExp(`^note: --chat ${shared.toLowerCase()} .* by part of a name`, 'm'));
  });
});
