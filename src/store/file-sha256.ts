import { createHash } from 'node:crypto';
import { closeSync, createReadStream, openSync, readSync } from 'node:fs';

/** The SHA-256 of a file, streamed: for files of any size, read while other work goes on. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * The SHA-256 of a file, read synchronously to its end through `buffer`: attachments, on the hash thread.
 * A short read once the size stat found is reached is the end: most attachments then take one read, not
 * a second one to find the end.
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

/** `fileSha256`, or null when the file cannot be read (whoever asked reads it again, to say why). */
export function fileSha256OrNull(path: string, size: number, buffer: Buffer): string | null {
  try {
    return fileSha256(path, size, buffer);
  } catch {
    return null;
  }
}

/** Files are read a megabyte at a time. */
export const HASH_CHUNK = 1 << 20;
