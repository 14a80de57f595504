// A picture's size read from its file's first bytes, without decoding it: what a page needs to lay the picture out
// before it loads. The size is the picture as `openImage` shows it: upright.
import { closeSync, openSync, readSync } from 'node:fs';
import { imageSize } from 'image-size';
import { findBox } from 'image-size/types/utils';

export interface ImageSize {
  width: number;
  height: number;
}

/**
 * Bytes read first: every header but a JPEG's whose Exif segment holds a large thumbnail. Reading 64 KB took 2–3
 * times as long (1,000 small pictures in the page cache).
 */
const FIRST_READ = 16 * 1024;
/** How many times as many bytes each further read takes, up to the whole file. */
const GROWTH = 4;
/** The most read (16 KB × 4⁵): past it, a picture's size is not looked for (an HEIF whose `meta` box follows its pixels). */
const MAX_READ = 16 * 1024 * 1024;
/** image-size's answer for bytes of no format it knows, which more bytes would not change (it looks at the first few). */
const UNKNOWN_FORMAT = /^unsupported file type/;

/** What `probeImage` answers for a file nothing can draw: it is empty, or of no picture format known here. */
export const NO_PICTURE = 'no picture';

/**
 * The size of the picture in the file, upright; NO_PICTURE when there is surely none to draw; undefined when the
 * file is unreadable or of no type known here.
 */
export function probeImage(path: string): ImageSize | typeof NO_PICTURE | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    let bytes: Uint8Array = new Uint8Array(0);
    for (let length = FIRST_READ; length <= MAX_READ; length *= GROWTH) {
      bytes = readMore(fd, bytes, length);
      if (bytes.length === 0) return NO_PICTURE;
      const size = sizeIn(bytes);
      if (size !== 'more') return size;
      if (bytes.length < length) return undefined;
    }
    return undefined;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The bytes read so far and those after them, `length` in all (fewer at the file's end). */
function readMore(fd: number, bytes: Uint8Array, length: number): Uint8Array {
  const more = new Uint8Array(length);
  more.set(bytes);
  return more.subarray(0, bytes.length + readSync(fd, more, bytes.length, length - bytes.length, bytes.length));
}

/** The picture's size in these first bytes of its file; 'more' when image-size may find it in more of them. */
function sizeIn(bytes: Uint8Array): ImageSize | typeof NO_PICTURE | undefined | 'more' {
  let found: ReturnType<typeof imageSize>;
  try {
    found = imageSize(bytes);
  } catch (error) {
    return error instanceof Error && UNKNOWN_FORMAT.test(error.message) ? NO_PICTURE : 'more';
  }
  // librsvg draws an SVG at a density of its own, not at the size the file names.
  if (found.type === 'svg') return undefined;
  let size: ImageSize = { width: found.width, height: found.height };
  if (isIsoMedia(bytes)) size = heifShown(bytes, size);
  if (found.orientation !== undefined && found.orientation >= 5 && found.orientation <= 8) size = turned(size);
  return isSide(size.width) && isSide(size.height) ? size : undefined;
}

const isSide = (pixels: number) => Number.isInteger(pixels) && pixels > 0;

const turned = ({ width, height }: ImageSize): ImageSize => ({ width: height, height: width });

/** True for an ISO base media file (HEIF, HEIC, AVIF): its first box is `ftyp`. */
const isIsoMedia = (bytes: Uint8Array) => bytes.length >= 8 && String.fromCharCode(...bytes.subarray(4, 8)) === 'ftyp';

/**
 * An HEIF picture as libheif shows it, from its size as stored (image-size's): cropped by its clean aperture (`clap`)
 * and turned by its rotation (`irot`), which image-size leaves out (it takes the crop's denominator, 1, off the width:
 * 899 × 722 for a sticker shown 900 × 721). Apple's stickers lose a row to their crop; an iPhone stores a portrait
 * photo sideways and turns it by `irot`. Apple's files hold one crop and one rotation (a sticker may repeat its crop),
 * so the first of each is the primary picture's.
 */
function heifShown(bytes: Uint8Array, stored: ImageSize): ImageSize {
  const meta = findBox(bytes, 'meta', 0);
  const iprp = meta && findBox(bytes, 'iprp', meta.offset + 12);
  const ipco = iprp && findBox(bytes, 'ipco', iprp.offset + 8);
  if (!ipco) return stored;
  const property = (type: string, length: number) => {
    const box = findBox(bytes, type, ipco.offset + 8);
    return box && box.offset < ipco.offset + ipco.size && box.size >= length ? box.offset : undefined;
  };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const clap = property('clap', 24);
  const size =
    clap === undefined
      ? stored
      : {
          width: Math.round(view.getUint32(clap + 8) / view.getUint32(clap + 12)),
          height: Math.round(view.getUint32(clap + 16) / view.getUint32(clap + 20)),
        };
  const irot = property('irot', 9);
  return irot !== undefined && (bytes[irot + 8]! & 1) === 1 ? turned(size) : size;
}

/** The size a picture gets shrunk into a square of `side` (never enlarged), rounded as sharp's `fit: 'inside'` rounds it. */
export function fitInside(size: ImageSize, side: number): ImageSize {
  const scale = side / Math.max(size.width, size.height);
  if (scale >= 1) return size;
  return size.width >= size.height
    ? { width: side, height: Math.max(1, Math.round(size.height * scale)) }
    : { width: Math.max(1, Math.round(size.width * scale)), height: side };
}
