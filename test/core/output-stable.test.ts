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
// Last changed on purpose: a group member chat_handle_join still lists whose newest membership event says they left or were removed is marked so, after the members, in txt and HTML headers and JSON (the generator's events leave chat_handle_join as it was; titles and file names stay); and the note line of a message filed as junk is in the alert colour in HTML (class junk, style.css). Before that: the generator files two one-to-one texts as junk (is_spam) and sends two over satellite (iMessageLite, SatelliteSMS) without drawing a random number, which every format marks ("Junk", "iMessage via satellite"; JSON's junk and satellite, CSV's satellite and junk columns at the end), and a group's former members are marked in its headers ("(left the group)", JSON's former). Before that: style.css gives the note under a message that did not go out (Not Delivered, Scheduled, not sent) the alert colour. Before that: CSV has an undelivered column at the end ("failed" for a message Messages says was Not Delivered). Before that: the HTML activity chart's drawing is hidden from screen readers (its year labels were read into the image's name) and a "Messages per year" table by sender follows it. Before that: each day's messages on a conversation page are a list (<ol>, a message or event an <li>), laid out as before. Before that: a picture's alt text says what it is ("Photo IMG_0412.JPG", "Sticker …"). Before that: style.css no longer fades the small print of link cards, polls and earlier versions (under 4.5:1). Before that: the index and conversation pages hold their content in one main region (a conversation's heading in it, no second banner), a conversation page starts with a "Skip to the messages" link. Before that: HTML says "Reply to" before a reply's quote to a screen reader. Before that: HTML says a tapback to a screen reader as a sentence (who reacted how, when), its badge hidden from it. Before that: with --attachments none, HTML names a file missing from the computer as such (it said only "not exported"). Before that: style.css lets a tapback's sticker keep its shape when the page gives its size (height: auto). Before that: a long text bubble (over 800 characters or 12 line breaks) is marked "long" and printed cut across sheets, not moved whole to a sheet of its own. Before that: style.css lets tapbacks wider than their bubble run toward the middle of the page, not past its edge. Before that: search.js finds the terms it marks in a result in its whole text, not in the part shown. Before that: search.js finds a single letter or digit as a word of its own ("a", "plan b"), and marks it so. Before that: a run of messages whose sender the page shows by its bubbles names them to a screen reader only. Before that: the search index leaves out a sticker's file name (a UUID). Before that: search.js finds a number typed with its country code as written at home. Before that: style.css gives a problem's note a lighter orange in the dark scheme (8.1:1 on black). Before that: the chart legend's swatches are hidden from screen readers; print lays messages out as blocks, in the light scheme, the index keeping its heading; the ring of a message jumped to is amber; search.js takes a phone number typed with spaces as one and keeps the chosen order in the history. Before that: style.css darkens the blue and green of sent bubbles (white text on them 4.8:1 and 5.0:1). Before that: CSV has a damaged_sources column at the end (empty when every source is sound). Before that: search.js shows a phrase typed in quotes in its status line's quotes alone. Before that: search.js lists as many again on coming back to a query. Before that: the search page lists matches past the first 500 with Show more. Before that: style.css prints which page a page is. Before that: style.css prints what a closed <details> holds. Before that: search.js finds words in quotes together. Before that: search.js finds a curly apostrophe by a straight one. Before that: the index keeps a conversation's dates on one line. Before that: style.css lays out each paragraph of a message in its own direction. Before that: style.css wraps a word longer than the line (a long e-mail address naming a conversation), a chart legend's name too. Before that: HTML shows a poll's options, each with a meter of its votes, its voters (when each voted, on hover) and who added it; its options are in the search index. Before that: a poll's votes and options added are folded into it (no messages of their own; 17,711 -> 17,698), which txt and the data formats' text give as "[Poll]" and a line per option with its voters, JSON and NDJSON as app.poll. Before that: the generator writes polls (a poll, its question, an option added, votes) in a sample's last rows, which no longer hold the messages they held (the rows before them are unchanged). Before that: the generator's typo of a one-word edited text repeats its last whole character (it split an emoji). Before that: a part edited, then unsent, says when its last version was written (txt, HTML, JSON, NDJSON). Before that: CSV gives each message's subject and send effect in two columns at the end. Before that: a time New York shows twice (the night the clocks go back) carries its offset (01:30 -04:00). Before that: CSV gives a sticker's description after its file. Before that: the search index holds transcriptions, sticker descriptions, link summaries and earlier versions. Before that: style.css places a group photo change's photo. Before that: style.css keeps the line breaks of an app balloon's texts. Before that: txt gives a delivery beside the reading and a voice message's playing. Before that: the note under an SMS or RCS message names its service. Before that: an edited part says when it took its present wording and an unsent one when it was unsent (txt, HTML, JSON, NDJSON). Before that: search.js folds ß, æ, ø and the like as typed without them (ss, ae, o). Before that: search.js finds a phone number however the query writes it. Before that: a web address in a message's plain text is a link in HTML (as in PDFs). Before that: search.js places a result's snippet and marks by where each folded character came from. Before that: app.js notes a video or voice message the browser cannot play. Before that: the search index keeps a message's whole text (it was cut at 2,000 characters). Before that:
// the generator draws its images' captions as outlines of the bundled Noto Sans, not
// with the machine's fonts (installing an emoji font changed the images, so every size shown). Before that: search.js keeps the index it loaded and runs a query typed on its page over it. Before that:
// it fetches every chunk of the index at once (run in order); the owner acting in a group event is "You" under the default name ("You named the
// conversation …", was "Me named …") in every format; style.css keeps a chart legend's swatch with its name; and the
// HTML chart's year labels are spaced as the PDF's (a first year that starts late is not drawn over the next); and
// the generator's group events are done by someone other than the member concerned (the data itself changed).
const EXPECTED: Record<string, string> = {
  '*.txt': '9f082f256f70061b4effafcd444a8eaafd91ed1d0416db9cc47c78d32d694be8',
  'assets/': 'b885000ca7223e809db8b20a44b7a971787865c6310bd4d18701254f3e065cb8',
  'conversations/': '3d9af10d6c665fecc4479a7a6a79edb7d9e25964e342ad00ea25cd3190ca0aed',
  'index.html': '83fd8c320a602ab3d7d00d47f1596d6c569d018ee6df46cecd17e366803c49e8',
  'search.html': '2b15e6af0a21bd815e9ddbca70c3b7d2dee8c043027219ad3a77ec607a53a343',
  'search/': 'a96e46247d0eaea4cf48e4500e4687a5bb1e68f0e2a59d75f3ee00812e44f158',
};

const EXPECTED_DATA: Record<string, string> = {
  '*.csv': '7725eddc7ffe3d82a7cae9d87a19c2a0b54240f31be930a135035b39815e53de',
  '*.json': '615bb8e527ebfef322053086825e009dea12caed1e619a441cff3db87e32643c',
  'messages.ndjson': 'e575c893db1000f521498259567edd581fc3da89a03f02676923fab1c614ec8f',
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
