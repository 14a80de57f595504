// `npm run bench [-- --only txt,html --runs 3]`: times whole CLI runs as a user would see them, side by side
// with imessage-exporter (../shared/reference) and headless Chromium when they are present, and prints
// wall, CPU and peak RSS with their ratios. Not a test: nothing here asserts.
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { database, DATABASES, OUT, withoutNewest, type BenchDatabase } from './databases.js';
import { alternate, canMeasureCpu, EXTRA_CA_CERTS, measure, repeat, type Summary } from './measure.js';
import { comparePdf, oneConversation, pdfRow } from './pdf-rows.js';
import { ourExport, reference, REFERENCE, referenceRow } from './reference-rows.js';
import { printPair, printRun, type Target } from './print.js';

const USAGE = 'usage: npm run bench [-- --only txt,html,... --runs N]';
const out = (name: string) => join(OUT, name);

const TXT: Target = { wall: 0.7, cpu: 1.4, rssMb: 250 };
const HTML: Target = { wall: 0.7, cpu: 1.4, rssMb: 300 };
/** The 200k txt+html first run, measured once for both archive rows. */
let archive200kFirst: Summary | undefined;
const share = (part: number, whole: number) => `${((part / whole) * 100).toFixed(1)} %`;

const ROWS: Record<string, () => Promise<void>> = {
  async txt() {
    const db = await DATABASES.corpus200k();
    await referenceRow('txt: 200,000 messages', db, 'txt', runs, TXT);
  },
  /** The same work on both sides: imessage-exporter's txt names each attachment's file where it is, and copies none. */
  async 'txt-linked'() {
    await referenceRow('txt (--attachments link, no copies, as the reference): 200,000 messages', await DATABASES.corpus200k(), 'txt', runs, TXT, ['--attachments', 'link']);
  },
  async html() {
    await referenceRow('html (--attachments none): 200,000 messages', await DATABASES.corpus200k(), 'html', runs, HTML);
  },
  async ndjson() {
    const run = repeat(runs, ourExport(await DATABASES.corpus200k(), 'ndjson', out('ndjson')));
    printRun('ndjson: 200,000 messages (target ≤ 4 s, ≤ 250 MB)', run, 200_000);
  },
  async 'txt-1m'() {
    const db = await DATABASES.corpus1m();
    // Our 200k txt export is run in every turn beside the 1M pair: its growth is a ratio of the same moments.
    const small = ourExport(await DATABASES.corpus200k(), 'txt', out('txt'));
    const { overBeside } = await referenceRow('txt: 1,000,000 messages, 400 conversations', db, 'txt', runs, TXT, [], small);
    console.log(`  1M / 200k wall: ${overBeside!.toFixed(2)}× (median of the turns' ratios, our 200k txt run in each)  (target ≤ 5×)`);
  },
  async threads() {
    const db = await DATABASES.corpus200k();
    for (const format of ['txt', 'html'] as const) {
      const extra = format === 'html' ? ['--attachments', 'none'] : [];
      const threads = (n: number) => ourExport(db, format, out(`${format}-${n}`), [...extra, '--threads', String(n)]);
      const { ours: two, theirs: one, ratio } = alternate(runs, threads(2), threads(1));
      printPair(`${format}: 200,000 messages, 2 threads against 1, alternating (target: ≥ 1.7× faster)`, two, one, ['2 threads', '1 thread'], ratio, { wall: 0.59 });
    }
  },
  async photos() {
    const db = await DATABASES.photos();
    printRun('html attachments: 1,000 images', repeat(1, ourExport(db, 'html', out('photos'), ['--attachments', 'copy'])), 1_000, 'images');
  },
  async pdf() {
    await comparePdf('pdf: one 20,000-message thread, 200 images', await DATABASES.thread20k(), [], runs, 'pages/s', 3);
    const sample: BenchDatabase = { db: join(REPO, 'sample-data', 'chat.db'), root: join(REPO, 'sample-data') };
    const mom = oneConversation(sample, ['--contacts', join(REPO, 'sample-data', 'contacts.vcf')], 'Mom');
    await comparePdf('pdf: the sample\'s "Mom" conversation', sample, mom, runs, 'time', 0.5);
  },
  /** An archive folder exported into again with nothing changed: the re-run's share of the first run. */
  async archive() {
    const corpus200k = await DATABASES.corpus200k();
    const histories = [
      ['6,000 messages', await database('history-6k', { messages: 6_000, seed: 48, images: 60 }), 10],
      ['200,000 messages', corpus200k, 5],
    ] as const;
    for (const [label, db, target] of histories) {
      const first = ourExport(db, 'txt,html', out('archive'));
      // Both sides of the share are medians: a single first run moved it by a point either way.
      const firstRun = repeat(runs, first);
      if (db === corpus200k) archive200kFirst = firstRun;
      const again = repeat(runs, { ...first, before: undefined });
      printRun(`archive, first run, txt+html: ${label}`, firstRun);
      printRun(`archive, unchanged re-run, txt+html: ${label}`, again);
      console.log(`  re-run / first run: wall ${share(again.wall, firstRun.wall)}, cpu ${share(again.cpu, firstRun.cpu)}  (target ≤ ${target} %)`);
    }
  },
  /**
   * An archive exported into again after the device gained its newest 8,000 messages (4 %), as a re-run a few
   * months later finds it: the re-run's share of a first run of the same database.
   */
  async 'archive-changed'() {
    const full = await DATABASES.corpus200k();
    mkdirSync(join(OUT, 'device'), { recursive: true });
    const older = join(OUT, 'older-chat.db');
    copyFileSync(full.db, older);
    withoutNewest(older, 8_000);
    const device: BenchDatabase = { db: join(OUT, 'device', 'chat.db'), root: full.root };
    const first = ourExport(device, 'txt,html', out('archive-changed'));
    const firstRun = (archive200kFirst ??= repeat(runs, {
      ...first,
      before() {
        first.before!();
        copyFileSync(full.db, device.db);
      },
    }));
    const rerun = repeat(runs, {
      ...first,
      before() {
        copyFileSync(older, device.db);
        measure(first);
        copyFileSync(full.db, device.db);
      },
    });
    printRun('archive, first run, txt+html: 200,000 messages', firstRun);
    printRun('archive, re-run after the device gained 8,000 messages (4 %), txt+html', rerun);
    console.log(`  re-run / first run: wall ${share(rerun.wall, firstRun.wall)}, cpu ${share(rerun.cpu, firstRun.cpu)}`);
  },
  async 'pdf-length'() {
    for (const [label, db] of [['5,000', await DATABASES.thread5k()], ['50,000', await DATABASES.thread50k()]] as const) {
      pdfRow(`pdf: one ${label}-message thread (RSS flat in length)`, db);
    }
  },
};

const REPO = join(import.meta.dirname, '..', '..');
const { values } = argumentsOrExit();
const runs = Number(values.runs);
const only = values.only?.split(',').map((s) => s.trim()) ?? Object.keys(ROWS);
const unknown = only.filter((name) => !ROWS[name]);
if (unknown.length > 0) {
  console.error(`--only: unknown row ${unknown.join(', ')}; choose from ${Object.keys(ROWS).join(', ')}`);
  process.exit(1);
}
console.log(`textkeeper benchmark on ${process.arch}, Node ${process.version}; medians of ${runs} runs (pairs alternate ours, theirs)`);
if (!reference()) console.log(`note: ${REFERENCE} is absent: rows are not compared with imessage-exporter`);
if (process.env[EXTRA_CA_CERTS]) console.log(`note: commands are timed without ${EXTRA_CA_CERTS}, which is set here (it makes every Node start read a CA bundle)`);
if (!canMeasureCpu) console.log('note: /usr/bin/time (GNU time) is absent: CPU and peak RSS are not measured');
for (const name of only) await ROWS[name]!();
rmSync(OUT, { recursive: true, force: true });

/** The command line's options; `--help` prints the usage, and a word it does not know ends the run with one line. */
function argumentsOrExit() {
  try {
    const parsed = parseArgs({ options: { only: { type: 'string' }, runs: { type: 'string', default: '3' }, help: { type: 'boolean' } } });
    if (parsed.values.help) {
      console.log(`${USAGE}; rows: ${Object.keys(ROWS).join(', ')}`);
      process.exit(0);
    }
    if (!/^[1-9]\d*$/.test(parsed.values.runs)) throw new Error(`--runs ${parsed.values.runs}: give a whole number of runs`);
    return parsed;
  } catch (error) {
    console.error(`bench: ${(error as Error).message} (${USAGE})`);
    process.exit(1);
  }
}
