import { openImage } from '../../media/image.js';

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

/**
 * Decodes an image once (HEIC included) and makes a thumbnail that fits within maxWidth × maxHeight
 * points, never enlarged: JPEG, or PNG when the image has transparency. Throws when it cannot be read.
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
  const image = await openImage(path);
  const meta = await image.metadata();
  const upright = meta.autoOrient ?? meta;
  if (!upright.width || !upright.height) throw new Error(`${path}: no image size`);
  const shown = fitInside({ width: upright.width, height: upright.height }, maxWidth, maxHeight);
  const resized = image.resize(Math.ceil(shown.width * PIXELS_PER_POINT), Math.ceil(shown.height * PIXELS_PER_POINT), { fit: 'inside' });
  const data = await (meta.hasAlpha ? resized.png({ compressionLevel: 6 }) : resized.jpeg({ quality: 80 })).toBuffer();
  return { ...shown, data };
}

/** Scales a size to fit within a box, never enlarging. */
export function fitInside(size: Size, maxWidth: number, maxHeight: number): Size {
  const scale = Math.min(1, maxWidth / size.width, maxHeight / size.height);
  return { width: Math.max(1, size.width * scale), height: Math.max(1, size.height * scale) };
}
