// Sticker provenance (attachment.sticker_user_info / attribution_info, fixtures SCHEMA.md §4.11)
// and the visual effect Apple records in a user-made sticker's HEIC file (§4.12).

import { DecodeError } from './errors.js';
import { isPlistDict, parsePlist, plistText } from './plist.js';

const GENMOJI = 'com.apple.messages.genmoji';
const MEMOJI = new Set(['com.apple.Animoji.StickersApp.MessagesExtension', 'com.apple.Jellyfish.Animoji']);
const USER_GENERATED = 'com.apple.Stickers.UserGenerated.MessagesExtension';

/**
 * Where a sticker came from: "genmoji" (description = its prompt), "memoji", "user_generated",
 * or the sticker app's name. Undefined when the sticker records no provenance or it cannot be read.
 */
export function stickerSource(
  stickerUserInfo?: Uint8Array,
  attributionInfo?: Uint8Array,
  shortDescription?: string,
): { source: string; description?: string } | undefined {
  const providerId = plistString(stickerUserInfo, 'pid');
  if (!providerId) return undefined;
  const bundleId = (providerId.includes(':') ? providerId.split(':')[2] : providerId) || providerId;
  if (bundleId === GENMOJI) return { source: 'genmoji', ...(shortDescription && { description: shortDescription }) };
  if (MEMOJI.has(bundleId)) return { source: 'memoji' };
  if (bundleId === USER_GENERATED) return { source: 'user_generated' };
  return { source: plistString(attributionInfo, 'name') ?? bundleId };
}

function plistString(bytes: Uint8Array | undefined, key: string): string | undefined {
  if (!bytes || bytes.length === 0) return undefined;
  try {
    const dict = parsePlist(bytes);
    return isPlistDict(dict) ? plistText(dict[key]) : undefined;
  } catch (error) {
    if (error instanceof DecodeError) return undefined;
    throw error;
  }
}

const EFFECT_NAMES = new Map([
  ['stroke', 'outline'],
  ['comic', 'comic'],
  ['puffy', 'puffy'],
  ['iridescent', 'shiny'],
]);
const EFFECT_ATTRIBUTE = Buffer.from('stickerEffect:type="');

/** The effect of a user-made sticker ("normal", "outline", "comic", "puffy", "shiny", or Apple's raw name). */
export function stickerEffect(heicBytes: Uint8Array): string {
  const raw = stickerEffectType(heicBytes);
  if (raw === undefined) return 'normal';
  return EFFECT_NAMES.get(raw) ?? raw;
}

/** The raw `stickerEffect:type` value in the file's XMP packet, if any. */
export function stickerEffectType(heicBytes: Uint8Array): string | undefined {
  const bytes = Buffer.from(heicBytes.buffer, heicBytes.byteOffset, heicBytes.byteLength);
  const at = bytes.indexOf(EFFECT_ATTRIBUTE);
  if (at < 0) return undefined;
  const start = at + EFFECT_ATTRIBUTE.length;
  const end = bytes.indexOf(0x22, start); // closing quote
  if (end < 0 || end - start > 64) return undefined;
  return bytes.toString('utf8', start, end);
}
