import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';

/**
 * A database file's pages as SQLite reads them: each from the file, or from the last frame of its `-wal`
 * that a committed transaction wrote (https://www.sqlite.org/fileformat2.html, "The WAL File Format").
 */
export interface DatabasePages {
  pageSize: number;
  /** The highest page number there is. */
  count: number;
  /** `length` bytes of a page from `at` on; zeros past the end of the file. */
  read(page: number, at?: number, length?: number): Buffer;
  close(): void;
}

export function openPages(path: string): DatabasePages {
  const file = openSync(path, 'r');
  try {
    const header = Buffer.alloc(100);
    readSync(file, header, 0, 100, 0);
    // The size is stored divided by 256, so that 65,536 fits in two bytes as 1.
    const pageSize = header.readUInt16BE(16) === 1 ? 65_536 : header.readUInt16BE(16);
    const wal = walFrames(`${path}-wal`, pageSize);
    const count = Math.max(Math.floor(statSync(path).size / pageSize), wal.count);
    return {
      pageSize,
      count,
      read(page, at = 0, length = pageSize) {
        const bytes = Buffer.alloc(length);
        const frame = wal.frames.get(page);
        if (frame === undefined) readSync(file, bytes, 0, length, (page - 1) * pageSize + at);
        else readSync(wal.file!, bytes, 0, length, frame + at);
        return bytes;
      },
      close() {
        closeSync(file);
        if (wal.file !== undefined) closeSync(wal.file);
      },
    };
  } catch (error) {
    closeSync(file);
    throw error;
  }
}

const WAL_HEADER = 32;
const FRAME_HEADER = 24;

interface WalFrames {
  file?: number;
  /** Where each page's last committed frame's data begins in the -wal. */
  frames: Map<number, number>;
  /** The database's size in pages as of the last commit (0: none). */
  count: number;
}

/**
 * The committed frames of a -wal: those whose salts are the header's and whose checksums hold, up to the last
 * frame that ends a transaction. Frames after it, or past a frame that fails, SQLite ignores too.
 */
function walFrames(path: string, pageSize: number): WalFrames {
  const none: WalFrames = { frames: new Map(), count: 0 };
  if (!existsSync(path) || statSync(path).size < WAL_HEADER) return none;
  const file = openSync(path, 'r');
  const header = Buffer.alloc(WAL_HEADER);
  readSync(file, header, 0, WAL_HEADER, 0);
  const magic = header.readUInt32BE(0);
  if ((magic & ~1) !== 0x377f0682 || header.readUInt32BE(8) !== pageSize) {
    closeSync(file);
    return none;
  }
  const bigEndian = (magic & 1) === 1;
  let sum = walChecksum(header.subarray(0, 24), [0, 0], bigEndian);
  if (sum[0] !== header.readUInt32BE(24) || sum[1] !== header.readUInt32BE(28)) {
    closeSync(file);
    return none;
  }
  const pending = new Map<number, number>();
  const frames = new Map<number, number>();
  let count = 0;
  const frame = Buffer.alloc(FRAME_HEADER + pageSize);
  for (let at = WAL_HEADER; readSync(file, frame, 0, frame.length, at) === frame.length; at += frame.length) {
    if (!frame.subarray(8, 16).equals(header.subarray(16, 24))) break;
    sum = walChecksum(frame.subarray(FRAME_HEADER), walChecksum(frame.subarray(0, 8), sum, bigEndian), bigEndian);
    if (sum[0] !== frame.readUInt32BE(16) || sum[1] !== frame.readUInt32BE(20)) break;
    pending.set(frame.readUInt32BE(0), at + FRAME_HEADER);
    const committedSize = frame.readUInt32BE(4);
    if (committedSize > 0) {
      for (const [page, offset] of pending) frames.set(page, offset);
      pending.clear();
      count = committedSize;
    }
  }
  return { file, frames, count };
}

/** SQLite's WAL checksum of `bytes` (a multiple of 8 long), going on from `[s0, s1]`. */
export function walChecksum(bytes: Buffer, [s0, s1]: number[], bigEndian: boolean): [number, number] {
  for (let i = 0; i < bytes.length; i += 8) {
    const x0 = bigEndian ? bytes.readUInt32BE(i) : bytes.readUInt32LE(i);
    const x1 = bigEndian ? bytes.readUInt32BE(i + 4) : bytes.readUInt32LE(i + 4);
    s0 = (s0! + x0 + s1!) >>> 0;
    s1 = (s1! + x1 + s0) >>> 0;
  }
  return [s0!, s1!];
}
