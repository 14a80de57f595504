import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchDatabase } from './databases.js';
import { OUT } from './databases.js';
import { alternate, inTurn, medianRatio, summarize, type Command, type Summary } from './measure.js';
import { printPair, printRun, type Target } from './print.js';

export type { Target };
const REPO = join(import.meta.dirname, '..', '..');
export const CLI = join(REPO, 'dist', 'cli', 'main.js');
export const REFERENCE = process.env.IMESSAGE_EXPORTER ?? join(REPO, '..', 'shared', 'reference', 'imessage-exporter');

/** The imessage-exporter binary to compare with, when present. */
export function reference(): string | undefined {
  return existsSync(REFERENCE) ? REFERENCE : undefined;
}

/** Output folders are removed before each run: both tools want an empty one. */
const clear = (dir: string) => () => rmSync(dir, { recursive: true, force: true });

export function ourExport(db: BenchDatabase, format: string, outDir: string, extra: string[] = []): Command {
  const args = [CLI, 'export', '--db', db.db, '--attachments-root', db.root, '--out', outDir, '--format', format, '--no-progress', ...extra];
  return { file: process.execPath, args, before: clear(outDir) };
}

function theirExport(binary: string, db: BenchDatabase, format: string, outDir: string): Command {
  const copy = format === 'html' ? ['-c', 'disabled'] : [];
  return { file: binary, args: ['-f', format, ...copy, '-p', db.db, '-a', 'macOS', '-r', db.root, '-o', outDir], before: clear(outDir) };
}

/**
 * Our export against imessage-exporter's of the same database and format (HTML without attachments; our
 * options `extra`, by default ours as a user runs it); a command `beside` ours is run in every turn too, and the
 * result has our wall over its (see `Pair.overBeside`).
 */
export async function referenceRow(label: string, db: BenchDatabase, format: 'txt' | 'html', runs: number, target: Target, extra = format === 'html' ? ['--attachments', 'none'] : [], beside?: Command): Promise<{ ours: Summary; overBeside?: number }> {
  const ours = ourExport(db, format, join(OUT, `ours-${format}`), extra);
  const binary = reference();
  if (!binary) {
    const [run, besideRuns] = inTurn(runs, beside ? [ours, beside] : [ours]);
    const summary = summarize(run!);
    printRun(`${label} (not compared: imessage-exporter is absent)`, summary);
    return { ours: summary, overBeside: besideRuns && medianRatio(run!, besideRuns) };
  }
  const pair = alternate(runs, ours, theirExport(binary, db, format, join(OUT, `theirs-${format}`)), beside);
  printPair(label, pair.ours, pair.theirs, ['textkeeper', 'imessage-exporter'], pair.ratio, target);
  return pair;
}
