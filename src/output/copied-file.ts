import { chmodSync, closeSync, copyFileSync, fstatSync, openSync } from 'node:fs';
import { chmod, copyFile, open } from 'node:fs/promises';

/**
 * The mode a file this thread makes gets (what the umask leaves of read and write for all), learnt from the first
 * file it makes, never by asking for the umask: asking sets it to 0 for a moment, for every thread of the process.
 */
let newFileMode: number | undefined;

/**
 * Copies `source` to `target` (`flags`: copyFile's) as a file made here, with the umask's mode. A copy would take
 * its source's mode instead (a file from a FAT stick or a share: 0777, writable and executable by anyone).
 */
export async function copyAsNew(source: string, target: string, flags: number): Promise<void> {
  if (newFileMode === undefined) {
    const made = await open(target, 'w');
    newFileMode = (await made.stat()).mode & 0o777;
    await made.close();
  }
  await copyFile(source, target, flags);
  await chmod(target, newFileMode).catch(unlessModeless);
}

/** copyAsNew, for code that may not wait asynchronously. */
export function copyAsNewSync(source: string, target: string, flags: number): void {
  if (newFileMode === undefined) {
    const made = openSync(target, 'w');
    newFileMode = fstatSync(made).mode & 0o777;
    closeSync(made);
  }
  copyFileSync(source, target, flags);
  try {
    chmodSync(target, newFileMode);
  } catch (error) {
    unlessModeless(error);
  }
}

/** A file system that keeps no modes (exFAT, some shares) refuses to set one: the copy stands as it was made. */
function unlessModeless(error: unknown): void {
  const { code } = error as NodeJS.ErrnoException;
  if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw error;
}
