import { writeSync } from 'node:fs';
import type { AtomicFile } from './files.js';

/**
 * Text gathered as UTF-8 bytes, piece by piece. Writing each piece into one growing buffer is far
 * cheaper than joining the pieces and encoding the result: a joined page of HTML is often a two-byte
 * string (one emoji suffices), and encoding such a string of 900 KB took about 30 ms; the pieces, 1 ms.
 */
export class Utf8Buffer {
  private buffer: Buffer;
  /** Bytes gathered so far. */
  length = 0;

  constructor(capacity = 64 * 1024) {
    this.buffer = Buffer.allocUnsafe(capacity);
  }

  /** Adds the text's UTF-8 bytes; returns how many. */
  append(text: string): number {
    // UTF-8 takes at most 3 bytes per UTF-16 unit.
    if (this.length + text.length * 3 > this.buffer.length) this.grow(this.length + text.length * 3);
    const written = this.buffer.write(text, this.length);
    this.length += written;
    return written;
  }

  /**
   * Writes the bytes gathered into `file`, waits until they are written, and starts over. A copy for the
   * writing cost more (a page of HTML is up to 900 KB: each copy was new memory, 40 ms of a 200k export).
   */
  async writeTo(file: AtomicFile): Promise<void> {
    if (this.length > 0) await file.writeThrough(this.buffer.subarray(0, this.length));
    this.length = 0;
  }

  /**
   * Writes the bytes gathered to the open file `fd` (at `path`) and starts over; gives how many were written. A
   * failure names the file, as the other writes' do (a full disk: which file it stopped).
   */
  writeSyncTo(fd: number, path: string): number {
    let written: number;
    try {
      written = writeSync(fd, this.buffer, 0, this.length);
    } catch (error) {
      throw Object.assign(error as NodeJS.ErrnoException, { path });
    }
    this.length = 0;
    return written;
  }

  private grow(needed: number): void {
    const larger = Buffer.allocUnsafe(Math.max(needed, this.buffer.length * 2));
    this.buffer.copy(larger, 0, 0, this.length);
    this.buffer = larger;
  }
}
