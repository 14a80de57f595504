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
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface PrivateTempDir {
  readonly path: string;
  /** Deletes the folder and everything in it. Safe to call twice. */
  remove(): Promise<void>;
  /** The same, at once (for code that cannot wait). */
  removeNow(): void;
}

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

// mkdtemp creates the folder with mode 0700.
export async function createPrivateTempDir(prefix: string): Promise<PrivateTempDir> {
  return kept(await mkdtemp(path.join(tmpdir(), prefix)));
}

export function createPrivateTempDirSync(prefix: string): PrivateTempDir {
  return kept(mkdtempSync(path.join(tmpdir(), prefix)));
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
