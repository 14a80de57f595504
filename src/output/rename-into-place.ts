import { renameSync } from 'node:fs';
import { rename } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Windows will not replace or move a file another program has open: a PDF viewer showing last run's PDF,
 * a spreadsheet showing the CSV, or, for a moment, an antivirus or the search indexer reading the new file.
 */
const HELD_OPEN = new Set(['EPERM', 'EBUSY', 'EACCES']);
/** Waits between tries (ms), about 3 s in all: long enough for a scanner, short beside a run. */
const RETRY_DELAYS = [50, 100, 200, 400, 800, 1500];

/** Renames a finished file into place, trying again a while on Windows when another program holds it. */
export async function renameIntoPlace(partial: string, path: string): Promise<void> {
  for (let tries = 0; ; tries++) {
    try {
      return await rename(partial, path);
    } catch (error) {
      await sleep(delayBeforeRetry(error, path, tries));
    }
  }
}

/** renameIntoPlace, for code that may not wait asynchronously. */
export function renameIntoPlaceSync(partial: string, path: string): void {
  for (let tries = 0; ; tries++) {
    try {
      return renameSync(partial, path);
    } catch (error) {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, delayBeforeRetry(error, path, tries));
    }
  }
}

/** How long to wait before trying again; throws when not to (the error is not Windows' or the tries are used up). */
function delayBeforeRetry(error: unknown, path: string, tries: number): number {
  if (process.platform !== 'win32' || !HELD_OPEN.has((error as NodeJS.ErrnoException).code ?? '')) throw error;
  const delay = RETRY_DELAYS[tries];
  // Named by the file the user knows (not its temporary name), as held open (EBUSY's words say what to do).
  if (delay === undefined) throw Object.assign(new Error(`${path}: another program has it open`), { code: 'EBUSY', path });
  return delay;
}
