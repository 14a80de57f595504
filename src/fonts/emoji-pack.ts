import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Twemoji's images, as the build step (make-emoji.ts) leaves them: every SVG document back to back in one file,
 * and an index of where each is, by its code points without U+FE0F ("1f44d-1f3fd"). Reading the icon set's
 * own JSON (10 MB) took 0.4 s a run; the index is 90 kB, and a PDF reads only the images it draws.
 */
export const EMOJI_DIR = fileURLToPath(new URL('../../dist/emoji/', import.meta.url));
export const EMOJI_INDEX = `${EMOJI_DIR}twemoji-index.json`;
export const EMOJI_IMAGES = `${EMOJI_DIR}twemoji.svgs`;

/** Where an image is in EMOJI_IMAGES: its first byte and its length. */
export type EmojiIndex = Record<string, [start: number, length: number]>;

let index: EmojiIndex | undefined;

function loadedIndex(): EmojiIndex {
  index ??= JSON.parse(readFileSync(EMOJI_INDEX, 'utf8')) as EmojiIndex;
  return index;
}

/**
 * What an image is known by: its code points (hex, at least four digits as Twemoji names its files, joined by "-")
 * without the emoji presentation selector. The parser writes a keycap's 1 as "31" (1️⃣: "31-fe0f-20e3").
 */
export const emojiKey = (code: string): string => code.split('-').filter((point) => point !== 'fe0f').map((point) => point.padStart(4, '0')).join('-');

/** Whether Twemoji has an image for these code points (as `emojiKey` gives them). */
export function hasEmojiImage(code: string): boolean {
  return Object.hasOwn(loadedIndex(), code);
}

/** The SVG document of the image; undefined when the pack has none. */
export function emojiSvg(code: string): Buffer | undefined {
  const place = loadedIndex()[code];
  if (!place) return undefined;
  const [start, length] = place;
  const svg = Buffer.allocUnsafe(length);
  const file = openSync(EMOJI_IMAGES, 'r');
  try {
    readSync(file, svg, 0, length, start);
  } finally {
    closeSync(file);
  }
  return svg;
}
