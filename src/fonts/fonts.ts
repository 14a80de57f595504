import { createRequire } from 'node:module';
import { create as openFont, type Font } from 'fontkit';
import { withMetrics } from './metrics.js';
import { readFace, withOutlinesLater } from './sparse-font.js';

const require = createRequire(import.meta.url);

/** A font face bundled with an npm package, so every machine draws the same glyphs. */
export interface FontFace {
  /** Name the face is registered under in a PDF document. */
  name: string;
  /** The parsed font, read from disk the first time it is asked for and then kept for the process. */
  font(): Font;
}

export interface FaceSource {
  name: string;
  file: string;
  /** A face of symbols, asked only after Twemoji: a pictograph such as ✈ is its image even without U+FE0F. */
  lastResort?: boolean;
}

/** A Noto face from its @expo-google-fonts package: `noto('Thai')` is NotoSansThai, regular. */
function noto(script: string, weight: 'Regular' | 'Bold' = 'Regular'): FaceSource {
  const family = `NotoSans${script}`;
  const folder = weight === 'Bold' ? '700Bold' : '400Regular';
  const slug = script.replace(/(?<=[a-z])(?=[A-Z0-9])/g, '-').toLowerCase();
  return {
    name: weight === 'Bold' ? `${family}-Bold` : family,
    file: `@expo-google-fonts/noto-sans${slug ? `-${slug}` : ''}/${folder}/${family}_${folder}.ttf`,
  };
}

// Scripts beyond Latin, Greek, Cyrillic, Hebrew, Arabic and CJK; their text is drawn regular even when bold.
const MORE_SCRIPTS = [
  'Thai', 'Lao', 'Khmer', 'Myanmar', 'Georgian', 'Armenian', 'Ethiopic', 'Devanagari', 'Bengali', 'Gurmukhi',
  'Gujarati', 'Tamil', 'Telugu', 'Kannada', 'Malayalam', 'Sinhala',
].map((script) => noto(script));
// Ideographs the SC face lacks: HKSCS's, many of them in CJK Extension B, which Cantonese writes every day (𨋢, 𠵱).
const HK = noto('HK');
// Ideographs neither has: those of JIS X 0213 in Extension B, written in Japanese names and words (𠮷 of 𠮷田, 𩸽).
const JP = noto('JP');
// Last, for what no script's face has: letters of the Mathematical Alphanumeric Symbols (the "𝓯𝓪𝓷𝓬𝔂 text" of
// nicknames), arrows, and symbols such as ☐ ☒ ✗ ♔ that Twemoji does not draw (☑ is its image).
const SYMBOLS = ['Math', 'Symbols2'].map((script): FaceSource => ({ ...noto(script), lastResort: true }));

// Fallback order: the first face that has a glyph draws the character.
const REGULAR: FaceSource[] = [noto(''), noto('Hebrew'), noto('Arabic'), noto('SC'), noto('KR'), ...MORE_SCRIPTS, HK, JP, ...SYMBOLS];
const BOLD: FaceSource[] = [
  noto('', 'Bold'),
  noto('Hebrew', 'Bold'),
  noto('Arabic', 'Bold'),
  // CJK bold would cost another 16 MB of font per process; bold CJK text is drawn regular.
  noto('SC'),
  noto('KR'),
  ...MORE_SCRIPTS,
  HK,
  JP,
  ...SYMBOLS,
];

/** The faces most text is drawn in, whose simple words are shaped from build-time tables (see metrics.ts). */
export const LATIN_FACES: FaceSource[] = [REGULAR[0]!, BOLD[0]!];

export const fontFile = (source: FaceSource): string => require.resolve(source.file);

// Each face is read and parsed once per process, when text first needs it (the CJK faces alone are 24 MB).
const loaded = new Map<string, FontFace>();

function face(source: FaceSource): FontFace {
  let entry = loaded.get(source.name);
  if (!entry) {
    let font: Font | undefined;
    entry = { name: source.name, font: () => (font ??= open(source)) };
    loaded.set(source.name, entry);
  }
  return entry;
}

function open(source: FaceSource): Font {
  const face = readFace(fontFile(source));
  return withOutlinesLater(withMetrics(openFont(face.bytes), source.name), face);
}

/** A fallback chain of faces with per-character face choice, cached per code point. */
export class FontChain {
  readonly faces: FontFace[];
  private readonly choice = new Map<number, number>();
  private readonly covered = new Map<number, boolean>();
  private ascii?: boolean;

  constructor(private readonly sources: FaceSource[]) {
    this.faces = sources.map(face);
  }

  /** Whether the face is one of symbols, drawing only what neither a script's face nor Twemoji has. */
  isLastResort(faceIndex: number): boolean {
    return this.sources[faceIndex]?.lastResort === true;
  }

  /** Index of the face that draws this code point, or -1 when no bundled face has it. */
  faceIndexFor(codePoint: number): number {
    let index = this.choice.get(codePoint);
    if (index === undefined) {
      index = this.faces.findIndex((f) => f.font().hasGlyphForCodePoint(codePoint));
      this.choice.set(codePoint, index);
    }
    return index;
  }

  /** Whether the first face draws every printable ASCII character but the space (it is asked once). */
  asciiInFirstFace(): boolean {
    this.ascii ??= Array.from({ length: 0x7e - 0x20 }, (_, k) => 0x21 + k).every((codePoint) => this.faceIndexFor(codePoint) === 0);
    return this.ascii;
  }

  /** Whether the face draws the code point; cached, as fontkit looks it up in the face's table every time. */
  covers(faceIndex: number, codePoint: number): boolean {
    const key = faceIndex * 0x110000 + codePoint;
    let has = this.covered.get(key);
    if (has === undefined) this.covered.set(key, (has = this.faces[faceIndex].font().hasGlyphForCodePoint(codePoint)));
    return has;
  }
}

let chains: { regular: FontChain; bold: FontChain } | undefined;

/** The bundled regular and bold chains; each face is read from disk once per process, when first used. */
export function fontChains(): { regular: FontChain; bold: FontChain } {
  chains ??= { regular: new FontChain(REGULAR), bold: new FontChain(BOLD) };
  return chains;
}
