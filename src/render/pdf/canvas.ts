import { emojiRaster } from '../../fonts/emoji.js';
import { fontChains } from '../../fonts/fonts.js';
import type { PdfOptions } from '../renderer.js';
import { addContent, alphaImage, cacheColorOperators, clearShapingCaches, registerLazyFont, embeddedFont, escapeMetadataText, pdfTextHex, type AlphaImage } from './pdfkit-internals.js';
import { EMOJI_SCALE, linkStretches, TextLayout, type Run, type TextLine } from './text-layout.js';
import { drawText, forgetShapes, glyphHex, textWidth } from './glyph-runs.js';
import { ORNAMENT, Structure, type Mark } from './tagging.js';
import { packedDocument } from './object-streams.js';

// Pages between clearing pdfkit's shaping caches, so a long conversation's memory stays flat.
const PAGES_PER_CACHE = 100;

export type Color = string;

const STAND_IN = 'o';

/**
 * Drawing primitives over one pdfkit document: text lines with font fallback and emoji images,
 * shapes, and images. Emoji are embedded once per document and reused.
 */
export class Canvas {
  readonly layout: TextLayout;
  readonly boldLayout: TextLayout;
  readonly structure: Structure;
  private readonly emoji = new Map<string, AlphaImage | null>();

  constructor(readonly doc: PDFKit.PDFDocument) {
    forgetShapes();
    this.structure = new Structure(doc);
    const { regular, bold } = fontChains();
    for (const face of new Set([...regular.faces, ...bold.faces])) registerLazyFont(doc, face.name, face.font);
    const measure = (face: string, size: number, text: string) => textWidth(doc, face, size, text);
    this.layout = new TextLayout(regular, measure);
    this.boldLayout = new TextLayout(bold, measure);
  }

  /** Call at each new page: now and then forgets shaped words, which would otherwise pile up. */
  pageStarted(pageNumber: number): void {
    if (pageNumber % PAGES_PER_CACHE !== 0) return;
    clearShapingCaches(this.doc);
  }

  /** Draws what follows into `mark`: a structure element, or an artifact. */
  mark(mark: Mark): void {
    this.structure.mark(mark);
  }

  /** Rasterizes and opens the emoji of these lines ahead of drawing them. */
  async prepare(lines: TextLine[]): Promise<void> {
    for (const line of lines) {
      for (const run of line.runs) {
        if (run.kind !== 'emoji') continue;
        for (const code of run.codes) {
          if (this.emoji.has(code)) continue;
          const raster = await emojiRaster(code);
          this.emoji.set(code, raster ? alphaImage(this.doc, raster) : null);
        }
      }
    }
  }

  /**
   * Draws a line into `mark` with its baseline at `baseline`, starting at `x`. Call `prepare` first for emoji.
   * Each line's share of a web address is clickable and opens the whole address; the lines of one address are
   * one Link element in `mark`'s.
   */
  line(line: TextLine, x: number, baseline: number, size: number, color: Color, mark: Mark): void {
    this.doc.fillColor(color);
    const stretches = linkStretches(line.runs);
    // Extraction reads the whole line as typed, whatever order its glyphs are drawn in: one ActualText, which
    // holds the marked content of the line's element and links when it has links (and else sits in it).
    const around = line.logical !== undefined && stretches.some(([run]) => run!.link);
    if (around) this.structure.close();
    // Even an empty line leaves `mark` open (a cover value written later is placed into it); a link opens its own.
    else if (!line.runs[0]?.link) this.mark(mark);
    if (line.logical) addContent(this.doc, `/Span <</ActualText ${pdfTextHex(line.logical)}>> BDC`);
    for (const runs of stretches) {
      const left = x;
      const width = runs.reduce((sum, run) => sum + run.width, 0);
      const draw = () => this.runs(runs, !line.logical, left, baseline, size, color);
      const url = runs[0]!.link;
      if (url) {
        this.structure.link(mark, url, draw, (element) => this.link(left, baseline - size, width, size * 1.3, url, element));
      } else {
        this.mark(mark);
        draw();
      }
      x += width;
    }
    if (around) this.structure.close();
    if (line.logical) this.endLogical(size);
  }

  /** Runs side by side; `ownText`: their text is extracted (not a line's ActualText instead). */
  private runs(runs: Run[], ownText: boolean, x: number, baseline: number, size: number, color: Color): void {
    for (const run of runs) {
      if (run.kind === 'text') {
        this.text(run, x, baseline, size, ownText);
      } else {
        this.emojiImages(run.codes, x, baseline, size);
        if (ownText) this.emojiText(run.text, x, baseline, size, run.width);
      }
      if (run.strike) this.stroke(x, baseline - size * 0.3, x + run.width, color, size * 0.06);
      if (run.underline) this.stroke(x, baseline + size * 0.12, x + run.width, color, size * 0.06);
      x += run.width;
    }
  }

  /** A link annotation, its address its description; `element`: the Link element it belongs to. */
  private link(x: number, y: number, width: number, height: number, url: string, element?: PDFKit.PDFStructureElement): void {
    // pdfkit takes `structParent` (adding the annotation to it) and writes a String object as a PDF string; @types/pdfkit describes neither.
    const options = { ...(element ? { structParent: element } : {}), Contents: new String(url) };
    this.doc.link(x, y, width, height, url, options as unknown as PDFKit.Mixins.AnnotationOption);
  }

  /** A text run; a placeholder (U+FFFD) carries the character it stands for as ActualText, unless its line does. */
  private text(run: Extract<Run, { kind: 'text' }>, x: number, baseline: number, size: number, ownText: boolean): void {
    const actual = ownText && run.actual;
    if (actual) addContent(this.doc, `/Span <</ActualText ${pdfTextHex(actual)}>> BDC`);
    drawText(this.doc, run.face, size, run.text, x, baseline);
    if (actual) addContent(this.doc, 'EMC');
  }

  /** An emoji's images side by side (a sequence Twemoji lacks as a whole shows its parts). */
  private emojiImages(codes: string[], x: number, baseline: number, size: number): void {
    const side = size * EMOJI_SCALE * 0.95;
    for (const [i, code] of codes.entries()) {
      const image = this.emoji.get(code);
      const left = x + i * size * EMOJI_SCALE;
      if (image) this.doc.image(image as unknown as Buffer, left, baseline - side * 0.85, { width: side, height: side });
    }
  }

  /**
   * An emoji drawn in a form whose space is y-up (see LateChart): its images' operators, each image added to
   * `xobjects` (the form's resources); `prepare` first.
   */
  emojiInForm(codes: string[], x: number, baseline: number, size: number, xobjects: Record<string, unknown>): string {
    const side = size * EMOJI_SCALE * 0.95;
    return codes.flatMap((code, i) => {
      const image = this.emoji.get(code);
      if (!image) return [];
      if (!image.obj) image.embed();
      xobjects[image.label] = image.obj;
      const left = x + i * size * EMOJI_SCALE;
      return [`q ${side.toFixed(2)} 0 0 ${side.toFixed(2)} ${left.toFixed(2)} ${(baseline - side * 0.15).toFixed(2)} cm /${image.label} Do Q`];
    }).join(' ');
  }

  /**
   * Ends a line's ActualText span. pdfkit draws each run inside q … Q; poppler gives the span the
   * font of the graphics state at its end, and with none it loses the text, so one is set first.
   */
  private endLogical(size: number): void {
    const { id } = embeddedFont(this.doc, this.layout.faceNames[0]!);
    addContent(this.doc, `BT /${id} ${size} Tf ET EMC`);
  }

  /**
   * Text read but not seen, as content of `mark`: extracted, searched, copied and given to a screen reader
   * from `mark`'s element, `width` wide at (x, baseline), drawn as emojiText draws an emoji's.
   */
  unseenText(text: string, x: number, baseline: number, size: number, width: number, mark: Mark): void {
    this.mark(mark);
    this.emojiText(text, x, baseline, size, width);
  }

  /**
   * Invisible text standing for an emoji picture (a stretched letter carrying the emoji as
   * ActualText), so the emoji can be searched and copied like the words around it.
   */
  private emojiText(text: string, x: number, baseline: number, size: number, width: number): void {
    // pdfkit's pages are y-down; the text matrix turns the letter upright (poppler places
    // ActualText by the text matrix alone, so this also puts the emoji in reading order).
    addContent(this.doc, `q ${this.standIn(text, size, width, `1 0 0 -1 ${x.toFixed(2)} ${baseline.toFixed(2)}`)} Q`);
  }

  /** An emoji's invisible stand-in letter (see emojiText) in a y-up form (see emojiInForm), as operators. */
  emojiTextInForm(text: string, x: number, baseline: number, size: number, width: number): string {
    return `q ${this.standIn(text, size, width, `1 0 0 1 ${x.toFixed(2)} ${baseline.toFixed(2)}`)} Q`;
  }

  /** The stand-in letter carrying `text` as ActualText, stretched to `width`, placed by the text matrix `matrix`. */
  private standIn(text: string, size: number, width: number, matrix: string): string {
    const face = this.layout.faceNames[0];
    const stretch = (100 * width) / textWidth(this.doc, face, size, STAND_IN);
    const { id } = embeddedFont(this.doc, face);
    const glyphs = glyphHex(this.doc, face, STAND_IN);
    return `/Span <</ActualText ${pdfTextHex(text)}>> BDC BT 3 Tr /${id} ${size} Tf ${stretch.toFixed(1)} Tz ${matrix} Tm <${glyphs}> Tj ET EMC`;
  }

  roundedBox(x: number, y: number, width: number, height: number, fill: Color, stroke?: Color): void {
    this.doc.roundedRect(x, y, width, height, Math.min(9, height / 2));
    if (stroke) this.doc.lineWidth(0.6).fillAndStroke(fill, stroke);
    else this.doc.fill(fill);
  }

  /** A rule between parts of the page: an artifact. */
  rule(x1: number, y: number, x2: number, color: Color, width = 0.5): void {
    this.mark(ORNAMENT);
    this.stroke(x1, y, x2, color, width);
  }

  private stroke(x1: number, y: number, x2: number, color: Color, width: number): void {
    this.doc.moveTo(x1, y).lineTo(x2, y).lineWidth(width).stroke(color);
  }

  image(data: Buffer, x: number, y: number, width: number, height: number): void {
    this.doc.image(data, x, y, { width, height });
  }
}

/**
 * A pdfkit document set up for page-by-page streaming (no page buffering, no automatic first page);
 * PDF/A-2b unless asked otherwise: XMP metadata with the PDF/A identification and an sRGB output intent
 * (pdfkit's own profile); the bundled fonts are always embedded. Its objects other than streams are packed
 * into compressed object streams (PDF 1.5; PDF/A-2 allows them, PDF/A-1 would not).
 */
export function createDocument(info: PDFKit.DocumentInfo & Record<string, unknown>, standard: PdfOptions['standard'] = 'pdf-a-2b'): PDFKit.PDFDocument {
  const doc = packedDocument({
    autoFirstPage: false,
    bufferPages: false,
    info,
    displayTitle: true,
    // Tagged: the structure (headings, messages, figures with their alternative text) comes from ./tagging.ts.
    tagged: true,
    // The language of the words the export writes (dates, "Delivered", headings), which a screen reader speaks them in.
    lang: 'en',
    pdfVersion: '1.7',
    ...(standard === 'pdf-a-2b' ? { subset: 'PDF/A-2b' as const } : {}),
  });
  escapeMetadataText(doc);
  cacheColorOperators(doc);
  return doc;
}
