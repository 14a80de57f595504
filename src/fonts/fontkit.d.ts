// fontkit ships as pdfkit's own font engine; only the parts used here (glyph coverage, shaping, outlines) are typed.
declare module 'fontkit' {
  interface Glyph {
    id: number;
    advanceWidth: number;
    codePoints: number[];
    /** The outline in font units, y up (drawn by the sample-data generator). */
    path: { toSVG(): string };
  }
  interface GlyphPosition {
    xAdvance: number;
    xOffset: number;
    yOffset: number;
  }
  interface Font {
    unitsPerEm: number;
    head: { checkSumAdjustment: number };
    loca: { offsets: number[] };
    numGlyphs: number;
    directory: { tables: Record<string, { offset: number; length: number } | undefined> };
    getGlyph(id: number): Glyph;
    /** fontkit's glyph objects by id, made on first use (internal; see glyph-runs.ts `forgetShapes`). */
    _glyphs: Record<number, Glyph>;
    /** fontkit's shaper for the face, made on first use (internal; see empty-anchors.ts). */
    _layoutEngine: { engine?: { GPOSProcessor?: object | null } };
    hasGlyphForCodePoint(codePoint: number): boolean;
    /** Shapes text; `features` turns OpenType features on or off by tag; script and direction default to the text's. */
    layout(text: string, features?: Record<string, boolean>, script?: string, language?: string, direction?: 'ltr' | 'rtl'): { glyphs: Glyph[]; positions: GlyphPosition[] };
  }
  function create(buffer: Buffer): Font;
}
