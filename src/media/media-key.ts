import { createHash } from 'node:crypto';

/**
 * What names the files HTML makes of an attachment (its thumbnail, and the folder of a device's file copied or
 * converted): the archive's own copy by its path there and its size (its time is the run's that copied it), a
 * device's file by its path, size and time.
 */
export function mediaKey(path: string, size: number, mtimeMs?: number): string {
  const identity = mtimeMs === undefined ? `${path}\0${size}` : `${path}\0${size}\0${mtimeMs}`;
  return createHash('sha1').update(identity).digest('hex').slice(0, 20);
}

/** Where a picture's thumbnail lies in the archive folder. */
export function thumbnailPath(key: string, suffix: string): string {
  return `thumbs/${key.slice(0, 2)}/${key}.${suffix}`;
}

/** The key a thumbnail is named by (see `thumbnailPath`). */
export function thumbnailKey(path: string): string | undefined {
  return /^thumbs\/[0-9a-f]{2}\/([0-9a-f]{20})\.[a-z]+$/.exec(path)?.[1];
}
