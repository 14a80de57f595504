// Build step (npm run build): writes dist/font-metrics/<face>.json for the Latin faces, from the font files
// we ship, with fontkit itself shaping every character, ligature and pair of them (see metrics.ts).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { create as openFont, type Font } from 'fontkit';
import { fontFile, LATIN_FACES } from './fonts.js';
import { LIGATURE_IDS, METRICS_DIR, metricsPath, pairsKnown, SimpleShaper, type MetricsFile } from './metrics.js';

// Printable ASCII, Latin-1, Greek, Cyrillic, and the dashes, quotes and ellipsis of General Punctuation.
const RANGES: [number, number][] = [
  [0x20, 0x7e],
  [0xa1, 0xff],
  [0x370, 0x3ff],
  [0x400, 0x45f],
  [0x2010, 0x2027],
];
const GROUPS = [/\p{Script=Latin}/u, /\p{Script=Greek}/u, /\p{Script=Cyrillic}/u];

/** 0 for characters that go with any script (digits, punctuation, symbols), else its script's number. */
const groupOf = (char: string): number => GROUPS.findIndex((script) => script.test(char)) + 1;

interface Unit {
  id: number;
  text: string;
  glyph: number;
  advance: number;
  group: number;
}

type Glyphs = { ids: number[]; advances: number[]; widths: number[] } | undefined;

// Pairs are shaped once: looking for ligatures and for kerning ask for the same ones.
const shapedPairs = new WeakMap<Font, Map<string, Glyphs>>();

/** The glyphs fontkit makes of `text`, when none is moved by an offset. */
function glyphsOf(font: Font, text: string): Glyphs {
  let known = shapedPairs.get(font);
  if (!known) shapedPairs.set(font, (known = new Map()));
  if (text.length === 2 && known.has(text)) return known.get(text);
  const run = font.layout(text);
  const glyphs = run.positions.some((p) => p.xOffset || p.yOffset)
    ? undefined
    : { ids: run.glyphs.map((g) => g.id), advances: run.positions.map((p) => p.xAdvance), widths: run.glyphs.map((g) => g.advanceWidth) };
  if (text.length === 2) known.set(text, glyphs);
  return glyphs;
}

/** Characters drawn as one glyph of their own, and runs of two or three drawn as one glyph (ligatures such as "fi"). */
function units(font: Font): Unit[] {
  const chars: Unit[] = [];
  for (const [first, last] of RANGES) {
    for (let codePoint = first; codePoint <= last; codePoint++) {
      const text = String.fromCharCode(codePoint);
      if (codePoint === 0xad || !font.hasGlyphForCodePoint(codePoint)) continue; // U+00AD, the soft hyphen, is never drawn
      const shaped = glyphsOf(font, text);
      if (shaped?.ids.length !== 1 || shaped.advances[0] !== shaped.widths[0]) continue;
      chars.push({ id: codePoint, text, glyph: shaped.ids[0]!, advance: shaped.advances[0]!, group: groupOf(text) });
    }
  }
  const ligatures: Unit[] = [];
  const join = (starts: Unit[]) => {
    for (const a of starts) {
      for (const b of chars) {
        const shaped = pairsKnown(a.group, b.group) ? glyphsOf(font, a.text + b.text) : undefined;
        if (shaped?.ids.length === 1 && shaped.advances[0] === shaped.widths[0]) {
          ligatures.push({ id: LIGATURE_IDS + ligatures.length, text: a.text + b.text, glyph: shaped.ids[0]!, advance: shaped.advances[0]!, group: a.group });
        }
      }
    }
  };
  join(chars);
  // Ligatures of three characters ("ffi") start with one of two.
  join([...ligatures]);
  return [...chars, ...ligatures];
}

/** Every pair of units that may meet, shaped by fontkit: kerning, or a break when it is not the two glyphs. */
export function faceMetrics(font: Font): MetricsFile {
  const all = units(font);
  const kerning: MetricsFile['kerning'] = [];
  const breaks: MetricsFile['breaks'] = [];
  for (const a of all) {
    for (const b of all) {
      if (!pairsKnown(a.group, b.group)) continue;
      const shaped = glyphsOf(font, a.text + b.text);
      const same = shaped?.ids.length === 2 && shaped.ids[0] === a.glyph && shaped.ids[1] === b.glyph && shaped.advances[1] === b.advance;
      if (!same) breaks.push([a.id, b.id]);
      else if (shaped.advances[0] !== a.advance) kerning.push([a.id, b.id, shaped.advances[0]! - a.advance]);
    }
  }
  const table: MetricsFile = {
    checkSum: font.head.checkSumAdjustment,
    chars: all.filter((u) => u.id < LIGATURE_IDS).map((u) => [u.id, u.glyph, u.advance, u.group]),
    ligatures: all.filter((u) => u.id >= LIGATURE_IDS).map((u) => [u.text, u.glyph, u.advance]),
    kerning,
    breaks,
  };
  return ligaturesAgree(font, table) ? table : withoutLigatures(table);
}

/**
 * Whether every string of up to four characters that ligatures are made of shapes from the table as
 * fontkit shapes it: the table takes the longest ligature first, which the font's own order may not do.
 */
function ligaturesAgree(font: Font, table: MetricsFile): boolean {
  const letters = [...new Set(table.ligatures.flatMap(([text]) => Array.from(text)))];
  const shaper = new SimpleShaper(table, 1);
  let strings = [''];
  for (let length = 1; length <= 4; length++) {
    strings = strings.flatMap((s) => letters.map((letter) => s + letter));
    for (const text of strings) {
      const ours = shaper.shape(text);
      const theirs = glyphsOf(font, text);
      if (ours && (!theirs || ours.glyphs.map((g) => g.id).join() !== theirs.ids.join() || ours.positions.map((p) => p.xAdvance).join() !== theirs.advances.join())) return false;
    }
  }
  return true;
}

/** The table with its ligatures left to fontkit: words where one may form are not shaped from it. */
function withoutLigatures(table: MetricsFile): MetricsFile {
  const starts = table.ligatures.map(([text]): [number, number] => [text.charCodeAt(0), text.charCodeAt(1)]);
  const simple = (pair: [number, number, ...number[]]) => pair[0] < LIGATURE_IDS && pair[1] < LIGATURE_IDS;
  return { ...table, ligatures: [], kerning: table.kerning.filter(simple), breaks: [...table.breaks.filter(simple), ...starts] };
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  mkdirSync(METRICS_DIR, { recursive: true });
  for (const source of LATIN_FACES) {
    writeFileSync(metricsPath(source.name), JSON.stringify(faceMetrics(openFont(readFileSync(fontFile(source))))));
  }
}
