import sharp from 'sharp';
import { decodeHeicOffThread, openImage } from '../../media/image.js';
import { settled, unwrap } from './settled.js';

export interface Size {
  width: number;
  height: number;
}

/** An image ready to draw: a small JPEG or PNG and the size it takes on paper, in points. */
export interface Thumbnail extends Size {
  data: Buffer;
}

// A full-size photo decodes to tens of megabytes of pixels: only this many at once.
const MAX_DECODING = 2;
let decoding = 0;
const waiting: (() => void)[] = [];

// Thumbnails are rasterized at twice their size on paper, in pixels per point.
const PIXELS_PER_POINT = 2;
const JPEG_QUALITY = 80;
/**
 * Images are drawn on the white page, so a transparent one is laid on white here: pdfkit embeds a PNG
 * without alpha as it is, where one with alpha costs it a decode of every pixel and two compressions.
 */
const PAPER = '#ffffff';

/**
 * Decodes an image once (HEIC included) and makes a thumbnail that fits within maxWidth × maxHeight
 * points, never enlarged: JPEG, or, when the image has visible transparency, PNG laid on the white page.
 * Throws when it cannot be read.
 */
export async function makeThumbnail(path: string, maxWidth: number, maxHeight: number): Promise<Thumbnail> {
  while (decoding >= MAX_DECODING) await new Promise<void>((resolve) => waiting.push(resolve));
  decoding++;
  try {
    return await decode(path, maxWidth, maxHeight);
  } finally {
    decoding--;
    waiting.shift()?.();
  }
}

async function decode(path: string, maxWidth: number, maxHeight: number): Promise<Thumbnail> {
  const image = await openImage(path, decodeHeicOffThread);
  const meta = await image.metadata();
  const upright = meta.autoOrient ?? meta;
  if (!upright.width || !upright.height) throw new Error(`${path}: no image size`);
  const shown = fitInside({ width: upright.width, height: upright.height }, maxWidth, maxHeight);
  const resized = image.resize(Math.ceil(shown.width * PIXELS_PER_POINT), Math.ceil(shown.height * PIXELS_PER_POINT), { fit: 'inside' });
  if (!meta.hasAlpha) return { ...shown, data: await resized.jpeg({ quality: JPEG_QUALITY }).toBuffer() };
  // HEIC always decodes with an alpha channel; photos that use none still become JPEG, a fraction of a PNG's size.
  const { data: pixels, info } = await resized.raw().toBuffer({ resolveWithObject: true });
  const small = sharp(pixels, { raw: { width: info.width, height: info.height, channels: info.channels } });
  const data = await (isOpaque(pixels, info.channels) ? small.removeAlpha().jpeg({ quality: JPEG_QUALITY }) : small.flatten({ background: PAPER }).png()).toBuffer();
  return { ...shown, data };
}

/**
 * Thumbnails begun ahead of the layout that draws them, so that decoding photos overlaps with laying out
 * and drawing the messages before them; each is taken as often as it was begun.
 */
export class ThumbnailsAhead {
  private readonly begun = new Map<string, { thumbnail: Promise<Thumbnail | Error>; uses: number }>();

  begin(path: string, maxWidth: number, maxHeight: number): void {
    const key = thumbnailKey(path, maxWidth, maxHeight);
    const found = this.begun.get(key);
    if (found) found.uses++;
    else this.begun.set(key, { thumbnail: settled(makeThumbnail(path, maxWidth, maxHeight)), uses: 1 });
  }

  /** The thumbnail begun with these arguments, or one made now; throws when the image cannot be read. */
  async take(path: string, maxWidth: number, maxHeight: number): Promise<Thumbnail> {
    const key = thumbnailKey(path, maxWidth, maxHeight);
    const found = this.begun.get(key);
    if (!found) return makeThumbnail(path, maxWidth, maxHeight);
    if (--found.uses === 0) this.begun.delete(key);
    return unwrap(await found.thumbnail);
  }
}

const thumbnailKey = (path: string, maxWidth: number, maxHeight: number) => `${maxWidth}x${maxHeight} ${path}`;

function isOpaque(pixels: Buffer, channels: number): boolean {
  for (let i = channels - 1; i < pixels.length; i += channels) if (pixels[i] !== 255) return false;
  return true;
}

/** Scales a size to fit within a box, never enlarging. */
export function fitInside(size: Size, maxWidth: number, maxHeight: number): Size {
  const scale = Math.min(1, maxWidth / size.width, maxHeight / size.height);
  return { width: Math.max(1, size.width * scale), height: Math.max(1, size.height * scale) };
}
