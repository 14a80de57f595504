// How the bench times a command: wall, CPU (user+sys) and peak RSS of the whole process tree, as GNU time
// reports them; alternating pairs of runs and their medians.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const GNU_TIME = '/usr/bin/time';

export interface Measured {
  wall: number;
  /** User + system seconds; NaN without GNU time. */
  cpu: number;
  /** Peak resident memory in MB of the largest process; NaN without GNU time. */
  rssMb: number;
  stdout: string;
}

export interface Command {
  file: string;
  args: string[];
  /** Run before every measured run, unmeasured (e.g. removing the output folder). */
  before?: () => void;
}

export const canMeasureCpu = existsSync(GNU_TIME);

/**
 * Set on some machines (this project's sandboxes among them) for tools that make TLS connections; Node then
 * reads the whole CA bundle at every start (40 ms here: 0.06 → 0.10 s for `node -e 0`). Neither tool connects
 * anywhere, and a Mac user's shell does not set it, so commands are timed without it.
 */
export const EXTRA_CA_CERTS = 'NODE_EXTRA_CA_CERTS';
const timedEnv = { ...process.env, [EXTRA_CA_CERTS]: undefined };

export function measure(command: Command): Measured {
  command.before?.();
  const scratch = mkdtempSync(join(tmpdir(), 'textkeeper-bench-time-'));
  const report = join(scratch, 'time.txt');
  const [file, args] = canMeasureCpu
    ? [GNU_TIME, ['-f', '%U %S %M', '-o', report, command.file, ...command.args]]
    : [command.file, command.args];
  const started = performance.now();
  const result = spawnSync(file, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: timedEnv });
  const wall = (performance.now() - started) / 1000;
  try {
    if (result.status !== 0) throw new Error(`${command.file} ${command.args.join(' ')} failed (${result.status}): ${result.stderr.slice(-2000)}`);
    const [user, sys, rssKb] = canMeasureCpu ? readFileSync(report, 'utf8').trim().split('\n').pop()!.split(' ').map(Number) : [NaN, NaN, NaN];
    return { wall, cpu: user! + sys!, rssMb: rssKb! / 1024, stdout: result.stdout };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export interface Summary {
  wall: number;
  cpu: number;
  rssMb: number;
  last: Measured;
}

export function summarize(runs: Measured[]): Summary {
  return { wall: median(runs.map((r) => r.wall)), cpu: median(runs.map((r) => r.cpu)), rssMb: Math.max(...runs.map((r) => r.rssMb)), last: runs.at(-1)! };
}

export interface Pair {
  ours: Summary;
  theirs: Summary;
  /** Medians of the per-pair ratios ours / theirs (a pair shares the machine's mood of the moment). */
  ratio: { wall: number; cpu: number; rss: number };
  /** With a command run beside ours in every turn: the median of the per-turn ratios of our wall to its. */
  overBeside?: number;
}

/** The commands in turn, `runs` times over, so that each sees the same load of the machine: what each measured. */
export function inTurn(runs: number, commands: Command[]): Measured[][] {
  const measured = commands.map((): Measured[] => []);
  for (let i = 0; i < runs; i++) commands.forEach((command, k) => measured[k]!.push(measure(command)));
  return measured;
}

/** The median of the per-turn ratios of `a`'s `key` to `b`'s. */
export function medianRatio(a: Measured[], b: Measured[], key: 'wall' | 'cpu' | 'rssMb' = 'wall'): number {
  return median(a.map((m, i) => m[key] / b[i]![key]));
}

/** `runs` pairs, ours first then theirs in each, so both see the same load; `beside` after them in each turn. */
export function alternate(runs: number, ours: Command, theirs: Command, beside?: Command): Pair {
  const [a, b, c] = inTurn(runs, beside ? [ours, theirs, beside] : [ours, theirs]);
  return {
    ours: summarize(a!),
    theirs: summarize(b!),
    ratio: { wall: medianRatio(a!, b!), cpu: medianRatio(a!, b!, 'cpu'), rss: medianRatio(a!, b!, 'rssMb') },
    overBeside: c && medianRatio(a!, c),
  };
}

export function repeat(runs: number, command: Command): Summary {
  return summarize(Array.from({ length: runs }, () => measure(command)));
}
