import { readFile } from 'node:fs/promises';
import sharp, { type Sharp } from 'sharp';
import decodeHeic from 'heic-decode';

const HEIC_BRANDS = new Set(['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx', 'mif1', 'msf1', 'avci']);

/** True when the bytes are an HEIF/HEIC container (ftyp box with a HEIF brand). */
export function isHeic(head: Buffer): boolean {
  return head.length >= 12 && head.toString('latin1', 4, 8) === 'ftyp' && HEIC_BRANDS.has(head.toString('latin1', 8, 12));
}

/**
 * Opens any image a message may carry as a sharp pipeline, rotated upright.
 * sharp's bundled libvips cannot decode HEIC pixels, so HEIC goes through libheif (WebAssembly) first.
 * Throws when the file is not a readable image.
 */
export async function openImage(path: string): Promise<Sharp> {
  const bytes = await readFile(path);
  if (isHeic(bytes)) {
    const { width, height, data } = await decodeHeic({ buffer: bytes });
    return sharp(Buffer.from(data.buffer, data.byteOffset, data.byteLength), { raw: { width, height, channels: 4 } });
  }
  return sharp(bytes, { limitInputPixels: 268_402_689 }).rotate();
}
