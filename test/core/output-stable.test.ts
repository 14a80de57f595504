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
// Last changed on purpose: the generator writes polls (a poll, its question, an option added, votes) in a sample's last rows, which no longer hold the messages they held (the rows before them are unchanged). Before that: the generator's typo of a one-word edited text repeats its last whole character (it split an emoji). Before that: a part edited, then unsent, says when its last version was written (txt, HTML, JSON, NDJSON). Before that: CSV gives each message's subject and send effect in two columns at the end. Before that: a time New York shows twice (the night the clocks go back) carries its offset (01:30 -04:00). Before that: CSV gives a sticker's description after its file. Before that: the search index holds transcriptions, sticker descriptions, link summaries and earlier versions. Before that: style.css places a group photo change's photo. Before that: style.css keeps the line breaks of an app balloon's texts. Before that: txt gives a delivery beside the reading and a voice message's playing. Before that: the note under an SMS or RCS message names its service. Before that: an edited part says when it took its present wording and an unsent one when it was unsent (txt, HTML, JSON, NDJSON). Before that: search.js folds ß, æ, ø and the like as typed without them (ss, ae, o). Before that: search.js finds a phone number however the query writes it. Before that: a web address in a message's plain text is a link in HTML (as in PDFs). Before that: search.js places a result's snippet and marks by where each folded character came from. Before that: app.js notes a video or voice message the browser cannot play. Before that: the search index keeps a message's whole text (it was cut at 2,000 characters). Before that:
// the generator draws its images' captions as outlines of the bundled Noto Sans, not
// with the machine's fonts (installing an emoji font changed the images, so every size shown). Before that: search.js keeps the index it loaded and runs a query typed on its page over it. Before that:
// it fetches every chunk of the index at once (run in order); the owner acting in a group event is "You" under the default name ("You named the
// conversation …", was "Me named …") in every format; style.css keeps a chart legend's swatch with its name; and the
// HTML chart's year labels are spaced as the PDF's (a first year that starts late is not drawn over the next); and
// the generator's group events are done by someone other than the member concerned (the data itself changed).
const EXPECTED: Record<string, string> = {
  '*.txt': '08c332117eba21df9b2e82a4a5856b5c75ed275227ca4fd4c48066f5710fa358',
  'assets/': 'd5c1a0360f183cc1bee6ded0459338e7dbf90401cd30eb411b97c17631ac3f01',
  'conversations/': '1ba827541971e6ce88bb24d8ab516d26accea311bb96b842f201050b9911712c',
  'index.html': '9b05d92fda79d28913d3a6acbd96b9706ffcaf68e1487b3fef396cc7bd9d1c04',
  'search.html': '3425161f5801af7719441c8f4691761d907ce243eb86bb59f461814d2f66a87e',
  'search/': '87b6dfb2c2596ecd535f3aede7822c3a07476f69b256525a6285a48b41376e41',
};

const EXPECTED_DATA: Record<string, string> = {
  '*.csv': 'd46e4553ad1d40ac18efb806a53359c3c3cd2c2e7c8e31f4b27c9bf583c69a91',
  '*.json': 'd0937396760762e5deab699270952f071929c133611c32275c5efbacdf92da93',
  'messages.ndjson': '29e7753969a7d02d232a3242ef230b26ab434850354dc67b8a90c61e774c7b64',
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
    expect(result.stdout).toContain('17,711 messages');
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
