// The CJK faces are 6–11 MB, 90 % of it glyph outlines ('glyf'), of which a document uses a few hundred
// glyphs; reading the whole files cost a small PDF a few hundred milliseconds. A large TrueType face is
// read without its outlines (that part of the buffer stays zero: shaping and measuring never look at it),
// and the outlines of the glyphs a document embeds are read in place just before it is written.
import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import type { Font } from 'fontkit';

const SPARSE_FROM = 2 * 1024 * 1024;

interface Outlines {
  path: string;
  bytes: Buffer;
  /** Where the 'glyf' table starts in the file. */
  offset: number;
  read: Set<number>;
}

/** A face's bytes, and where its outlines are when they were left out. */
export interface FaceBytes {
  bytes: Buffer;
  outlines?: Outlines;
}

interface TableRecord {
  tag: string;
  offset: number;
  length: number;
}

/** The face's file, without its outlines when it has at least `sparseFrom` bytes. */
export function readFace(path: string, sparseFrom = SPARSE_FROM): FaceBytes {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const tables = size >= sparseFrom ? tableRecords(fd) : undefined;
    const glyf = tables?.find((table) => table.tag === 'glyf');
    if (!tables || !glyf) return { bytes: readFileSync(fd) };
    const bytes = Buffer.alloc(size);
    readAt(fd, bytes, 0, 12 + 16 * tables.length);
    for (const table of tables) if (table !== glyf) readAt(fd, bytes, table.offset, table.length);
    return { bytes, outlines: { path, bytes, offset: glyf.offset, read: new Set() } };
  } finally {
    closeSync(fd);
  }
}

/** The table directory of a TrueType or OpenType file; undefined for collections, WOFF and anything else. */
function tableRecords(fd: number): TableRecord[] | undefined {
  const head = Buffer.alloc(12);
  readAt(fd, head, 0, 12);
  const version = head.readUInt32BE(0);
  if (version !== 0x00010000 && version !== 0x74727565) return undefined; // 1.0 or 'true'
  const count = head.readUInt16BE(4);
  const records = Buffer.alloc(16 * count);
  readAt(fd, records, 12, records.length, 0);
  return Array.from({ length: count }, (_, i) => ({
    tag: records.toString('latin1', 16 * i, 16 * i + 4),
    offset: records.readUInt32BE(16 * i + 8),
    length: records.readUInt32BE(16 * i + 12),
  }));
}

/** Reads `length` bytes of the file at `position` into `into` at `offset` (by default the same place). */
function readAt(fd: number, into: Buffer, position: number, length: number, offset = position): void {
  for (let done = 0; done < length; ) {
    const read = readSync(fd, into, offset + done, length - done, position + done);
    if (read === 0) throw new Error('font file ends early');
    done += read;
  }
}

const outlinesOf = new WeakMap<Font, Outlines>();

/** Remembers that this parsed font's outlines are still to be read. */
export function withOutlinesLater(font: Font, face: FaceBytes): Font {
  if (face.outlines) outlinesOf.set(font, face.outlines);
  return font;
}

// Composite glyph flags (TrueType 'glyf').
const ARGS_ARE_WORDS = 0x0001;
const HAS_SCALE = 0x0008;
const MORE_COMPONENTS = 0x0020;
const HAS_XY_SCALE = 0x0040;
const HAS_TWO_BY_TWO = 0x0080;

/** Reads the outlines of these glyphs, and of the glyphs they are composed of, into the font's buffer. */
export function readOutlines(font: Font, glyphIds: readonly number[]): void {
  const outlines = outlinesOf.get(font);
  if (!outlines) return;
  const offsets = font.loca.offsets;
  const fd = openSync(outlines.path, 'r');
  try {
    const pending = [...glyphIds];
    for (let id = pending.pop(); id !== undefined; id = pending.pop()) {
      if (outlines.read.has(id)) continue;
      outlines.read.add(id);
      const start = outlines.offset + offsets[id]!;
      const length = offsets[id + 1]! - offsets[id]!;
      if (length <= 0) continue;
      readAt(fd, outlines.bytes, start, length);
      if (outlines.bytes.readInt16BE(start) < 0) pending.push(...components(outlines.bytes, start + 10));
    }
  } finally {
    closeSync(fd);
  }
}

/** The glyph ids a composite glyph's records (starting at `at`) refer to. */
function components(bytes: Buffer, at: number): number[] {
  const ids: number[] = [];
  for (let flags = MORE_COMPONENTS; flags & MORE_COMPONENTS; ) {
    flags = bytes.readUInt16BE(at);
    ids.push(bytes.readUInt16BE(at + 2));
    at += 4 + (flags & ARGS_ARE_WORDS ? 4 : 2);
    at += flags & HAS_SCALE ? 2 : flags & HAS_XY_SCALE ? 4 : flags & HAS_TWO_BY_TWO ? 8 : 0;
  }
  return ids;
}
