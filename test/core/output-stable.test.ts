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
// Last changed on purpose: the owner acting in a group event is "You" under the default name ("You named the
// conversation …", was "Me named …") in every format; style.css keeps a chart legend's swatch with its name; and the
// HTML chart's year labels are spaced as the PDF's (a first year that starts late is not drawn over the next).
const EXPECTED: Record<string, string> = {
  '*.txt': '96ca33aa77e86422874f96cfce7be3ec716a51a92112a486407fde2126b5f823',
  'assets/': 'ebd6ed200d7a78644e891c1cf0b1580824cae02242ee411672b07dcfccfbef1d',
  'conversations/': '400629f8d15d5e697b554fbf96908117e0a233c48b3b271676ef3b77817e6d41',
  'index.html': '210e6c572102c117a8ded41049997a425322b50a157d5512c0c5165c8b447274',
  'search.html': '3425161f5801af7719441c8f4691761d907ce243eb86bb59f461814d2f66a87e',
  'search/': '8e2c0240eb17357ab32edff0c71e0b5849fd4ceefe4798cb43c5a633a6f11eed',
};

const EXPECTED_DATA: Record<string, string> = {
  '*.csv': '700e2c0659885e6d0a89ac9caa0a320e2a6fe30ce4660ac4015f1081cef34f03',
  '*.json': '6a53353d166d830dee720bdbde8cba88fe549fe4a0f92f8d7622d42bfe342067',
  'messages.ndjson': '3151e4f103d0579f2146000107165967369e2fadbea28b81b0fbd55a31ff1dba',
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
