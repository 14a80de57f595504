/**
 * The few parts of pdfkit 0.20 this renderer reaches past its public API for, in one place:
 * content written straight into the page, and the current font's glyph encoding.
 * None of them are described by @types/pdfkit. How pdfkit writes its objects and ends the file is changed
 * in ./object-streams.ts.
 */
import { deflateSync } from 'node:zlib';
import type { RgbaPixels } from '../../fonts/emoji.js';

interface Internals {
  _font: EmbeddedFont;
  _fontFamilies: Record<string, EmbeddedFont & { layoutCache?: object }>;
  _registeredFonts: Record<string, { src: unknown }>;
  page: { fonts: Record<string, unknown>; xobjects: Record<string, unknown>; content: ContentStream; dictionary: { data: { StructParents?: number } } };
  getStructTreeRoot(): { data: { ParentTreeNextKey: number } };
  getStructParentTree(): { get(key: number): unknown; add(key: number, value: unknown): void };
  addContent(data: string | Uint8Array): void;
  ref(data: object): PdfStream;
  _imageCount: number;
  info: Record<string, unknown>;
  _addInfo(): void;
  _setColorCore(color: unknown, stroke: boolean): boolean;
  _write(data: string | Uint8Array): void;
  _offset: number;
  push(chunk: Uint8Array | null): boolean;
}

/** pdfkit's embedding of a face in one document: its subset, glyph widths and text for ToUnicode. */
export interface EmbeddedFont {
  id: string;
  /** The fontkit font it embeds. */
  font: unknown;
  /** `glyphs`: the face's glyph ids in the subset, in subset order. */
  subset: { includeGlyph(glyphId: number): number; glyphs: number[] };
  widths: number[];
  unicode: number[][];
  ref(): unknown;
}

interface ContentStream {
  compress: boolean;
  buffer: Uint8Array[];
  data: Record<string, unknown>;
  write(chunk: Uint8Array | string): void;
  end(chunk?: Uint8Array | string): void;
}

export interface PdfStream {
  compress: boolean;
  data: Record<string, unknown>;
  end(chunk?: string | Uint8Array): void;
}

/** An image pdfkit has opened once and can place on any page. */
export type OpenedImage = { width: number; height: number };

function internals(doc: PDFKit.PDFDocument): Internals {
  return doc as unknown as Internals;
}

/** The registered face as a font resource of the current page: its resource name and object, for forms that use it. */
export function fontResource(doc: PDFKit.PDFDocument, face: string): { id: string; resource: unknown } {
  const font = embeddedFont(doc, face);
  return { id: font.id, resource: font.ref() };
}

/**
 * Registers a face whose parsed font (pdfkit takes a fontkit font as it is) is only asked for when the
 * document first uses the face: documents share one parse, and faces no text needs are never read.
 */
export function registerLazyFont(doc: PDFKit.PDFDocument, name: string, font: () => unknown): void {
  internals(doc)._registeredFonts[name] = { get src() { return font(); } };
}

/** Each document's embedded faces by name: asking pdfkit (`doc.font`) for every word measured took 45 ms of a 20k thread. */
const openedFonts = new WeakMap<PDFKit.PDFDocument, Map<string, EmbeddedFont>>();

/** The registered face embedded in this document, listed as a font resource of the current page. */
export function embeddedFont(doc: PDFKit.PDFDocument, face: string): EmbeddedFont {
  let fonts = openedFonts.get(doc);
  if (!fonts) openedFonts.set(doc, (fonts = new Map()));
  let font = fonts.get(face);
  if (!font) fonts.set(face, (font = internals(doc.font(face))._font));
  const page = internals(doc).page;
  if (page && !page.fonts[font.id]) page.fonts[font.id] = font.ref();
  return font;
}

/**
 * Compresses the current page's content stream at zlib's fastest level when the page ends: pdfkit's
 * default level spent more than twice the time on page text for files a few percent smaller. Its operators
 * written as text (paths, colours, marked content) are gathered as text, not each turned into bytes one
 * character at a time as pdfkit does: a tagged page writes two more for every paragraph.
 */
export function compressPageFast(doc: PDFKit.PDFDocument): void {
  const content = internals(doc).page.content;
  const end = content.end.bind(content);
  let text = '';
  const takeText = () => {
    if (text) content.buffer.push(Buffer.from(text, 'latin1'));
    text = '';
  };
  content.compress = false;
  content.write = (chunk) => {
    if (typeof chunk === 'string') {
      text += `${chunk}\n`;
      return;
    }
    takeText();
    content.buffer.push(chunk);
  };
  content.end = (chunk) => {
    if (chunk) content.write(chunk);
    takeText();
    content.buffer = [deflateSync(Buffer.concat(content.buffer), { level: 1 })];
    content.data.Filter = 'FlateDecode';
    end();
  };
}

/**
 * Writes the current page's entry of the structure's parent tree (the element each of its marked contents
 * belongs to) now, leaving the tree only a reference to it: pdfkit keeps every entry, and through them every
 * element of the document, until the document ends.
 */
export function writePageParents(doc: PDFKit.PDFDocument): void {
  const inner = internals(doc);
  const key = inner.page?.dictionary.data.StructParents;
  if (key === undefined) return;
  const tree = inner.getStructParentTree();
  const parents = tree.get(key);
  if (!Array.isArray(parents)) return;
  const written = inner.ref(parents);
  written.end();
  // Written: the reference stands for it by number alone.
  written.data = {};
  tree.add(key, written);
}

/**
 * Leaves the parent tree's newest entry (the element of the link annotation just made) a stand-in that
 * writes only its object number: pdfkit keeps every entry, and through the element its parents, until the
 * document ends.
 */
export function lightenNewestParent(doc: PDFKit.PDFDocument): void {
  const inner = internals(doc);
  const key = inner.getStructTreeRoot().data.ParentTreeNextKey - 1;
  const tree = inner.getStructParentTree();
  const entry = tree.get(key) as { id: number; gen: number } | undefined;
  if (!entry || Array.isArray(entry)) return;
  tree.add(key, Object.assign(Object.create(Object.getPrototypeOf(entry) as object), { id: entry.id, gen: entry.gen }));
}

/** Makes a table header cell (TH) the header of its row, which pdfkit's struct() has no option for. */
export function headsRow(element: PDFKit.PDFStructureElement): void {
  (element as unknown as { dictionary: { data: Record<string, unknown> } }).dictionary.data.A = { O: 'Table', Scope: 'Row' };
}

/**
 * Makes pdfkit hand its output on in chunks of about `batch` bytes. It writes each object in several pieces,
 * each turned into bytes one character at a time and pushed through its stream on its own: a tagged PDF has
 * an object for every paragraph, and pushing them one by one took more time than tagging itself.
 */
export function batchOutput(doc: PDFKit.PDFDocument, batch: number): void {
  const inner = internals(doc);
  const push = inner.push.bind(inner);
  const chunks: Uint8Array[] = [];
  let text = '';
  let size = 0;
  const takeText = () => {
    if (text) chunks.push(Buffer.from(text, 'latin1'));
    text = '';
  };
  const flush = () => {
    takeText();
    if (size > 0) push(Buffer.concat(chunks, size));
    chunks.length = 0;
    size = 0;
  };
  inner._write = function (this: Internals, data) {
    let length: number;
    if (data instanceof Uint8Array) {
      takeText();
      chunks.push(data);
      length = data.length;
    } else {
      // pdfkit's own strings are binary: one character a byte, as 'latin1' reads them.
      text += `${data}\n`;
      length = String(data).length + 1;
    }
    size += length;
    this._offset += length;
    if (size >= batch) flush();
  };
  inner.push = (chunk) => {
    if (chunk === null) flush();
    return push(chunk);
  };
}

/**
 * Writes a colour given as a string from its operators as pdfkit first wrote them: pdfkit parses the string and
 * formats its numbers on every call, and a line of text sets its colour (on a 20k thread: 160 ms of 8.9 s profiled).
 */
export function cacheColorOperators(doc: PDFKit.PDFDocument): void {
  const inner = internals(doc);
  const setColor = inner._setColorCore;
  const written = [new Map<string, string>(), new Map<string, string>()];
  inner._setColorCore = function (this: Internals, color, stroke) {
    // Hex only: a spot colour's name also lists its colour space on the page.
    if (typeof color !== 'string' || color[0] !== '#') return setColor.call(this, color, stroke);
    const cache = written[stroke ? 1 : 0]!;
    let operators = cache.get(color);
    if (operators === undefined) {
      const chunks: (string | Uint8Array)[] = [];
      const add = this.addContent;
      this.addContent = (chunk) => void chunks.push(chunk);
      try {
        if (!setColor.call(this, color, stroke)) return false;
      } finally {
        this.addContent = add;
      }
      // Each string pdfkit writes to a page ends a line, as the joined ones do.
      cache.set(color, (operators = chunks.join('\n')));
    }
    this.addContent(operators);
    return true;
  };
}

export function addContent(doc: PDFKit.PDFDocument, content: string | Uint8Array): void {
  internals(doc).addContent(content);
}

export function useXObject(doc: PDFKit.PDFDocument, name: string, object: PdfStream): void {
  internals(doc).page.xobjects[name] = object;
}

export function newStream(doc: PDFKit.PDFDocument, dictionary: object, plain = false): PdfStream {
  const stream = internals(doc).ref(dictionary);
  if (plain) stream.compress = false;
  return stream;
}

/** An image `alphaImage` opened: embedded (`obj`) where it is first used, on a page by pdfkit or in a form by `embed`. */
export interface AlphaImage extends OpenedImage {
  label: string;
  obj?: PdfStream;
  embed(): void;
}

/**
 * An image with transparency, embedded where it is first drawn. pdfkit embeds a PNG with alpha by
 * splitting its pixels on zlib's threads and numbering and writing its objects whenever that ends, so
 * the same PDF made twice differed in its bytes; here the split is done at once, with the same objects.
 */
export function alphaImage(doc: PDFKit.PDFDocument, { data, width, height }: RgbaPixels): AlphaImage {
  const rgb = Buffer.alloc(width * height * 3);
  const alpha = Buffer.alloc(width * height);
  for (let pixel = 0, from = 0, to = 0; pixel < alpha.length; pixel++) {
    rgb[to++] = data[from++]!;
    rgb[to++] = data[from++]!;
    rgb[to++] = data[from++]!;
    alpha[pixel] = data[from++]!;
  }
  const image = {
    width,
    height,
    label: `I${++internals(doc)._imageCount}`,
    obj: undefined as PdfStream | undefined,
    embed() {
      const obj = newStream(doc, { Type: 'XObject', Subtype: 'Image', BitsPerComponent: 8, Width: width, Height: height, Filter: 'FlateDecode', ColorSpace: 'DeviceRGB' });
      const mask = newStream(doc, { Type: 'XObject', Subtype: 'Image', Height: height, Width: width, BitsPerComponent: 8, Filter: 'FlateDecode', ColorSpace: 'DeviceGray', Decode: [0, 1] });
      mask.end(deflateSync(alpha));
      obj.data.SMask = mask;
      obj.end(deflateSync(rgb));
      image.obj = obj;
    },
  };
  return image;
}

/** Every face embedded in the document so far (pdfkit's standard fonts, never embedded, have no subset). */
export function embeddedFonts(doc: PDFKit.PDFDocument): EmbeddedFont[] {
  return Object.values(internals(doc)._fontFamilies).filter((font) => font.subset !== undefined);
}

/** Forgets the words pdfkit has shaped so far; it keeps every one for the document's life otherwise. */
export function clearShapingCaches(doc: PDFKit.PDFDocument): void {
  for (const font of Object.values(internals(doc)._fontFamilies)) {
    if (font.layoutCache) font.layoutCache = Object.create(null);
  }
}

/** A PDF text string (UTF-16BE with a byte-order mark), as hex. */
export function pdfTextHex(text: string): string {
  let hex = 'feff';
  for (let i = 0; i < text.length; i++) hex += text.charCodeAt(i).toString(16).padStart(4, '0');
  return `<${hex}>`;
}

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };
/** Characters XML 1.0 does not allow, escaped or not (lone surrogates, U+FFFE, U+FFFF among them). */
const NOT_XML = /[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu;

/**
 * pdfkit copies the document information into the XMP packet as it is; a title with "&" or "<" would
 * make the XML invalid. The XMP gets escaped copies (what XML cannot hold as U+FFFD) while the information
 * dictionary keeps the text.
 */
export function escapeMetadataText(doc: PDFKit.PDFDocument): void {
  const inner = internals(doc);
  const addInfo = inner._addInfo;
  inner._addInfo = function (this: Internals) {
    const info = this.info;
    this.info = Object.fromEntries(
      Object.entries(info).map(([key, value]) => [key, typeof value === 'string' ? value.replace(NOT_XML, '\ufffd').replace(/[&<>"]/g, (c) => XML_ESCAPES[c]!) : value]),
    );
    try {
      addInfo.call(this);
    } finally {
      this.info = info;
    }
  };
}
