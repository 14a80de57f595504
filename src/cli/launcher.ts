import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import v8 from 'node:v8';
import { systemReason, type RunSignal } from '../errors.js';
import { expandHome } from '../home-path.js';
import { ownedName, REMOVE_FOLDER, RUN_TEMP, tempFolderUnusable } from '../sources/temp-dir.js';
import { STORE_FILE } from '../store/file-names.js';

/**
 * V8 grows its heap lazily, far beyond what a streaming export keeps alive; a cap keeps peak memory
 * flat (measured on a 20,000-message PDF: 353 MB → 284 MB, at a few percent of speed). Node takes the
 * cap only as a start-up flag, so the command line starts itself once more with it. When photos are
 * decoded (PDF, and HTML with attachments) the restart also limits glibc's malloc arenas: with one per
 * image-decoding thread, memory fragmented in step with the number of photos (a 100,000-message PDF:
 * 330 MB → 275 MB; a 200,000-message HTML export: 278 MB → 251 MB); text exports only got slower with it.
 */
const HEAP_CAP_MB = 160;
/**
 * The young generation is where nearly every object of an export is born and dies. V8 lets it grow to
 * 2 × 16 MB per thread; 8 MB halves that (a 200,000-message text export: 260 → 222 MB), and since
 * little outlives a batch of rows, collecting it twice as often costs only a few percent.
 */
const SEMI_SPACE_MB = 8;


/**
 * V8 collects garbage and compiles on a pool of helper threads, four by default. Export threads keep
 * every core busy, so more helpers only preempt them: on 2 cores, one helper made a text export 8 % faster.
 */
const HELPER_POOL_SIZE = 1;

/**
 * How much a function runs before V8 compiles it optimized: eight times V8's default (67,584 bytes of
 * bytecode). By default V8 optimizes many functions that then run for moments, and on the one helper
 * thread that compilation took 1.4 s of CPU in a 2.4 s one-conversation PDF, with every core busy.
 * Measured against the default (medians, alternating runs on 2 cores): the sample's largest PDF 2.40 →
 * 2.21 s wall (CPU 4.1 → 3.5 s); a 200,000-message txt export CPU 12.6 → 12.0 s; HTML 18.2 → 15.6 s.
 */
const INTERRUPT_BUDGET = 8 * 67_584;
const BUDGET_FLAG = `--interrupt-budget=${INTERRUPT_BUDGET}`;

/** Node's flags for the restart with the heap cap. */
export const RESTART_FLAGS = [`--max-old-space-size=${HEAP_CAP_MB}`, `--max-semi-space-size=${SEMI_SPACE_MB}`, `--v8-pool-size=${HELPER_POOL_SIZE}`, BUDGET_FLAG];

/** Whether this process is the restart with the heap cap. */
export const restarted = (): boolean => process.execArgv.includes(RESTART_FLAGS[0]!);

/**
 * Of the restart's flags, only the optimizing budget can still be set in a running process: it is set here,
 * before the command line loads, so that a run not restarted (small input) has it too (the 6,000-message
 * bench history's first txt+html run, 7 alternating pairs: wall 1.14 → 0.92 s, CPU 1.97 → 1.47 s).
 */
export function setOptimizingBudget(): void {
  v8.setFlagsFromString(BUDGET_FLAG);
}

/**
 * Databases (the sources' and the archive's store) up to this size together are read without the
 * restart: starting Node a second time costs a tenth of a second, the larger part of an unchanged re-run
 * of a small history, and what the cap and the arenas save there is small. Measured on a 6,000-message
 * history (6 MB chat.db, 5 MB store), peak RSS restarted / not: a first txt run 126–129 / 128–132 MB,
 * a first txt+html run (238 photos) 202–217 / 246–260 MB, an unchanged re-run 79 / 80 MB.
 */
const SMALL_INPUT_BYTES = 16 * 1024 * 1024;

/** Whether this process runs as the command line needs: with the heap cap, or without where it cannot matter. */
export function startedAsNeeded(argv: string[]): boolean {
  const flags = [...process.execArgv, process.env.NODE_OPTIONS ?? ''].join(' ');
  return flags.includes('--max-old-space-size') || !mayNeedHeapCap(argv.slice(2));
}

/**
 * Only commands that read messages may need the cap (not --help, --version or verify), and of them only
 * those reading large databases, an iPhone backup or the Mac's own database, or drawing PDFs (whose
 * photos fill the arenas whatever the database's size).
 */
export function mayNeedHeapCap(args: string[]): boolean {
  if (!['export', 'list', 'stats'].includes(args[0] ?? '') || args.includes('--help') || args.includes('-h')) return false;
  const dbs = valuesOf(args, '--db').map(expandHome);
  const archives = [...valuesOf(args, '--archive'), ...valuesOf(args, '--out')].map(expandHome);
  if (drawsPdf(args) || valuesOf(args, '--backup').length > 0 || (dbs.length === 0 && archives.length === 0)) return true;
  const files = [...dbs.flatMap((db) => [db, `${db}-wal`]), ...archives.map((dir) => join(dir, STORE_FILE))];
  return files.reduce((total, file) => total + sizeOf(file), 0) > SMALL_INPUT_BYTES;
}

/** The values of an option given as `--name value` or `--name=value`, as often as it is given. */
export function valuesOf(args: string[], name: string): string[] {
  return args.flatMap((arg, i) => (arg === name && args[i + 1] !== undefined ? [args[i + 1]!] : arg.startsWith(`${name}=`) ? [arg.slice(name.length + 1)] : []));
}

/** A file's size; 0 for one that is not there (the command itself says what is wrong with it). */
function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/**
 * Runs this command again with the heap cap and resolves to its exit code. The child's temporary files (a
 * private copy of a chat.db being written to, a decrypted backup) go into a folder of this process, removed
 * when the child ends, however it ends: a child killed outright (SIGKILL, the system short of memory) cannot.
 */
export function relaunchWithHeapCap(): Promise<number> {
  const temp = runTempFolder();
  if (temp === undefined) return Promise.resolve(1);
  // The IPC channel is how the child learns that this process died, even by SIGKILL: it closes.
  const child = spawn(process.execPath, [...process.execArgv, ...RESTART_FLAGS, process.argv[1]!, ...process.argv.slice(2)], {
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
    env: { ...(decodesPhotos(process.argv) ? { MALLOC_ARENA_MAX: '2', ...process.env } : process.env), TMPDIR: temp, TMP: temp, TEMP: temp, [RUN_TEMP]: temp },
  });
  passOnSignals(child);
  // A terminal that closed (EIO) or a reader gone (EPIPE) hears nothing more; that is no reason to leave the folder.
  process.stderr.on('error', () => {});
  return new Promise<number>((resolve) => {
    const ended = (code: () => number) => {
      rmSync(temp, REMOVE_FOLDER);
      resolve(code());
    };
    child.on('error', (error) => ended(() => notStarted(error)));
    child.on('exit', (code, signal) => ended(() => code ?? killed(signal ?? 'SIGKILL')));
  });
}

/** The restart could not be started (too many processes, no memory, Node's own file gone): said in one line. */
function notStarted(error: NodeJS.ErrnoException): number {
  const command = process.argv[2] ?? 'run';
  process.stderr.write(`textkeeper: cannot go on: Node (${process.execPath}) could not be started for the ${command}: ${systemReason(error) ?? error.message}.\n`);
  return 1;
}

/** A child killed by a signal it could not take says nothing itself: this process says it, with the shell's exit code. */
function killed(signal: NodeJS.Signals): number {
  const command = process.argv[2] ?? 'textkeeper';
  const why = signal === 'SIGKILL' ? ': by another program, or by the system short of memory' : '';
  const next = command === 'export' ? '; export into the same folder again to complete it' : '';
  process.stderr.write(`textkeeper: the ${command} was killed (${signal}${why})${next}.\n`);
  return 128 + constants.signals[signal];
}

const FORWARDED = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** A private folder in the temporary folder for the child's files; undefined, said in one line, when none can be made there. */
function runTempFolder(): string | undefined {
  try {
    return mkdtempSync(join(tmpdir(), ownedName('textkeeper-run-')));
  } catch (error) {
    process.stderr.write(`textkeeper: cannot go on: ${tempFolderUnusable(error).message}.\n`);
    return undefined;
  }
}

/**
 * Every signal is passed on, and this process ends when the child does. A terminal's Ctrl-C reaches
 * both at once; the child takes the two deliveries of one keypress as one (see watchSignals). On Windows
 * a console's Ctrl-C and closing reach the child as well, but kill() there ends a process outright,
 * before it removes what it began (a backup's decrypted files among them): nothing is passed on, the
 * signal only must not end this process before the child.
 */
export function passOnSignals(child: { kill(signal: NodeJS.Signals): unknown }, platform: NodeJS.Platform = process.platform): void {
  for (const signal of FORWARDED) process.on(signal, platform === 'win32' ? () => {} : () => child.kill(signal));
}

/** Said when an interrupt comes once the run is finishing the archive (see `RunSignal.finishing`). */
const LATE = 'textkeeper: every conversation is written: finishing the archive (its index and SHA256SUMS, a few seconds) rather than stopping; interrupt again to stop at once, leaving it unfinished.\n';

/** Signals arriving within this long of the first are the same request, delivered twice. */
const SAME_REQUEST_MS = 1000;

/**
 * Stops the export like Ctrl-C on SIGINT, SIGTERM or SIGHUP (a second request exits at once), and
 * when the launcher that started this process is gone: no orphan goes on writing files.
 */
export function watchSignals(signal: RunSignal, exitCode: number): void {
  let first = 0;
  const stop = () => {
    if (!signal.interrupted) {
      signal.interrupted = true;
      first = Date.now();
      if (signal.finishing) process.stderr.write(LATE);
    } else if (Date.now() - first > SAME_REQUEST_MS) process.exit(exitCode);
  };
  for (const name of FORWARDED) process.on(name, stop);
  if (process.channel) {
    process.channel.unref();
    process.on('disconnect', () => {
      stop();
      // The launcher would have removed this process's temporary folder once it ended: now this process does.
      const temp = process.env[RUN_TEMP];
      if (temp) process.on('exit', () => rmSync(temp, REMOVE_FOLDER));
      // Nothing may keep the orphan alive for long: what it had begun is removed by then, or never will be.
      setTimeout(() => process.exit(exitCode), 10_000).unref();
    });
  }
}

/** Whether the command line asks for PDF, or HTML with attachments (`--format pdf`, `--format=txt,html`). */
function decodesPhotos(argv: string[]): boolean {
  const formats = valuesOf(argv, '--format').join(',');
  return drawsPdf(argv) || (/html/i.test(formats) && !valuesOf(argv, '--attachments').some((mode) => /^none$/i.test(mode)));
}

/** Whether the command line asks for PDF (`--format pdf`, `--format=txt,pdf`). */
function drawsPdf(argv: string[]): boolean {
  return valuesOf(argv, '--format').some((formats) => /pdf/i.test(formats));
}
