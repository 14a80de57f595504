import type { Color } from './canvas.js';

/** The parts of pdfkit this relies on that @types/pdfkit does not describe. */
interface PdfkitInternals {
  _font: { id: string; ref(): unknown; encode(text: string): [string[], unknown] };
  page: { xobjects: Record<string, unknown> };
  addContent(data: string): void;
  ref(data: object): { end(chunk?: string): void };
}

const NAME = 'PageTotal';

/**
 * The "Y" of "page X of Y", drawn on every page as a reference to one small form whose
 * content is written only at the end, when the number of pages is known. This keeps
 * rendering to a single streaming pass.
 */
export class PageTotal {
  private readonly form: { end(chunk?: string): void };
  private readonly font: PdfkitInternals['_font'];

  constructor(
    doc: PDFKit.PDFDocument,
    face: string,
    private readonly size: number,
    private readonly color: Color,
  ) {
    const internals = doc.font(face) as unknown as PdfkitInternals;
    this.font = internals._font;
    this.form = internals.ref({
      Type: 'XObject',
      Subtype: 'Form',
      BBox: [0, -size, size * 8, size * 1.2],
      Resources: { Font: { [this.font.id]: this.font.ref() } },
    });
  }

  /** Shows the total on the current page with its baseline at `baseline`. */
  place(doc: PDFKit.PDFDocument, x: number, baseline: number): void {
    const internals = doc as unknown as PdfkitInternals;
    internals.page.xobjects[NAME] = this.form;
    // pdfkit draws in a y-down space; the form's text wants PDF's usual y-up one.
    internals.addContent(`q 1 0 0 -1 ${x.toFixed(2)} ${baseline.toFixed(2)} cm /${NAME} Do Q`);
  }

  /** Writes the total; call once, after the last page and before the document ends. */
  finish(pageCount: number): void {
    const [glyphs] = this.font.encode(String(pageCount));
    const rgb = [1, 3, 5].map((i) => (parseInt(this.color.slice(i, i + 2), 16) / 255).toFixed(3)).join(' ');
    this.form.end(`BT ${rgb} rg /${this.font.id} ${this.size} Tf <${glyphs.join('')}> Tj ET`);
  }
}
