import { controlPicture } from '../control-pictures.js';
import { isolateNames } from '../isolate.js';

// Control characters but tab, line feed and carriage return, which HTML does not allow raw, too.
const SPECIAL = /[&<>"'\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
const SPECIAL_ALL = /[&<>"'\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;
const ENTITY: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML element content and quoted attribute values; control characters shown as in txt (ESC → ␛). */
export function escapeHtml(text: string): string {
  // Most message text has nothing to escape; testing first avoids building a new string.
  return SPECIAL.test(text) ? text.replace(SPECIAL_ALL, (c) => ENTITY[c] ?? escapeHtml(controlPicture(c))) : text;
}

/**
 * Text a person chose (a name, a group's title) as HTML isolated from what surrounds it, so that a
 * right-to-left name does not pull the punctuation and times next to it into its own direction.
 */
export function isolate(text: string): string {
  return `<bdi>${escapeHtml(text)}</bdi>`;
}

/** Escaped text with every occurrence of the given names in it isolated; the longest wins where names overlap. */
export function isolateWithin(text: string, names: string[]): string {
  return isolateNames(text, names, isolate, escapeHtml);
}

const LINKABLE = /^(https?:|mailto:|tel:)/i;

/** The URL when it is safe to put in an href (web, mail and phone links only), else undefined. */
export function safeLink(url: string | undefined): string | undefined {
  if (!url) return undefined;
  const trimmed = url.trim();
  return LINKABLE.test(trimmed) ? trimmed : undefined;
}

/** Percent-encodes each segment of a relative path for use in an href or src. */
export function hrefPath(relativePath: string): string {
  return relativePath.split('/').map(encodeURIComponent).join('/');
}
