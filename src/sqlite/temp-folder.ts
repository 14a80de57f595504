import { accessSync, constants, statfsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { SystemFailure } from '../errors.js';
import { noRoomInTemp, TEMP_VARIABLE } from '../sources/temp-dir.js';

/**
 * A write to the store that failed for a full disk while the store's own disk has room: what filled up is the
 * folder SQLite sorts in (an index built, a large sort), told as such. Undefined for any other failure.
 */
export function sortingFilesFull(error: unknown, storeFolder: string): SystemFailure | undefined {
  if ((error as { code?: unknown } | null)?.code !== 'SQLITE_FULL' || !hasRoom(storeFolder)) return undefined;
  const { folder, variable } = sqliteTempFolder();
  return noRoomInTemp(error, "the store's sorting files", folder, variable);
}

/** Whether a folder's disk has room for more than a store's last pages (64 MB). */
function hasRoom(folder: string): boolean {
  try {
    const { bavail, bsize } = statfsSync(folder);
    return bavail * bsize >= 64 * 1024 * 1024;
  } catch {
    return false;
  }
}

/**
 * The folder SQLite writes its temporary files in (a large sort, an index built), and the variable that names it:
 * on Unix the first of SQLITE_TMPDIR, TMPDIR, /var/tmp, /usr/tmp and /tmp that is a folder it may write to; on
 * Windows the system's temporary folder, as Node's.
 */
function sqliteTempFolder(): { folder: string; variable: string } {
  if (process.platform === 'win32') return { folder: tmpdir(), variable: TEMP_VARIABLE };
  const candidates: [string | undefined, string][] = [[process.env.SQLITE_TMPDIR, 'SQLITE_TMPDIR'], [process.env.TMPDIR, 'TMPDIR'], ['/var/tmp', 'TMPDIR'], ['/usr/tmp', 'TMPDIR'], ['/tmp', 'TMPDIR']];
  const [folder, variable] = candidates.find(([dir]) => dir !== undefined && writableFolder(dir)) ?? ['.', 'TMPDIR'];
  return { folder: folder!, variable };
}

function writableFolder(folder: string): boolean {
  try {
    accessSync(folder, constants.W_OK | constants.X_OK);
    return statSync(folder).isDirectory();
  } catch {
    return false;
  }
}
