import type { Summary } from './measure.js';

/** Upper bounds a row is held to: ratios ours / theirs for wall and CPU, megabytes for peak RSS. */
export interface Target {
  wall?: number;
  cpu?: number;
  rssMb?: number;
}

const seconds = (s: number) => (Number.isNaN(s) ? '   – ' : `${s.toFixed(2).padStart(6)} s`);
const megabytes = (mb: number) => (Number.isNaN(mb) ? '  – ' : `${mb.toFixed(0).padStart(4)} MB`);
const times = (r: number) => (Number.isFinite(r) ? `${r.toFixed(2)}×` : '–');
const check = (value: number, limit: number | undefined, name: string) =>
  limit === undefined || Number.isNaN(value) ? '' : ` ${name} ${value <= limit ? '✓' : '✗'} (≤ ${limit}${name === 'rss' ? ' MB' : '×'})`;

/** The messages the CLI says it exported ("… 177,459 messages …"). */
function exported(run: Summary): string {
  const count = /, ([\d,]+) messages,/.exec(run.last.stdout)?.[1];
  return count ? `, ${count} exported` : '';
}

function line(name: string, run: Summary, rate = ''): string {
  return `  ${name.padEnd(18)} wall ${seconds(run.wall)}  cpu ${seconds(run.cpu)}  peak RSS ${megabytes(run.rssMb)}${rate}`;
}

export function printRun(label: string, run: Summary, units?: number, unitName = 'msg'): void {
  console.log(`${label}${exported(run)}`);
  console.log(line('textkeeper', run, units ? `  ${Math.round(units / run.wall).toLocaleString('en-US')} ${unitName}/s` : ''));
}

export function printPair(label: string, ours: Summary, theirs: Summary, names: [string, string], ratio: { wall: number; cpu: number; rss: number }, target: Target = {}): void {
  console.log(`${label}${exported(ours)}`);
  console.log(line(names[0], ours));
  console.log(line(names[1], theirs));
  const verdict = check(ratio.wall, target.wall, 'wall') + check(ratio.cpu, target.cpu, 'cpu') + check(ours.rssMb, target.rssMb, 'rss');
  console.log(`  ${'ratio'.padEnd(18)} wall ${times(ratio.wall).padStart(8)}  cpu ${times(ratio.cpu).padStart(8)}  peak RSS ${times(ratio.rss).padStart(7)}   ${verdict.trim()}`);
}
