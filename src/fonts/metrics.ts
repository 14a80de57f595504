// fontkit shapes a word through the face's GSUB and GPOS lookups; decoding them and warming that code up
// cost a small PDF about 1 s of CPU, most of it for words that are only glyphs side by side with pair
// kerning. For the Latin faces a table made at build time (make-metrics.ts, from the font files we ship)
// holds each simple character's glyph and advance, the ligatures two characters make ("fi"), the
// kerning of each pair, and the pairs that shape otherwise; a word without such a pair is shaped from it.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Font } from 'fontkit';

/** A word shaped as fontkit would, in thousandths of an em. */
export interface Shaped {
  glyphs: { id: number; advanceWidth: number; codePoints: number[] }[];
  positions: { xAdvance: number; xOffset: number; yOffset: number }[];
  width: number;
}

/** What make-metrics.ts writes for one face, in font units. Units are characters and ligatures. */
export interface MetricsFile {
  /** head.checkSumAdjustment of the font file it was made from: a table never applies to another file. */
  checkSum: number;
  /** [code point, glyph id, advance, group] of each character shaped alone as its own glyph, unmoved. */
  chars: [number, number, number, number][];
  /** [text, glyph id, advance] of each run of characters drawn as one glyph; unit id LIGATURE_IDS + index. */
  ligatures: [string, number, number][];
  /** [first unit, second unit, adjustment of the first's advance] for pairs that kern. */
  kerning: [number, number, number][];
  /** [first unit, second unit] for pairs that shape as something else than the two glyphs. */
  breaks: [number, number][];
}

export const LIGATURE_IDS = 0x110000;

/**
 * Pairs are tabled within a script and with characters of any script (group 0: digits, punctuation):
 * a word mixing Latin and Greek letters side by side is left to fontkit.
 */
export const pairsKnown = (first: number, second: number): boolean => first === 0 || second === 0 || first === second;

export const METRICS_DIR = fileURLToPath(new URL('../../dist/font-metrics/', import.meta.url));

export const metricsPath = (face: string): string => `${METRICS_DIR}${face}.json`;

type Glyph = Shaped['glyphs'][number];

interface Unit {
  id: number;
  glyph: Glyph;
  group: number;
  /** Ligatures that start with this character, longest first: [text, unit]. */
  ligatures: [string, Unit][];
}

export class SimpleShaper {
  private readonly units = new Map<number, Unit>();
  private readonly kerning = new Map<number, number>();
  private readonly breaks = new Set<number>();

  constructor(table: MetricsFile, scale: number) {
    for (const [codePoint, id, advance, group] of table.chars) {
      this.units.set(codePoint, { id: codePoint, glyph: { id, advanceWidth: advance * scale, codePoints: [codePoint] }, group, ligatures: [] });
    }
    table.ligatures.forEach(([text, id, advance], index) => {
      const first = this.units.get(text.charCodeAt(0))!;
      const codePoints = Array.from(text, (char) => char.charCodeAt(0));
      const unit = { id: LIGATURE_IDS + index, glyph: { id, advanceWidth: advance * scale, codePoints }, group: first.group, ligatures: [] };
      first.ligatures.push([text, unit]);
      first.ligatures.sort(([a], [b]) => b.length - a.length);
    });
    for (const [first, second, adjust] of table.kerning) this.kerning.set(pairKey(first, second), adjust * scale);
    for (const [first, second] of table.breaks) this.breaks.add(pairKey(first, second));
  }

  /** The word as fontkit would shape it, or undefined when the table cannot tell. */
  shape(word: string): Shaped | undefined {
    const units: Unit[] = [];
    for (let i = 0; i < word.length; ) {
      const unit = this.units.get(word.charCodeAt(i));
      if (!unit) return undefined;
      const ligature = unit.ligatures.find(([text]) => word.startsWith(text, i));
      units.push(ligature ? ligature[1] : unit);
      i += ligature ? ligature[0].length : 1;
    }
    const positions: Shaped['positions'] = [];
    let width = 0;
    for (let i = 0; i < units.length; i++) {
      const unit = units[i]!;
      const next = units[i + 1];
      let xAdvance = unit.glyph.advanceWidth;
      if (next) {
        const key = pairKey(unit.id, next.id);
        if (!pairsKnown(unit.group, next.group) || this.breaks.has(key)) return undefined;
        xAdvance += this.kerning.get(key) ?? 0;
      }
      positions.push({ xAdvance, xOffset: 0, yOffset: 0 });
      width += xAdvance;
    }
    return { glyphs: units.map((unit) => unit.glyph), positions, width };
  }
}

const pairKey = (first: number, second: number): number => first * 0x200000 + second;

const shapers = new WeakMap<Font, SimpleShaper>();

/** Attaches the face's build-time table to its parsed font when there is one made from this very file. */
export function withMetrics(font: Font, face: string): Font {
  let table: MetricsFile;
  try {
    table = JSON.parse(readFileSync(metricsPath(face), 'utf8')) as MetricsFile;
  } catch {
    return font;
  }
  if (table.checkSum === font.head.checkSumAdjustment) shapers.set(font, new SimpleShaper(table, 1000 / font.unitsPerEm));
  return font;
}

/** The word shaped from the face's table, or undefined when it has none or the word needs fontkit. */
export function simpleShape(font: Font, word: string): Shaped | undefined {
  return shapers.get(font)?.shape(word);
}
