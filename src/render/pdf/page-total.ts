import type { Color } from './canvas.js';
import { addContent, encodeIn, newStream, useXObject, type PdfStream } from './pdfkit-internals.js';

const NAME = 'PageTotal';

/**
 * The "Y" of "page X of Y", drawn on every page as a reference to one small form whose
 * content is written only at the end, when the number of pages is known. This keeps
 * rendering to a single streaming pass.
 */
export class PageTotal {
  private readonly form: PdfStream;
  private readonly fontId: string;

  constructor(
    private readonly doc: PDFKit.PDFDocument,
    private readonly face: string,
    private readonly size: number,
    private readonly color: Color,
  ) {
    const { id, resource } = encodeIn(doc, face, '');
    this.fontId = id;
    this.form = newStream(doc, { Type: 'XObject', Subtype: 'Form', BBox: [0, -size, size * 8, size * 1.2], Resources: { Font: { [id]: resource } } });
  }

  /** Shows the total on the current page with its baseline at `baseline`. */
  place(x: number, baseline: number): void {
    useXObject(this.doc, NAME, this.form);
    // pdfkit draws in a y-down space; the form's text wants PDF's usual y-up one.
    addContent(this.doc, `q 1 0 0 -1 ${x.toFixed(2)} ${baseline.toFixed(2)} cm /${NAME} Do Q`);
  }

  /** Writes the total; call once, after the last page and before the document ends. */
  finish(pageCount: number): void {
    const { glyphs } = encodeIn(this.doc, this.face, String(pageCount));
    const rgb = [1, 3, 5].map((i) => (parseInt(this.color.slice(i, i + 2), 16) / 255).toFixed(3)).join(' ');
    this.form.end(`BT ${rgb} rg /${this.fontId} ${this.size} Tf <${glyphs}> Tj ET`);
  }
}
