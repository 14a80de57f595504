import { chmodSync, copyFileSync } from 'node:fs';
import { chmod, copyFile } from 'node:fs/promises';

/**
 * What the user's umask leaves of read and write for all: the mode of a file this process writes. A copy would
 * take its source's mode instead (a file from a FAT stick or a share: 0777, writable and executable by anyone).
 * Read once: asking changes the umask for a moment, and other threads may be making files meanwhile.
 */
const NEW_FILE_MODE = 0o666 & ~process.umask();

/** Copies `source` to `target` (`mode`: copyFile's flags) as a file made here, with the umask's mode. */
export async function copyAsNew(source: string, target: string, mode: number): Promise<void> {
  await copyFile(source, target, mode);
  await chmod(target, NEW_FILE_MODE);
}

/** copyAsNew, for code that may not wait asynchronously. */
export function copyAsNewSync(source: string, target: string, mode: number): void {
  copyFileSync(source, target, mode);
  chmodSync(target, NEW_FILE_MODE);
}
