import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, test } from 'vitest';
import { generateApart, runCli, tempDir } from '../support/cli.js';

/** Every file of an archive folder but its records of the run (SHA256SUMS, the store), by relative path. */
function files(dir: string): Map<string, Buffer> {
  const entries = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
  const paths = entries.map((e) => relative(dir, join(e.parentPath, e.name))).filter((p) => p !== 'SHA256SUMS' && !p.startsWith('textkeeper.sqlite'));
  return new Map(paths.map((path) => [path, readFileSync(join(dir, path))]));
}

/** The export time, the one thing two runs may write differently. */
const withoutTime = (bytes: Buffer) => bytes.toString('latin1').replace(/(xported(?: by textkeeper on)? )\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/g, '$1<time>');

// Thumbnails and converted photos were named after their copy's modification time, which is the time a
// run copied it: two exports of the same messages linked different file names from every page.
describe('the same export into two folders', () => {
  test('writes the same files, thumbnails and their names included', async () => {
    const source = tempDir('anywhere-src');
    const db = await generateApart(source, 600, 31, ['--images', '12']);
    const outs = [tempDir('anywhere-a'), tempDir('anywhere-b')];
    for (const out of outs) {
      const run = await runCli(['export', '--db', db, '--out', out, '--format', 'txt,html', '--no-progress']);
      expect(run.code, run.stderr).toBe(0);
    }
    const [a, b] = outs.map(files) as [Map<string, Buffer>, Map<string, Buffer>];
    expect([...b.keys()]).toEqual([...a.keys()]);
    expect([...a.keys()].filter((path) => path.startsWith('thumbs/')).length).toBeGreaterThan(0);
    for (const [path, bytes] of a) expect(withoutTime(b.get(path)!), path).toBe(withoutTime(bytes));
  });
});
