import type { TextSpan } from '../../model/types.js';
import { escapeHtml, safeLink } from './escape.js';
import { webLinks } from '../web-links.js';

const STYLE_TAG = { bold: 'b', italic: 'i', underline: 'u', strikethrough: 's' } as const;

/** Message text as HTML: escaped, with links, mentions, styles and text effects from its spans, and its other web addresses linked. */
export function textHtml(text: string, ownSpans: TextSpan[]): string {
  const spans = [...ownSpans, ...unmarkedLinks(text, ownSpans)];
  if (spans.length === 0) return escapeHtml(text);
  // Cut the text wherever any span starts or ends, then wrap each piece in the spans covering it.
  const cuts = new Set<number>([0, text.length]);
  for (const span of spans) {
    cuts.add(clamp(span.start, text.length));
    cuts.add(clamp(span.end, text.length));
  }
  const points = [...cuts].sort((a, b) => a - b);
  let html = '';
  for (let i = 0; i + 1 < points.length; i++) {
    const start = points[i];
    const end = points[i + 1];
    const covering = spans.filter((s) => s.start <= start && s.end >= end);
    html += wrap(escapeHtml(text.slice(start, end)), covering);
  }
  return html;
}

/**
 * The web addresses no span of the message links, found as the PDF finds them: a message read from the
 * database's plain `text` column (older ones, some SMS) has no spans at all.
 */
function unmarkedLinks(text: string, spans: TextSpan[]): TextSpan[] {
  const linked = spans.filter((span) => span.link);
  return webLinks(text)
    .filter((found) => !linked.some((span) => span.start < found.end && found.start < span.end))
    .map((found) => ({ start: found.start, end: found.end, link: found.target }));
}

function wrap(inner: string, spans: TextSpan[]): string {
  let html = inner;
  for (const span of spans) {
    for (const style of span.styles ?? []) {
      const tag = STYLE_TAG[style];
      html = `<${tag}>${html}</${tag}>`;
    }
    if (span.animation) html = `<span class="fx fx-${escapeHtml(span.animation)}" title="Sent with ${escapeHtml(span.animation)} effect">${html}</span>`;
    if (span.mention) html = `<span class="mention" title="${escapeHtml(span.mention)}">${html}</span>`;
    const href = safeLink(span.link);
    if (href) html = `<a href="${escapeHtml(href)}" rel="noopener noreferrer">${html}</a>`;
  }
  return html;
}

function clamp(offset: number, length: number): number {
  return Math.max(0, Math.min(length, offset));
}
