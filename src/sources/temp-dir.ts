/**
 * Private temporary folders (mode 0700) for decrypted or copied user data.
 *
 *   const tmp = await createPrivateTempDir('textkeeper-backup-');
 *   ... tmp.path ...
 *   await tmp.remove();
 *
 * Every folder still alive is also removed when the process exits, and on SIGINT/SIGTERM/SIGHUP when nobody
 * else handles the signal (then it is re-raised after cleanup, so the process still dies of it). When the
 * program has its own handler, it shuts down its way and dispose() or the exit hook removes the folders.
 * The hooks are installed only while a folder exists.
 */
import { lstatSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SystemFailure, systemReason } from '../errors.js';

export interface PrivateTempDir {
  readonly path: string;
  /** Deletes the folder and everything in it. Safe to call twice. */
  remove(): Promise<void>;
  /** The same, at once (for code that cannot wait). */
  removeNow(): void;
}

/** The temporary folder the launcher gave its child (the child's TMPDIR), named apart from any TMPDIR of the user's. */
export const RUN_TEMP = 'TEXTKEEPER_RUN_TEMP';

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
const live = new Set<string>();

/**
 * How a temporary folder is removed. On Windows a file just closed is often held a moment longer (an
 * antivirus or the search indexer reading a new database copy): removing it or its folder then fails (EBUSY,
 * EPERM, ENOTEMPTY), which Node tries again, here for 1.5 s in all (0.1 s, 0.2 s, … 0.5 s).
 */
export const REMOVE_FOLDER = { recursive: true, force: true, maxRetries: 5 } as const;

function removeAllNow(): void {
  for (const dir of live) rmSync(dir, REMOVE_FOLDER);
  live.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  if (process.listenerCount(signal) > 1) return;
  removeAllNow();
  unhook();
  process.kill(process.pid, signal);
}

function hook(): void {
  process.on('exit', removeAllNow);
  for (const signal of SIGNALS) process.on(signal, onSignal);
}

function unhook(): void {
  process.off('exit', removeAllNow);
  for (const signal of SIGNALS) process.off(signal, onSignal);
}

/** A private folder's name begins with its prefix and the process's id (see removeLeftBehind). */
export const ownedName = (prefix: string): string => `${prefix}${process.pid}-`;

/** Folders of ours: `textkeeper-<what>-<pid>-<random>`. */
const OWNED = /^textkeeper-[a-z]+-(\d+)-[A-Za-z0-9]{6}$/;

/**
 * How long a folder whose process is gone is left alone: a run's child goes on a few seconds after its launcher
 * was killed, and a process of another PID namespace (a container sharing the temporary folder) seems gone.
 */
const SETTLED_MS = 60_000;

/**
 * Removes the private folders that processes no longer running left in the temporary folder: a run killed outright
 * (SIGKILL of it and its launcher, a power cut) cannot remove its copy of a database or a backup's decrypted files.
 * Only the user's own, and never one whose process is alive (or whose number another process now has).
 */
export function removeLeftBehind(folder = tmpdir()): void {
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return;
  }
  for (const name of names) {
    const pid = Number(OWNED.exec(name)?.[1]);
    if (!pid || alive(pid)) continue;
    const dir = path.join(folder, name);
    try {
      const found = lstatSync(dir);
      if (found.isDirectory() && found.uid === (process.getuid?.() ?? 0) && Date.now() - found.mtimeMs > SETTLED_MS) rmSync(dir, REMOVE_FOLDER);
    } catch {
      // Another run removed it meanwhile, or it cannot be: it stays as it was.
    }
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

// mkdtemp creates the folder with mode 0700.
export async function createPrivateTempDir(prefix: string): Promise<PrivateTempDir> {
  return kept(await mkdtemp(path.join(tmpdir(), ownedName(prefix))).catch((error: unknown) => {
    throw tempFolderUnusable(error);
  }));
}

export function createPrivateTempDirSync(prefix: string): PrivateTempDir {
  try {
    return kept(mkdtempSync(path.join(tmpdir(), ownedName(prefix))));
  } catch (error) {
    throw tempFolderUnusable(error);
  }
}

/** A new folder, removed at exit unless removed before. */
function kept(dir: string): PrivateTempDir {
  if (live.size === 0) hook();
  live.add(dir);
  const forget = () => {
    if (!live.delete(dir)) return false;
    if (live.size === 0) unhook();
    return true;
  };
  return {
    path: dir,
    async remove() {
      // Forgotten once gone: a process ending while it is removed still removes the rest at exit.
      if (!live.has(dir)) return;
      await rm(dir, REMOVE_FOLDER);
      forget();
    },
    removeNow() {
      if (forget()) rmSync(dir, REMOVE_FOLDER);
    },
  };
}

/** Failures to write that every later file in the temporary folder would meet too: its disk is full or read-only. */
const NO_ROOM = new Set(['ENOSPC', 'EDQUOT', 'EROFS', 'SQLITE_FULL']);

/**
 * A failure to write `what` into the temporary folder (by default Node's; SQLite's may be another), told as what it
 * is (that folder's disk has no room, not the disk of what was read or of the archive) with how to choose another;
 * undefined for any other error.
 */
export function noRoomInTemp(error: unknown, what: string, folder = tmpdir(), variable = TEMP_VARIABLE): SystemFailure | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !NO_ROOM.has(code)) return undefined;
  return new SystemFailure(`no room in the temporary folder ${asTheUserKnowsIt(folder)} for ${what} (${systemReason(error)}); set ${variable} to a folder on a disk with more room, then run again`, code);
}

/** The temporary folder would not take a folder of ours (it is not there, or cannot be written to). */
export function tempFolderUnusable(error: unknown): SystemFailure {
  const code = (error as { code?: unknown } | null)?.code;
  const why = systemReason(error) ?? (error as Error).message;
  return new SystemFailure(`the temporary folder ${asTheUserKnowsIt(tmpdir())} cannot be used (${why}); set ${TEMP_VARIABLE} to a folder that can be written to, then run again`, typeof code === 'string' ? code : 'EIO');
}

/** What names the temporary folder. */
export const TEMP_VARIABLE = process.platform === 'win32' ? 'TEMP' : 'TMPDIR';

/** A temporary folder as the user knows it: the one holding the launcher's private folder for this run (see RUN_TEMP). */
function asTheUserKnowsIt(folder: string): string {
  const run = process.env[RUN_TEMP];
  return run && path.resolve(folder) === path.resolve(run) ? path.dirname(run) : folder;
}
