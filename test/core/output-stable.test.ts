import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateApart, runCli, tempDir } from '../support/cli.js';

/**
 * Speed work must not change a byte of what is written: a full 20,000-message export to txt and HTML (and
 * one to NDJSON, JSON and CSV) is compared, group by group, with digests of the output made before it. When the output or the generator
 * changes on purpose, print the new digests with `UPDATE_OUTPUT_DIGESTS=1 npx vitest run
 * test/core/output-stable.test.ts` (after `npx tsc -p tsconfig.json`) and paste them below.
 */
// Last changed on purpose: HTML fixes for review findings — names isolated with <bdi>, reply quotes dir="auto",
// page numbers in titles, the Go button, a search heading, "1 photo"; txt, search data and the data formats are unchanged.
const EXPECTED: Record<string, string> = {
  '*.txt': 'd650338b5b6462df8b1ded77e0cbe18c53b54a1d82b963161b4c0e369108506e',
  'assets/': 'ebd6ed200d7a78644e891c1cf0b1580824cae02242ee411672b07dcfccfbef1d',
  'conversations/': 'b8d90557b833c314cf798d9f9cb74f8d6d99dc006dc03024fa006eada9bfd4f8',
  'index.html': '928bd7720bcb263da4d2147abf8698ef956afd2d483699964d6613b0f7970022',
  'search.html': '3425161f5801af7719441c8f4691761d907ce243eb86bb59f461814d2f66a87e',
  'search/': '10b5cdf38706c85a66246b0f6937797a7a24784709f7a35d37caac728a9327ec',
};

const EXPECTED_DATA: Record<string, string> = {
  '*.csv': 'afee01b82f048d26a51def69170c62e682c422c9c3311e51e2e5ac4ccf61e8de',
  '*.json': '56cb7fedc1ed6f887bec7e9a01a3770580c9753954fae6b8af8285ace4e05c65',
  'messages.ndjson': 'f6f4ccfc4997e3088ea065e393c7b69ef07913efdac514f9a8b16abdcff72177',
};

function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    // The archive's own records (manifest, store) hold times and hashes of the files compared here.
    .filter((file) => file !== 'SHA256SUMS' && !file.startsWith('textkeeper.sqlite'))
    .sort();
}

function groupOf(file: string): string {
  const extension = /^[^/]+\.(txt|json|csv)$/.exec(file)?.[1];
  if (extension) return `*.${extension}`;
  const slash = file.indexOf('/');
  return slash < 0 ? file : file.slice(0, slash + 1);
}

/** Digest of every file of each group, its name included; the export time and the temporary folder blanked. */
function digests(out: string, root: string): Record<string, string> {
  const hashes = new Map<string, ReturnType<typeof createHash>>();
  for (const file of listFiles(out)) {
    const text = readFileSync(join(out, file), 'utf8')
      .replaceAll(root, '<root>')
      .replace(/(xported(?: by textkeeper on)? )\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/g, '$1<time>');
    const group = groupOf(file);
    if (!hashes.has(group)) hashes.set(group, createHash('sha256'));
    hashes.get(group)!.update(`${file}\0${text}\0`);
  }
  return Object.fromEntries([...hashes].map(([group, hash]) => [group, hash.digest('hex')]));
}

describe('output stays byte-identical', () => {
  let root: string;
  beforeAll(async () => {
    root = tempDir('stable');
    await generateApart(root, 20_000, 7);
  }, 300_000);

  // The default uses every core; three threads on fewer cores share the conversations differently again.
  it.each([[[]], [['--threads', '3']]])('exports 20,000 messages to txt and HTML exactly as before (%j)', async (threads: string[]) => {
    const out = join(root, `out${threads.join('')}`);
    const result = await runCli([
      'export', '--db', join(root, 'chat.db'), '--attachments-root', root, '--out', out,
      '--format', 'txt,html', '--attachments', 'none', '--timezone', 'America/New_York', '--no-progress', ...threads,
    ]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('17,708 messages');
    const actual = digests(out, root);
    if (process.env.UPDATE_OUTPUT_DIGESTS) console.log(JSON.stringify(actual, null, 2));
    expect(actual).toEqual(EXPECTED);
  });

  it('exports 20,000 messages to NDJSON, JSON and CSV exactly as before', async () => {
    const out = join(root, 'out-data');
    const result = await runCli([
      'export', '--db', join(root, 'chat.db'), '--attachments-root', root, '--out', out,
      '--format', 'ndjson,json,csv', '--attachments', 'none', '--timezone', 'America/New_York', '--no-progress',
    ]);
    expect(result.stderr).toBe('');
    const actual = digests(out, root);
    if (process.env.UPDATE_OUTPUT_DIGESTS) console.log(JSON.stringify(actual, null, 2));
    expect(actual).toEqual(EXPECTED_DATA);
  });
});
