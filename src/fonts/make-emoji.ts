// Build step (npm run build): writes Twemoji's images from the Iconify icon set (@iconify-json/twemoji, a
// development dependency kept up with Unicode's new emoji) as the pack emoji-pack.ts reads.
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { EMOJI_DIR, EMOJI_IMAGES, EMOJI_INDEX, emojiKey, type EmojiIndex } from './emoji-pack.js';

interface IconifyIcon {
  body: string;
  left?: number;
  top?: number;
  width?: number;
  height?: number;
}

interface IconifySet {
  icons: Record<string, IconifyIcon>;
  aliases?: Record<string, { parent: string }>;
  width?: number;
  height?: number;
}

const require = createRequire(import.meta.url);

/** The icon as a standalone SVG document, on its own canvas (Twemoji's is 36 units square). */
function svgDocument(icon: IconifyIcon, set: IconifySet): string {
  const box = [icon.left ?? 0, icon.top ?? 0, icon.width ?? set.width ?? 16, icon.height ?? set.height ?? 16].join(' ');
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="${box}">${icon.body}</svg>`;
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  const set = require('@iconify-json/twemoji/icons.json') as IconifySet;
  const chars = require('@iconify-json/twemoji/chars.json') as Record<string, string>;
  const index: EmojiIndex = {};
  const images: Buffer[] = [];
  let offset = 0;
  for (const [code, name] of Object.entries(chars).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const icon = set.icons[set.aliases?.[name]?.parent ?? name];
    if (!icon) continue;
    const svg = Buffer.from(svgDocument(icon, set));
    index[emojiKey(code)] = [offset, svg.length];
    images.push(svg);
    offset += svg.length;
  }
  mkdirSync(EMOJI_DIR, { recursive: true });
  writeFileSync(EMOJI_IMAGES, Buffer.concat(images));
  writeFileSync(EMOJI_INDEX, JSON.stringify(index));
}
