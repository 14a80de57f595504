// Text drawn as glyph runs written straight into the page. pdfkit's text() shapes "word " with its
// trailing space while measuring shapes "word", so every word was shaped twice per document; here
// words and spaces are shaped apart, once per process for each face (documents share the parsed
// fonts), and measuring and drawing use the same shapes.

import type { Font } from 'fontkit';
import { skipEmptyAnchors } from '../../fonts/empty-anchors.js';
import { simpleShape, type Shaped } from '../../fonts/metrics.js';
import { readOutlines } from '../../fonts/sparse-font.js';
import { addContent, embeddedFont, embeddedFonts, type EmbeddedFont } from './pdfkit-internals.js';

// Shapes kept per face before they are forgotten, so memory stays flat however many words a run meets.
const MAX_SHAPES = 10_000;
const shapes = new Map<Font, Map<string, Shaped>>();

function shape(font: Font, word: string): Shaped {
  let words = shapes.get(font);
  if (!words) shapes.set(font, (words = new Map()));
  let shaped = words.get(word);
  if (!shaped) {
    shaped = simpleShape(font, word) ?? fontkitShape(font, word);
    if (words.size >= MAX_SHAPES) words.clear();
    words.set(word, shaped);
  }
  return shaped;
}

/**
 * Call as each document begins: forgets every shape, and fontkit's glyphs. fontkit keeps a glyph with the
 * characters of the first word it was shaped in, which become the document's text for that glyph (its
 * ToUnicode map): Arabic letters that share a glyph were named after whichever word the thread had shaped
 * first, in any earlier document, so the same PDF made twice differed. Within one document that is always the same word.
 */
export function forgetShapes(): void {
  for (const font of shapes.keys()) font._glyphs = {};
  shapes.clear();
}

// fontkit would lay out a word of Arabic-Indic digits (١٢٣, ۱۲۳) right to left with their script; they read left to right.
const RTL_LETTER = /[\u0590-\u065f\u066d-\u06ef\u06fa-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]|\ud802[\udc00-\udfff]|\ud83a/;

/** Whether a word is laid out right to left, its glyphs coming out in visual order: when it has a right-to-left letter. */
export const shapedRightToLeft = (word: string): boolean => RTL_LETTER.test(word);

function layout(font: Font, word: string): ReturnType<Font['layout']> {
  skipEmptyAnchors(font);
  return font.layout(word, {}, undefined, undefined, shapedRightToLeft(word) ? 'rtl' : 'ltr');
}

function fontkitShape(font: Font, word: string): Shaped {
  const run = layout(font, word);
  const scale = 1000 / font.unitsPerEm;
  return {
    glyphs: run.glyphs.map((g) => ({ id: g.id, advanceWidth: g.advanceWidth * scale, codePoints: g.codePoints })),
    positions: run.positions.map((p) => ({ xAdvance: p.xAdvance * scale, xOffset: p.xOffset * scale, yOffset: p.yOffset * scale })),
    width: run.positions.reduce((sum, p) => sum + p.xAdvance * scale, 0),
  };
}

/** Call before the document ends: reads the outlines of the glyphs each subset embeds, for faces read without them. */
export function readSubsetOutlines(doc: PDFKit.PDFDocument): void {
  for (const embedded of embeddedFonts(doc)) readOutlines(embedded.font as Font, embedded.subset.glyphs);
}

/** What `segments` cuts a text at. */
const BREAKS = /[ \t]/;

/** Words and single spaces or tabs, in order. */
function segments(text: string): string[] {
  const found: string[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code !== 0x20 && code !== 0x09) continue;
    if (i > start) found.push(text.slice(start, i));
    found.push(code === 0x20 ? ' ' : '\t');
    start = i + 1;
  }
  if (start < text.length) found.push(text.slice(start));
  return found;
}

/** Width of text in a registered face at a size, in points. */
export function textWidth(doc: PDFKit.PDFDocument, face: string, size: number, text: string): number {
  const font = embeddedFont(doc, face).font as Font;
  // Most texts measured are one word (a line's pieces): shaped as they are, without a list of segments.
  if (text.length > 0 && !BREAKS.test(text)) return (shape(font, text).width * size) / 1000;
  let width = 0;
  for (const segment of segments(text)) width += shape(font, segment).width;
  return (width * size) / 1000;
}

const number = (n: number): string => String(Math.round(n * 1e6) / 1e6);

// Per document's embedding of a face: each shaped word's glyphs in a TJ array (see glyphOperand), or null when a
// glyph of it is moved by an offset (drawn glyph by glyph). Forgotten with the shape when the shape cache forgets it.
const operandsIn = new WeakMap<EmbeddedFont, WeakMap<Shaped, string | null>>();

/** A word's glyphs in a TJ array (see glyphOperand), its glyphs added to the subset in order. */
function operands(embedded: EmbeddedFont, shaped: Shaped): string | null {
  let words = operandsIn.get(embedded);
  if (!words) operandsIn.set(embedded, (words = new WeakMap()));
  let found = words.get(shaped);
  if (found === undefined) {
    const moved = shaped.positions.some((position) => position.xOffset || position.yOffset);
    found = moved ? null : shaped.glyphs.map((glyph, i) => glyphOperand(embedded, glyph, glyph.advanceWidth - shaped.positions[i]!.xAdvance)).join('');
    words.set(shaped, found);
  }
  return found;
}

/** One glyph's code in the subset as four hex digits (added to it, with its width and text, the first time). */
function glyphCode(embedded: EmbeddedFont, glyph: Shaped['glyphs'][number]): string {
  const id = embedded.subset.includeGlyph(glyph.id);
  embedded.widths[id] ??= glyph.advanceWidth;
  embedded.unicode[id] ??= glyph.codePoints;
  return id.toString(16).padStart(4, '0');
}

/**
 * One glyph in a TJ array whose hex string is open before it: its code, and after a kerning adjustment the string
 * is closed and the next one opened. Glyphs without adjustments between them share one string (4 bytes a
 * glyph instead of 7); `tjArray` closes the array.
 */
function glyphOperand(embedded: EmbeddedFont, glyph: Shaped['glyphs'][number], adjust: number): string {
  const hex = glyphCode(embedded, glyph);
  return adjust ? `${hex}> ${number(adjust)} <` : hex;
}

/** A TJ operator over glyphs written by glyphOperand; an adjustment after the last glyph leaves no empty string. */
function tjArray(glyphs: string): string {
  return glyphs.endsWith(' <') ? `[<${glyphs.slice(0, -2)}] TJ` : `[<${glyphs}>] TJ`;
}

/** The glyph codes of text in a registered face, as hex for a Tj string (kerning left out), its glyphs added to the subset. */
export function glyphHex(doc: PDFKit.PDFDocument, face: string, text: string): string {
  const embedded = embeddedFont(doc, face);
  const font = embedded.font as Font;
  let hex = '';
  for (const segment of segments(text)) for (const glyph of shape(font, segment).glyphs) hex += glyphCode(embedded, glyph);
  return hex;
}

/**
 * Draws text with its baseline at (x, baseline) in pdfkit's y-down page space, in the current fill color:
 * one text object whose matrix turns glyphs upright, kerning as TJ adjustments, marks moved by their offsets.
 */
export function drawText(doc: PDFKit.PDFDocument, face: string, size: number, text: string, x: number, baseline: number): void {
  const embedded = embeddedFont(doc, face);
  const font = embedded.font as Font;
  const scale = size / 1000;
  const out = [`BT /${embedded.id} ${number(size)} Tf 1 0 0 -1 ${number(x)} ${number(baseline)} Tm`];
  let pending = '';
  const flush = () => {
    if (pending) out.push(tjArray(pending));
    pending = '';
  };
  let offset = false;
  for (const segment of segments(text)) {
    const shaped = shape(font, segment);
    const { glyphs, positions } = shaped;
    const plain = offset ? null : operands(embedded, shaped);
    if (plain !== null) {
      pending += plain;
      for (const position of positions) x += position.xAdvance * scale;
      continue;
    }
    for (let i = 0; i < glyphs.length; i++) {
      const glyph = glyphs[i]!;
      const position = positions[i]!;
      const operand = glyphOperand(embedded, glyph, glyph.advanceWidth - position.xAdvance);
      if (position.xOffset || position.yOffset) {
        flush();
        out.push(`1 0 0 -1 ${number(x + position.xOffset * scale)} ${number(baseline - position.yOffset * scale)} Tm`);
        offset = true;
      } else if (offset) {
        out.push(`1 0 0 -1 ${number(x)} ${number(baseline)} Tm`);
        offset = false;
      }
      pending += operand;
      if (position.xOffset || position.yOffset) flush();
      x += position.xAdvance * scale;
    }
  }
  flush();
  out.push('ET');
  // A string, gathered with the page's other operators (see compressPageFast), which adds the line's end: a Buffer
  // for each text object cost a 20k thread's main thread more in allocation than the text took to join.
  addContent(doc, out.join('\n'));
}
