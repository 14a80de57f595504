// `npm run bench`: generates benchmark databases, then times whole CLI runs as a user would see them,
// printing wall seconds, messages/s and peak RSS. Not a test: nothing here asserts.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateChatDb } from '../generate/index.js';

const DIST = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const WORK = join(tmpdir(), 'textkeeper-bench');

interface Run {
  label: string;
  seconds: number;
  peakRssMb: number;
  stdout: string;
}

function timeCli(label: string, args: string[]): Run {
  const started = performance.now();
  const result = spawnSync(process.execPath, ['--import', join(DIST, 'bench', 'report-rss.js'), join(DIST, 'cli', 'main.js'), ...args], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const seconds = (performance.now() - started) / 1000;
  if (result.status !== 0) throw new Error(`${label} failed (${result.status}): ${result.stderr.slice(-2000)}`);
  // The CLI restarts itself with a heap cap: every process reports, the largest counts.
  const rss = [...result.stderr.matchAll(/textkeeper-bench peak-rss-kb (\d+)/g)].map((m) => Number(m[1]) / 1024);
  return { label, seconds, peakRssMb: Math.max(...rss), stdout: result.stdout.trim() };
}

/** The median of several runs (wall times on a shared machine wander by ±10 %), with the largest peak RSS. */
function medianOf(runs: number, once: () => Run): Run {
  const all = Array.from({ length: runs }, once).sort((a, b) => a.seconds - b.seconds);
  const middle = all[Math.floor(runs / 2)]!;
  return { ...middle, label: `${middle.label} (median of ${runs})`, peakRssMb: Math.max(...all.map((r) => r.peakRssMb)) };
}

async function database(name: string, options: Omit<Parameters<typeof generateChatDb>[0], 'path' | 'attachmentsDir'>): Promise<{ db: string; root: string }> {
  const root = join(WORK, name);
  const db = join(root, 'chat.db');
  if (!existsSync(db)) {
    mkdirSync(root, { recursive: true });
    process.stderr.write(`generating ${name} …\n`);
    await generateChatDb({ ...options, path: db, attachmentsDir: join(root, 'Attachments') });
  }
  return { db, root };
}

/** Rate per second of what the CLI says it exported ("… 177,459 messages …"), or of `units`. */
function report(run: Run, units: number, unitName: string, target: string): void {
  const exported = /, ([\d,]+) messages,/.exec(run.stdout)?.[1];
  const count = unitName === 'msg' && exported ? Number(exported.replace(/,/g, '')) : units;
  const rate = Math.round(count / run.seconds).toLocaleString('en-US');
  console.log(`${run.label.padEnd(58)} ${run.seconds.toFixed(2).padStart(7)} s  ${rate.padStart(9)} ${unitName}/s  peak RSS ${run.peakRssMb.toFixed(0).padStart(4)} MB   (target ${target})`);
}

/** Pages of the PDFs in a folder (pdfkit writes page objects uncompressed). */
function pdfPages(dir: string): number {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.pdf'))
    .reduce((sum, f) => sum + (readFileSync(join(dir, f), 'latin1').match(/\/Type \/Page\b/g)?.length ?? 0), 0);
}

const big = await database('corpus-200k', { messages: 200_000, seed: 42 });
const thread = await database('thread-20k', { messages: 20_000, seed: 43, singleConversation: true, images: 200 });
const photos = await database('photos-1k', { messages: 3_000, seed: 44, images: 1_000 });
const short = await database('thread-5k', { messages: 5_000, seed: 45, singleConversation: true, images: 50 });
const long = await database('thread-50k', { messages: 50_000, seed: 46, singleConversation: true, images: 500 });

const out = join(WORK, 'out');
const fresh = (name: string) => {
  const dir = join(out, name);
  rmSync(dir, { recursive: true, force: true });
  return dir;
};

console.log(`textkeeper benchmark on ${process.arch}, Node ${process.version}`);
report(medianOf(3, () => timeCli('txt: 200,000 messages', ['export', '--db', big.db, '--attachments-root', big.root, '--out', fresh('txt'), '--format', 'txt', '--no-progress'])), 200_000, 'msg', '≤ 3 s, ≤ 250 MB');
report(medianOf(3, () => timeCli('html (--attachments none): 200,000 messages', ['export', '--db', big.db, '--attachments-root', big.root, '--out', fresh('html'), '--format', 'html', '--attachments', 'none', '--no-progress'])), 200_000, 'msg', '≤ 6 s, ≤ 300 MB');
report(timeCli('html attachments: 1,000 images', ['export', '--db', photos.db, '--attachments-root', photos.root, '--out', fresh('photos'), '--format', 'html', '--no-progress']), 1_000, 'img', 'report images/s');
for (const [label, source, target] of [
  ['pdf: one 20,000-message thread, 200 images', thread, '≤ 10 s, ≤ 300 MB'],
  ['pdf: one 5,000-message thread, 50 images', short, 'RSS flat in length'],
  ['pdf: one 50,000-message thread, 500 images', long, 'RSS flat in length'],
] as const) {
  const dir = fresh('pdf');
  const run = timeCli(label, ['export', '--db', source.db, '--attachments-root', source.root, '--out', dir, '--format', 'pdf', '--no-progress']);
  report(run, 0, 'msg', target);
  console.log(`${''.padEnd(58)} ${pdfPages(dir).toLocaleString('en-US')} pages, ${Math.round(pdfPages(dir) / run.seconds)} pages/s`);
}
