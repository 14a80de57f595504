const SPECIAL = /[&<>"']/;
const SPECIAL_ALL = /[&<>"']/g;
const ENTITY: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  // Most message text has nothing to escape; testing first avoids building a new string.
  return SPECIAL.test(text) ? text.replace(SPECIAL_ALL, (c) => ENTITY[c]) : text;
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
