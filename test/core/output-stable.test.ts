import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateApart, runCli, tempDir } from '../support/cli.js';

/**
 * Speed work must not change a byte of what is written: a full 20,000-message export to txt and HTML (and
 * one to NDJSON, JSON and CSV) is compared, group by group, with digests of the output made before it. When the output or the generator
 * changes on purpose, print the new digests with `UPDATE_OUTPUT_DIGESTS=1 npx vitest run
 * test/core/output-stable.test.ts` (after `npx tsc -p tsconfig.json`) and paste them below; the commit says why
 * (`git log -p test/core/output-stable.test.ts` gives every change of the digests and its reason).
 */
const EXPECTED: Record<string, string> = {
  '*.txt': '85c0d759ea23c0717a118b6ff605da421b014c40c04ab793a116d8132d5092c0',
  'assets/': 'd77e0f0d95ded90e453c5ebe9ec2b3f8e2a147dc826c719d17367ece6cba53d0',
  'conversations/': 'a2feac0c32110bc7895593b77c362bd41b81c6f0e6af6e9abca751cfa974f354',
  'index.html': '72dfc1f49f0552130d550eaab1768541e2bc8580874776bd70ac2c12b0da6f37',
  'search.html': 'f0d91787a6653ef6ee72acb45d333d05bc8339f1e11b3314d8b4cb77f360ff3b',
  'search/': '03d0f5e859be541b5a01e64d997beffd2b0b53ab6bbb7990792fc711b55b9e7a',
};

const EXPECTED_DATA: Record<string, string> = {
  '*.csv': 'd154d54327330bd44688403b96309ef56ac5081cb2d135c6cfca41418a4b990c',
  '*.json': '32a26bf24dabb6c6c2044d9b4427e5faa0a097da4c940a8d5df85987af61a303',
  'messages.ndjson': '1a5012d92fb52c14e0c973343705a0c403ef0e9140083c6a6656848577f9c8b2',
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
    expect(result.stdout).toContain('17,698 messages');
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
