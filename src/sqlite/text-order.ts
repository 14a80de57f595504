/** Text sorted by its UTF-8 bytes, as SQLite sorts it. */
export function byBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}
