// The README is what a new user knows: what it points to must be there.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/cli.js';

const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

type Schema = { $ref?: string; properties?: Record<string, Schema>; items?: Schema; oneOf?: Schema[]; anyOf?: Schema[] };

/** The schemas a path such as `parts[].app.poll` reaches in a message (every branch of a oneOf, anyOf or $ref). */
function reached(root: Schema & { $defs: Record<string, Schema> }, path: string): Schema[] {
  const expand = (s: Schema): Schema[] => {
    if (s.$ref) return expand(root.$defs[s.$ref.replace('#/$defs/', '')]!);
    return [s, ...[...(s.oneOf ?? []), ...(s.anyOf ?? [])].flatMap(expand)];
  };
  let at = expand(root);
  for (const step of path.split('.')) {
    const [name, items] = [step.replace(/\[\]$/, ''), step.endsWith('[]')];
    at = at.flatMap((s) => (s.properties?.[name] ? expand(s.properties[name]) : []));
    if (items) at = at.flatMap((s) => (s.items ? expand(s.items) : []));
  }
  return at;
}

describe('the README', () => {
  it('refers to its own sections by their headings (it said "see Exit codes" and "see The archive")', () => {
    const headings = [...README.matchAll(/^#+ (.+)$|^\*\*(.+?)\.\*\*/gm)].map((m) => (m[1] ?? m[2])!);
    const references = [...README.matchAll(/see "([^"]+)"/g)].map((m) => m[1]!.replace(/\s+/g, ' '));
    expect(references.length).toBeGreaterThan(0);
    for (const reference of references) expect(headings.some((h) => h.startsWith(reference)), reference).toBe(true);
  });

  it('gives the paths of a poll in the data formats as a message record has them (on a part, not the message)', () => {
    const schema = JSON.parse(readFileSync(join(ROOT, 'schema', 'message.schema.json'), 'utf8')) as Schema & { $defs: Record<string, Schema> };
    const paths = [...README.matchAll(/`((?:parts\[\]\.)?app\.(?:poll|ballot)[\w.]*)`/g)].map((m) => m[1]!);
    expect(paths.length).toBeGreaterThan(1);
    for (const path of paths) expect(reached(schema, path).length, path).toBeGreaterThan(0);
  });
});
