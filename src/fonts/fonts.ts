import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { create as openFont, type Font } from 'fontkit';

const require = createRequire(import.meta.url);

/** A font face bundled with an npm package, so every machine draws the same glyphs. */
export interface FontFace {
  /** Name the face is registered under in a PDF document. */
  name: string;
  bytes: Buffer;
}

interface FaceSource {
  name: string;
  file: string;
}

// Fallback order: the first face that has a glyph draws the character.
const REGULAR: FaceSource[] = [
  { name: 'NotoSans', file: '@expo-google-fonts/noto-sans/400Regular/NotoSans_400Regular.ttf' },
  { name: 'NotoSansHebrew', file: '@expo-google-fonts/noto-sans-hebrew/400Regular/NotoSansHebrew_400Regular.ttf' },
  { name: 'NotoSansArabic', file: '@expo-google-fonts/noto-sans-arabic/400Regular/NotoSansArabic_400Regular.ttf' },
  { name: 'NotoSansSC', file: '@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf' },
  { name: 'NotoSansKR', file: '@expo-google-fonts/noto-sans-kr/400Regular/NotoSansKR_400Regular.ttf' },
];
const BOLD: FaceSource[] = [
  { name: 'NotoSans-Bold', file: '@expo-google-fonts/noto-sans/700Bold/NotoSans_700Bold.ttf' },
  { name: 'NotoSansHebrew-Bold', file: '@expo-google-fonts/noto-sans-hebrew/700Bold/NotoSansHebrew_700Bold.ttf' },
  { name: 'NotoSansArabic-Bold', file: '@expo-google-fonts/noto-sans-arabic/700Bold/NotoSansArabic_700Bold.ttf' },
  // CJK bold would cost another 16 MB of font per process; bold CJK text is drawn regular.
  REGULAR[3],
  REGULAR[4],
];

// Each face is read and parsed once per process, even when two chains share it.
const loaded = new Map<string, { face: FontFace; font: Font }>();

function load(source: FaceSource): { face: FontFace; font: Font } {
  let entry = loaded.get(source.name);
  if (!entry) {
    const face = { name: source.name, bytes: readFileSync(require.resolve(source.file)) };
    entry = { face, font: openFont(face.bytes) };
    loaded.set(source.name, entry);
  }
  return entry;
}

/** A fallback chain of faces with per-character face choice, cached per code point. */
export class FontChain {
  readonly faces: FontFace[];
  private readonly fonts: Font[];
  private readonly choice = new Map<number, number>();

  constructor(sources: FaceSource[]) {
    const entries = sources.map(load);
    this.faces = entries.map((e) => e.face);
    this.fonts = entries.map((e) => e.font);
  }

  /** Index of the face that draws this code point, or -1 when no bundled face has it. */
  faceIndexFor(codePoint: number): number {
    let index = this.choice.get(codePoint);
    if (index === undefined) {
      index = this.fonts.findIndex((font) => font.hasGlyphForCodePoint(codePoint));
      this.choice.set(codePoint, index);
    }
    return index;
  }

  covers(faceIndex: number, codePoint: number): boolean {
    return this.fonts[faceIndex].hasGlyphForCodePoint(codePoint);
  }
}

let chains: { regular: FontChain; bold: FontChain } | undefined;

/** The bundled regular and bold chains, read from disk once per process. */
export function fontChains(): { regular: FontChain; bold: FontChain } {
  chains ??= { regular: new FontChain(REGULAR), bold: new FontChain(BOLD) };
  return chains;
}
