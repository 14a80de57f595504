// A picture's size read from its file's header, without decoding it: what a page needs to lay the picture out
// before it loads. Each reader finds the size as `openImage` shows the picture: upright.
import { closeSync, openSync, readSync } from 'node:fs';

export interface ImageSize {
  width: number;
  height: number;
}

/**
 * Bytes read first: every header but a JPEG's whose Exif segment holds a large thumbnail (a further read then
 * reaches its frame header). Reading 64 KB took 2–3 times as long (1,000 small pictures in the page cache: 22–32 ms, now 7–13 ms).
 */
const FIRST_READ = 16 * 1024;
/** Segments, chunks or boxes looked through before giving up on a file that never names its size. */
const MAX_STEPS = 1000;
/** JPEG start-of-frame markers (SOF0–SOF15 but DHT, JPG and DAC), whose segment gives the size. */
const JPEG_FRAMES = new Set([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]);
const TIFF_WIDTH = 256;
const TIFF_HEIGHT = 257;
const TIFF_ORIENTATION = 274;
const HEIF_BRANDS = new Set(['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx', 'mif1', 'msf1', 'avci']);
/** The most of a box's content read at once (a photo's `ipma` takes a few hundred bytes): a damaged length reads no more. */
const MAX_BOX_READ = 1024 * 1024;

/** True when the bytes are an HEIF/HEIC container (ftyp box with a HEIF brand). */
export function isHeic(head: Buffer): boolean {
  return head.length >= 12 && head.toString('latin1', 4, 8) === 'ftyp' && HEIF_BRANDS.has(head.toString('latin1', 8, 12));
}

/** The size of the picture in the file, upright; undefined when the file is unreadable or of no type known here. */
export function readImageSize(path: string): ImageSize | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const size = sizeIn(new FileBytes(fd));
    return size && isSide(size.width) && isSide(size.height) ? size : undefined;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

const isSide = (pixels: number) => Number.isInteger(pixels) && pixels > 0;

/** The size a picture gets shrunk into a square of `side` (never enlarged), rounded as sharp's `fit: 'inside'` rounds it. */
export function fitInside(size: ImageSize, side: number): ImageSize {
  const scale = side / Math.max(size.width, size.height);
  if (scale >= 1) return size;
  return size.width >= size.height
    ? { width: side, height: Math.max(1, Math.round(size.height * scale)) }
    : { width: Math.max(1, Math.round(size.width * scale)), height: side };
}

/** A file read by position: its first bytes once, anything further on demand. Reading past its end gives fewer bytes. */
class FileBytes {
  private readonly head: Buffer;

  constructor(private readonly fd: number) {
    const head = Buffer.allocUnsafe(FIRST_READ);
    this.head = head.subarray(0, readSync(fd, head, 0, FIRST_READ, 0));
  }

  at(position: number, length: number): Buffer {
    if (position + length <= this.head.length) return this.head.subarray(position, position + length);
    const bytes = Buffer.allocUnsafe(length);
    return bytes.subarray(0, readSync(this.fd, bytes, 0, length, position));
  }
}

function sizeIn(file: FileBytes): ImageSize | undefined {
  const head = file.at(0, 16);
  if (head.length < 16) return undefined;
  if (head[0] === 0xff && head[1] === 0xd8) return jpegSize(file);
  if (head.toString('latin1', 1, 4) === 'PNG') return pngSize(file);
  if (head.toString('latin1', 0, 4) === 'GIF8') return { width: head.readUInt16LE(6), height: head.readUInt16LE(8) };
  if (head.toString('latin1', 0, 4) === 'RIFF' && head.toString('latin1', 8, 12) === 'WEBP') return webpSize(file);
  if (isHeic(head)) return heifSize(file);
  if (head.toString('latin1', 0, 2) === 'BM') return bmpSize(file);
  const order = head.toString('latin1', 0, 2);
  if (order === 'II' || order === 'MM') return tiffSize(file, 0);
  return undefined;
}

/** The size with width and height swapped for the EXIF orientations (5–8) that turn a picture a quarter. */
function upright(size: ImageSize, orientation: number | undefined): ImageSize {
  return orientation !== undefined && orientation >= 5 && orientation <= 8 ? { width: size.height, height: size.width } : size;
}

function jpegSize(file: FileBytes): ImageSize | undefined {
  let orientation: number | undefined;
  let position = 2;
  for (let step = 0; step < MAX_STEPS; step++) {
    const marker = file.at(position, 4);
    if (marker.length < 4 || marker[0] !== 0xff) return undefined;
    // Fill bytes (0xFF) may come before a marker.
    if (marker[1] === 0xff) {
      position++;
      continue;
    }
    const length = marker.readUInt16BE(2);
    if (JPEG_FRAMES.has(marker[1]!)) {
      const frame = file.at(position + 5, 4);
      return frame.length < 4 ? undefined : upright({ width: frame.readUInt16BE(2), height: frame.readUInt16BE(0) }, orientation);
    }
    if (marker[1] === 0xe1 && orientation === undefined && file.at(position + 4, 6).toString('latin1') === 'Exif\0\0') {
      orientation = tiffTags(file, position + 10).get(TIFF_ORIENTATION);
    }
    if (length < 2) return undefined;
    position += 2 + length;
  }
  return undefined;
}

function pngSize(file: FileBytes): ImageSize | undefined {
  const header = file.at(16, 8);
  if (header.length < 8) return undefined;
  const size = { width: header.readUInt32BE(0), height: header.readUInt32BE(4) };
  // An eXIf chunk (before the pixels) may turn the picture.
  let position = 8;
  for (let step = 0; step < MAX_STEPS; step++) {
    const chunk = file.at(position, 8);
    if (chunk.length < 8) break;
    const type = chunk.toString('latin1', 4, 8);
    if (type === 'eXIf') return upright(size, tiffTags(file, position + 8).get(TIFF_ORIENTATION));
    if (type === 'IDAT' || type === 'IEND') break;
    position += 12 + chunk.readUInt32BE(0);
  }
  return size;
}

function webpSize(file: FileBytes): ImageSize | undefined {
  const first = file.at(12, 18);
  if (first.length < 18) return undefined;
  switch (first.toString('latin1', 0, 4)) {
    case 'VP8 ':
      return { width: first.readUInt16LE(14) & 0x3fff, height: first.readUInt16LE(16) & 0x3fff };
    case 'VP8L': {
      const bits = first.readUInt32LE(9);
      return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
    }
    case 'VP8X': {
      const size = { width: first.readUIntLE(12, 3) + 1, height: first.readUIntLE(15, 3) + 1 };
      const hasExif = (first[8]! & 0x08) !== 0;
      return hasExif ? upright(size, webpOrientation(file)) : size;
    }
  }
  return undefined;
}

/** The orientation in an extended WebP's EXIF chunk, which comes after its pixels. */
function webpOrientation(file: FileBytes): number | undefined {
  let position = 12;
  for (let step = 0; step < MAX_STEPS; step++) {
    const chunk = file.at(position, 14);
    if (chunk.length < 8) return undefined;
    if (chunk.toString('latin1', 0, 4) === 'EXIF') {
      // Some writers keep JPEG's "Exif\0\0" before the TIFF data.
      const skip = chunk.toString('latin1', 8, 14) === 'Exif\0\0' ? 6 : 0;
      return tiffTags(file, position + 8 + skip).get(TIFF_ORIENTATION);
    }
    const length = chunk.readUInt32LE(4);
    position += 8 + length + (length % 2);
  }
  return undefined;
}

function bmpSize(file: FileBytes): ImageSize | undefined {
  const header = file.at(14, 12);
  if (header.length < 12) return undefined;
  // The oldest header (OS/2) has 16-bit sides; a negative height means rows top to bottom.
  if (header.readUInt32LE(0) === 12) return { width: header.readUInt16LE(4), height: header.readUInt16LE(6) };
  return { width: Math.abs(header.readInt32LE(4)), height: Math.abs(header.readInt32LE(8)) };
}

function tiffSize(file: FileBytes, start: number): ImageSize | undefined {
  const tags = tiffTags(file, start);
  const width = tags.get(TIFF_WIDTH);
  const height = tags.get(TIFF_HEIGHT);
  return width && height ? upright({ width, height }, tags.get(TIFF_ORIENTATION)) : undefined;
}

/** The numeric tags (one SHORT or LONG each) of the first directory of TIFF data starting at `start` (Exif's own). */
function tiffTags(file: FileBytes, start: number): Map<number, number> {
  const tags = new Map<number, number>();
  const header = file.at(start, 8);
  if (header.length < 8) return tags;
  const little = header.toString('latin1', 0, 2) === 'II';
  const u16 = (bytes: Buffer, at: number) => (little ? bytes.readUInt16LE(at) : bytes.readUInt16BE(at));
  const u32 = (bytes: Buffer, at: number) => (little ? bytes.readUInt32LE(at) : bytes.readUInt32BE(at));
  const directory = start + u32(header, 4);
  const count = file.at(directory, 2);
  if (count.length < 2) return tags;
  const entries = file.at(directory + 2, 12 * Math.min(u16(count, 0), MAX_STEPS));
  for (let at = 0; at + 12 <= entries.length; at += 12) {
    const type = u16(entries, at + 2);
    if (type === 3) tags.set(u16(entries, at), u16(entries, at + 8));
    else if (type === 4) tags.set(u16(entries, at), u32(entries, at + 8));
  }
  return tags;
}

/** An ISO base media box: its type, and where its content starts and the box ends. */
interface Box {
  type: string;
  start: number;
  end: number;
}

/** The boxes between `start` and `end`. */
function boxes(file: FileBytes, start: number, end: number): Box[] {
  const found: Box[] = [];
  let position = start;
  while (position + 8 <= end && found.length < MAX_STEPS) {
    const header = file.at(position, 16);
    if (header.length < 8) break;
    let size = header.readUInt32BE(0);
    let start = position + 8;
    if (size === 1) {
      if (header.length < 16) break;
      size = Number(header.readBigUInt64BE(8));
      start += 8;
    } else if (size === 0) {
      size = end - position;
    }
    if (size < start - position) break;
    found.push({ type: header.toString('latin1', 4, 8), start, end: Math.min(position + size, end) });
    position += size;
  }
  return found;
}

/**
 * An HEIF/HEIC picture's size: its primary image's `ispe`, cropped by its `clap` and turned by its `irot`, in the
 * order the image lists them (libheif shows the pixels so; Apple's stickers are cropped a row).
 */
function heifSize(file: FileBytes): ImageSize | undefined {
  const meta = boxes(file, 0, Number.MAX_SAFE_INTEGER).find((box) => box.type === 'meta');
  if (!meta) return undefined;
  const inMeta = boxes(file, meta.start + 4, meta.end);
  const pitm = inMeta.find((box) => box.type === 'pitm');
  const iprp = inMeta.find((box) => box.type === 'iprp');
  if (!pitm || !iprp) return undefined;
  const pitmHead = file.at(pitm.start, 8);
  const primary = pitmHead[0] === 0 ? pitmHead.readUInt16BE(4) : pitmHead.readUInt32BE(4);
  const inIprp = boxes(file, iprp.start, iprp.end);
  const ipco = inIprp.find((box) => box.type === 'ipco');
  const ipma = inIprp.find((box) => box.type === 'ipma');
  if (!ipco || !ipma) return undefined;
  const properties = boxes(file, ipco.start, ipco.end);
  let size: ImageSize | undefined;
  for (const index of associations(file, ipma, primary)) {
    const property = properties[index - 1];
    if (property?.type === 'ispe') {
      const ispe = file.at(property.start + 4, 8);
      size = { width: ispe.readUInt32BE(0), height: ispe.readUInt32BE(4) };
    } else if (property?.type === 'clap' && size) {
      const clap = file.at(property.start, 16);
      size = { width: Math.round(clap.readUInt32BE(0) / clap.readUInt32BE(4)), height: Math.round(clap.readUInt32BE(8) / clap.readUInt32BE(12)) };
    } else if (property?.type === 'irot' && size && (file.at(property.start, 1)[0]! & 1) === 1) {
      size = { width: size.height, height: size.width };
    }
  }
  return size;
}

/** The (1-based) indexes of the properties `ipma` associates with the item. */
function associations(file: FileBytes, ipma: Box, item: number): number[] {
  const bytes = file.at(ipma.start, Math.min(ipma.end - ipma.start, MAX_BOX_READ));
  if (bytes.length < 8) return [];
  const version = bytes[0]!;
  const wideIndexes = (bytes.readUIntBE(1, 3) & 1) === 1;
  let at = 8;
  for (let entry = bytes.readUInt32BE(4); entry > 0 && at < bytes.length; entry--) {
    const id = version < 1 ? bytes.readUInt16BE(at) : bytes.readUInt32BE(at);
    at += version < 1 ? 2 : 4;
    const count = bytes[at++] ?? 0;
    const indexes: number[] = [];
    for (let i = 0; i < count && at + (wideIndexes ? 2 : 1) <= bytes.length; i++) {
      indexes.push(wideIndexes ? bytes.readUInt16BE(at) & 0x7fff : bytes[at]! & 0x7f);
      at += wideIndexes ? 2 : 1;
    }
    if (id === item) return indexes;
  }
  return [];
}
