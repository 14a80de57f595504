import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { OUT, type BenchDatabase } from './databases.js';
import { alternate, measure, repeat, type Command, type Summary } from './measure.js';
import { printRun } from './print.js';
import { CLI, ourExport } from './reference-rows.js';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

/** Pages of the PDFs in a folder, by pdfinfo when installed (Chromium compresses its page objects). */
export function pdfPages(dir: string): number {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.pdf'))
    .reduce((sum, f) => sum + pagesOf(join(dir, f)), 0);
}

function pagesOf(file: string): number {
  const info = spawnSync('pdfinfo', [file], { encoding: 'utf8' });
  const pages = /^Pages:\s+(\d+)/m.exec(info.stdout ?? '')?.[1];
  return pages ? Number(pages) : (readFileSync(file, 'latin1').match(/\/Type \/Page\b/g)?.length ?? 0);
}

function chromiumMissing(): string | undefined {
  if (!existsSync(CHROMIUM)) return `${CHROMIUM} is absent`;
  try {
    import.meta.resolve('playwright-core');
    return undefined;
  } catch {
    return 'playwright-core is not installed';
  }
}

/** Chromium's version ("Chromium 156.0.8078.114"), shown with its times: the PDF rows' ratios are against that build. */
function chromiumVersion(): string {
  const said = spawnSync(CHROMIUM, ['--version'], { encoding: 'utf8' }).stdout ?? '';
  return /^\S+ [\d.]+/.exec(said.trim())?.[0] ?? 'version unknown';
}

const pagesPerSecond = (pages: number, run: Summary) => `  ${pages.toLocaleString('en-US')} pages, ${Math.round(pages / run.wall)} pages/s`;

export function pdfRow(label: string, db: BenchDatabase, extra: string[] = [], runs = 1): void {
  const dir = join(OUT, 'pdf');
  const run = repeat(runs, ourExport(db, 'pdf', dir, extra));
  printRun(label, run);
  console.log(pagesPerSecond(pdfPages(dir), run));
}

/**
 * `--chat` with the id of the one-to-one conversation of this title: a name alone also chooses the
 * groups that person is in, which would make our side export more than the one conversation Chromium prints.
 */
export function oneConversation(db: BenchDatabase, extra: string[], title: string): string[] {
  const listed = spawnSync(process.execPath, [CLI, 'list', '--db', db.db, '--json', ...extra], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const conversations = JSON.parse(listed.stdout) as { id: string; title: string; isGroup: boolean }[];
  const chosen = conversations.find((c) => c.title === title && !c.isGroup);
  if (!chosen) throw new Error(`bench: no one-to-one conversation titled ${title} in ${db.db}`);
  return [...extra, '--chat', chosen.id, '--exact'];
}

/** The HTML pages of the (one) conversation exported with `extra`, made once, untimed. */
function htmlPages(db: BenchDatabase, extra: string[]): string[] {
  const dir = join(OUT, 'pdf-html');
  measure(ourExport(db, 'html', dir, extra));
  const [folder] = readdirSync(join(dir, 'conversations')).map((name) => join(dir, 'conversations', name));
  const number = (file: string) => Number(/p(\d+)\.html$/.exec(file)![1]);
  return readdirSync(folder!).filter((f) => /^p\d+\.html$/.test(f)).sort((a, b) => number(a) - number(b)).map((f) => join(folder!, f));
}

/**
 * Our PDF of one conversation against headless Chromium printing our HTML of it, browser start included:
 * compared by pages per second (`at least` times Chromium's) or by time (`at most` its fraction).
 */
export async function comparePdf(label: string, db: BenchDatabase, extra: string[], runs: number, by: 'pages/s' | 'time', limit: number): Promise<void> {
  const missing = chromiumMissing();
  if (missing) {
    pdfRow(`${label} (not compared: ${missing})`, db, extra, runs);
    return;
  }
  const ourDir = join(OUT, 'pdf');
  const theirDir = join(OUT, 'chromium');
  const printing: Command = {
    file: process.execPath,
    args: [join(import.meta.dirname, 'print-html.js'), CHROMIUM, theirDir, ...htmlPages(db, extra)],
    before: () => {
      rmSync(theirDir, { recursive: true, force: true });
      mkdirSync(theirDir, { recursive: true });
    },
  };
  const pair = alternate(runs, ourExport(db, 'pdf', ourDir, extra), printing);
  const [ours, theirs] = [pdfPages(ourDir), pdfPages(theirDir)];
  printRun(label, pair.ours);
  console.log(pagesPerSecond(ours, pair.ours));
  console.log(`  ${chromiumVersion()} printing our HTML: wall ${pair.theirs.wall.toFixed(2)} s, cpu ${pair.theirs.cpu.toFixed(2)} s, peak RSS ${pair.theirs.rssMb.toFixed(0)} MB`);
  console.log(pagesPerSecond(theirs, pair.theirs));
  const ratio = by === 'pages/s' ? ours / theirs / pair.ratio.wall : pair.ratio.wall;
  const met = by === 'pages/s' ? ratio >= limit : ratio <= limit;
  console.log(`  ratio: ${by === 'pages/s' ? 'pages/s' : 'time'} ${ratio.toFixed(2)}× Chromium's  ${met ? '✓' : '✗'} (${by === 'pages/s' ? '≥' : '≤'} ${limit}×)`);
}
