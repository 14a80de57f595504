// fontkit ships as pdfkit's own font engine; only the part used here for glyph coverage is typed.
declare module 'fontkit' {
  interface Font {
    hasGlyphForCodePoint(codePoint: number): boolean;
  }
  function create(buffer: Buffer): Font;
}
