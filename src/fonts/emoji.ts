import { parse } from '@twemoji/parser';
import sharp from 'sharp';
import { emojiKey, emojiSvg, hasEmojiImage } from './emoji-pack.js';

const RASTER_PX = 72;
// Twemoji draws on a 36-unit canvas: at this density it comes out RASTER_PX wide, with no resampling.
const SVG_DENSITY = (72 * RASTER_PX) / 36;

/** Credit line the Twemoji license (CC-BY 4.0) asks for. */
export const EMOJI_CREDIT = 'Emoji graphics: Twemoji by Twitter, Inc. and other contributors, licensed CC-BY 4.0';

export interface EmojiMatch {
  start: number;
  end: number;
  /**
   * Twemoji asset names drawn side by side, e.g. ["1f44d-1f3fd"]: one, or for a sequence newer than
   * Twemoji (🐦‍🔥), the images of its parts it has (🐦 🔥), as systems without the sequence show it.
   */
  codes: string[];
}

const PICTOGRAPHIC = /\p{Extended_Pictographic}/gu;

/**
 * Emoji in `text` that Twemoji has an image for, with UTF-16 offsets: what the parser finds, and single
 * pictographs it leaves to the text font (☺, ✈ without U+FE0F), for when no font has them.
 */
export function findEmoji(text: string): EmojiMatch[] {
  if (!/[\u00a9\u00ae\u2000-\u3300\ud83c-\ud83e]/.test(text)) return [];
  const found = parse(text, { buildUrl: (codepoints) => codepoints })
    .map((e) => ({ start: e.indices[0], end: e.indices[1], codes: assetNames(e.url) }))
    .filter((e) => e.codes.length > 0);
  const covered = (i: number) => found.some((e) => e.start <= i && i < e.end);
  for (const match of text.matchAll(PICTOGRAPHIC)) {
    const code = assetName(match[0].codePointAt(0)!.toString(16));
    if (code && !covered(match.index)) found.push({ start: match.index, end: match.index + match[0].length, codes: [code] });
  }
  return found.sort((a, b) => a.start - b.start);
}

/** The sequence's own image, else those of its parts between zero-width joiners that Twemoji has. */
function assetNames(code: string): string[] {
  const whole = assetName(code);
  if (whole) return [whole];
  return code.split('-200d-').map(assetName).filter((name): name is string => name !== undefined);
}

function assetName(code: string): string | undefined {
  const key = emojiKey(code);
  return hasEmojiImage(key) ? key : undefined;
}

// One raster per emoji for the whole process: there are only a few thousand emoji.
const rasters = new Map<string, Promise<RgbaPixels | undefined>>();

/** Pixels as red, green, blue and alpha bytes, row after row. */
export interface RgbaPixels {
  data: Buffer;
  width: number;
  height: number;
}

/** The emoji rasterized once and reused; undefined when its SVG cannot be drawn. */
export function emojiRaster(code: string): Promise<RgbaPixels | undefined> {
  let raster = rasters.get(code);
  if (!raster) {
    raster = rasterOf(emojiSvg(code));
    rasters.set(code, raster);
  }
  return raster;
}

async function rasterOf(svg: Buffer | undefined): Promise<RgbaPixels | undefined> {
  if (!svg) return undefined;
  try {
    const { data, info } = await sharp(svg, { density: SVG_DENSITY }).resize(RASTER_PX, RASTER_PX).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    return { data, width: info.width, height: info.height };
  } catch {
    return undefined;
  }
}
