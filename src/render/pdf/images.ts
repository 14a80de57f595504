import { openImage } from '../../media/image.js';

export interface Size {
  width: number;
  height: number;
}

// Thumbnails are rasterized at twice their size on paper, in pixels per point.
const PIXELS_PER_POINT = 2;

/**
 * Image sizes and thumbnails for one conversation. Sizes are remembered (a few numbers per image)
 * so the counting pass and the drawing pass lay images out identically; thumbnails are not kept.
 */
export class ImageSource {
  private readonly sizes = new Map<string, Size | null>();

  /** Upright pixel size of the image, or null when it cannot be read. */
  async size(path: string): Promise<Size | null> {
    if (this.sizes.has(path)) return this.sizes.get(path)!;
    let size: Size | null = null;
    try {
      const meta = await (await openImage(path)).metadata();
      const upright = meta.autoOrient ?? meta;
      if (upright.width && upright.height) size = { width: upright.width, height: upright.height };
    } catch {
      size = null;
    }
    this.sizes.set(path, size);
    return size;
  }

  /** A JPEG (or PNG, when the image has transparency) for drawing at width × height points. */
  async thumbnail(path: string, width: number, height: number): Promise<Buffer> {
    const image = await openImage(path);
    const { hasAlpha } = await image.metadata();
    const resized = image.resize(Math.ceil(width * PIXELS_PER_POINT), Math.ceil(height * PIXELS_PER_POINT), { fit: 'inside' });
    return hasAlpha ? resized.png({ compressionLevel: 6 }).toBuffer() : resized.jpeg({ quality: 80, mozjpeg: false }).toBuffer();
  }
}

/** Scales a size to fit within a box, never enlarging. */
export function fitInside(size: Size, maxWidth: number, maxHeight: number): Size {
  const scale = Math.min(1, maxWidth / size.width, maxHeight / size.height);
  return { width: Math.max(1, size.width * scale), height: Math.max(1, size.height * scale) };
}
