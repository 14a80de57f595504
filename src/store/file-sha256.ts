import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';

/**
 * The SHA-256 of a file, read to its end through `buffer`. A short read once the size stat found is
 * reached is the end: most attachments then take one read, not a second one to find the end.
 */
export function fileSha256(path: string, size: number, buffer: Buffer): string {
  const hash = createHash('sha256');
  const fd = openSync(path, 'r');
  try {
    let total = 0;
    for (let read = readSync(fd, buffer); read > 0; read = readSync(fd, buffer)) {
      hash.update(buffer.subarray(0, read));
      total += read;
      if (read < buffer.length && total >= size) break;
    }
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

/** Files are read a megabyte at a time. */
export const HASH_CHUNK = 1 << 20;
