// OpenType lets a mark-positioning table leave a mark's or a base's anchor empty (a NULL offset: that mark has
// no place on that base). fontkit 2.0.4 reads such an anchor as null and throws on it (foliojs/fontkit#367), in
// common words: Noto Sans Gurmukhi's ਸ੍ਰ (ਸਤ ਸ੍ਰੀ ਅਕਾਲ), Malayalam's സ്ക (നമസ്കാരം), Arabic's isolated ڥ. As
// HarfBuzz does, the mark is then not attached and stays where shaping put it.
import type { Font } from 'fontkit';

interface Anchoring {
  applyAnchor(markRecord: { markAnchor: unknown }, baseAnchor: unknown, baseGlyphIndex: number): void;
}

const mended = new WeakSet<object>();

/** Makes the font's shaping pass over empty anchors (once for fontkit's class that positions glyphs). */
export function skipEmptyAnchors(font: Font): void {
  const positioning = font._layoutEngine.engine?.GPOSProcessor;
  if (!positioning) return;
  const shared = Object.getPrototypeOf(positioning) as Anchoring;
  if (mended.has(shared)) return;
  mended.add(shared);
  const attach = shared.applyAnchor;
  shared.applyAnchor = function (this: Anchoring, markRecord, baseAnchor, baseGlyphIndex) {
    if (markRecord.markAnchor && baseAnchor) attach.call(this, markRecord, baseAnchor, baseGlyphIndex);
  };
}
