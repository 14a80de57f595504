import type { Color } from './canvas.js';
import { glyphHex } from './glyph-runs.js';
import { addContent, fontResource, newStream, useXObject, type PdfStream } from './pdfkit-internals.js';

export interface LateTextStyle {
  face: string;
  size: number;
  color: Color;
  /** Widest the text may be, in points; wider text is cut off. */
  width: number;
  /** Keep the content uncompressed, so it can be found and rewritten in the finished file. */
  plain?: boolean;
}

/**
 * Text drawn as a reference to one small form whose content is written later: the "Y" of "page X of Y"
 * on every page once the last page is known, or a count only known at the end. This keeps rendering
 * to a single streaming pass.
 */
export class LateText {
  private readonly form: PdfStream;
  private readonly fontId: string;

  constructor(
    private readonly doc: PDFKit.PDFDocument,
    private readonly name: string,
    private readonly style: LateTextStyle,
  ) {
    const { id, resource } = fontResource(doc, style.face);
    this.fontId = id;
    const { size, width } = style;
    this.form = newStream(doc, { Type: 'XObject', Subtype: 'Form', BBox: [0, -size, width, size * 1.2], Resources: { Font: { [id]: resource } } }, style.plain);
  }

  /** Shows the text on the current page with its baseline at `baseline`. */
  place(x: number, baseline: number): void {
    useXObject(this.doc, this.name, this.form);
    // pdfkit draws in a y-down space; the form's text wants PDF's usual y-up one.
    addContent(this.doc, `q 1 0 0 -1 ${x.toFixed(2)} ${baseline.toFixed(2)} cm /${this.name} Do Q`);
  }

  /** Writes the text (after `prefix`, content put before it); call once, before the document ends. */
  finish(text: string, prefix = ''): void {
    const glyphs = glyphHex(this.doc, this.style.face, text);
    const color = this.style.color;
    const rgb = [1, 3, 5].map((i) => (parseInt(color.slice(i, i + 2), 16) / 255).toFixed(3)).join(' ');
    this.form.end(`${prefix}BT ${rgb} rg /${this.fontId} ${this.style.size} Tf <${glyphs}> Tj ET`);
  }
}
