import { readFile, stat } from 'node:fs/promises';
import sharp, { type Sharp } from 'sharp';
import { decodeHeicHere, type HeicDecoder, type Pixels } from './heic.js';
import { WorkerPool } from './worker-pool.js';
import { mediaWorkerScript } from './worker-script.js';

/**
 * An image file is read whole (by Node: libvips reading a path would not reach a long Windows path), so a larger
 * one is not shown: a photo, even a panorama, is far smaller, and a gigabyte video named .jpg took gigabytes of memory.
 */
const MAX_IMAGE_BYTES = 256 * 1024 * 1024;

const HEIC_BRANDS = new Set(['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx', 'mif1', 'msf1', 'avci']);

/** True when the bytes are an HEIF/HEIC container (ftyp box with a HEIF brand). */
export function isHeic(head: Buffer): boolean {
  return head.length >= 12 && head.toString('latin1', 4, 8) === 'ftyp' && HEIC_BRANDS.has(head.toString('latin1', 8, 12));
}

let heicThread: WorkerPool<Uint8Array, Pixels> | undefined;

/**
 * Decodes HEIC on a thread of its own: starting libheif runs its WebAssembly for most of a second,
 * which a thread drawing pages would otherwise wait for.
 */
export function decodeHeicOffThread(bytes: Uint8Array): Promise<Pixels> {
  heicThread ??= new WorkerPool(mediaWorkerScript('heic-worker'), 1);
  return heicThread.run(bytes);
}

/** Starts the HEIC thread and loads libheif in it ahead of the first image (iPhone photos are HEIC). */
export function startHeicThread(): void {
  decodeHeicOffThread(new Uint8Array(0)).catch(() => undefined);
}

/** Ends the HEIC thread, and its libheif memory with it; the next image starts another. */
export async function stopHeicThread(): Promise<void> {
  const thread = heicThread;
  heicThread = undefined;
  await thread?.close();
}

/**
 * Opens any image a message may carry as a sharp pipeline, rotated upright.
 * sharp's bundled libvips cannot decode HEIC pixels, so HEIC goes through libheif (WebAssembly) first.
 * Throws when the file is not a readable image.
 */
export async function openImage(path: string, decodeHeic: HeicDecoder = decodeHeicHere): Promise<Sharp> {
  const { size } = await stat(path);
  if (size > MAX_IMAGE_BYTES) throw new Error(`too large to show as an image (${size.toLocaleString('en-US')} bytes; up to ${MAX_IMAGE_BYTES.toLocaleString('en-US')} are shown)`);
  const bytes = await readFile(path);
  if (isHeic(bytes)) {
    const { width, height, data } = await decodeHeic(bytes);
    return sharp(data, { raw: { width, height, channels: 4 } });
  }
  return sharp(bytes, { limitInputPixels: 268_402_689 }).rotate();
}
