/**
 * PDF 1.5 compressed object streams and a cross-reference stream for pdfkit 0.20, which writes every object as
 * plain text and ends with an `xref` table. A tagged PDF has an object for every paragraph, link and table
 * cell; packed and compressed, they no longer make up most of the file.
 */
import PDFDocument from 'pdfkit';
import { deflateSync } from 'node:zlib';

// An object stream is written when it holds this many objects or bytes, whichever comes first.
const MAX_OBJECTS = 200;
const MAX_BYTES = 64 * 1024;
// zlib's default level. A 20,000-message thread's object streams and cross-references (5.9 MB) took 87 ms and
// became 1.21 MB; at level 1, 45 ms and 1.45 MB. The 42 ms are 0.3 % of its CPU time, the 0.24 MB 2 % of its file
// (level 9 took 173 ms for the object streams alone, 2 % smaller than level 6).
const LEVEL = 6;
// The third field of a cross-reference row holds an index in an object stream (< MAX_OBJECTS) or the
// generation of the head of the free list (object 0).
const THIRD_FIELD_BYTES = 2;
const FREE_HEAD_GENERATION = 0xffff;
// The cross-reference stream's rows are differences from the row above: PNG's Up predictor, its tag in each row.
const PNG_PREDICTOR = 12;
const PNG_UP = 2;

interface Reference {
  id: number;
  gen: number;
  data: unknown;
  buffer: unknown[];
  offset: number;
  document: PackedDocument;
  finalize(this: Reference): void;
}

/** pdfkit's document, as far as writing its objects goes (none of it is described by @types/pdfkit). */
interface PdfKitWriter {
  _offset: number;
  _offsets: (number | null)[];
  _security: unknown;
  _root: Reference;
  _info: Reference;
  _id: Uint8Array;
  ref(data?: unknown): Reference;
  _write(data: string | Uint8Array): void;
  _refEnd(ref: Reference): void;
  push(chunk: Uint8Array | null): boolean;
}

const PdfKitDocument = PDFDocument as unknown as new (options: PDFKit.PDFDocumentOptions) => PdfKitWriter;

/** pdfkit's own way of writing an object: its number, its dictionary (and stream, if it has one), `endobj`. */
let plainFinalize: (this: Reference | Stub) => void;

/** Enough of a reference for pdfkit's `finalize` to write a dictionary to `document`. */
interface Stub {
  id: 0;
  gen: 0;
  data: unknown;
  buffer: [];
  document: Pick<PdfKitWriter, '_offset' | '_security' | '_write' | '_refEnd'>;
}

/** A PDF object as pdfkit writes it (a dictionary, array, string…), as a binary string. */
function serialize(data: unknown): string {
  const written: (string | Uint8Array)[] = [];
  const document = { _offset: 0, _security: null, _write: (chunk: string | Uint8Array) => written.push(chunk), _refEnd: () => {} };
  plainFinalize.call({ id: 0, gen: 0, data, buffer: [], document });
  // Written: the object's number, the object, `endobj`.
  return written[1] as string;
}

/**
 * Writes an object other than a stream into the document's current object stream. The information dictionary
 * and its entries (pdfkit makes each an object, between making the dictionary and ending it) stay plain: its
 * Producer is how a later run knows a PDF in --out as textkeeper's (see store/output-folder.ts).
 */
function packedFinalize(this: Reference): void {
  const info = this.document._info;
  const ofInfo = info !== undefined && (this === info || this.document._offsets[info.id - 1] === null);
  if (this.buffer.length > 0 || this.gen !== 0 || ofInfo) return plainFinalize.call(this);
  this.document.pack(this.id, serialize(this.data));
  // Not an offset: where it is is kept with the object streams.
  this.offset = 0;
  this.document._refEnd(this);
}

/**
 * The document's objects other than streams (generation 0), but its information dictionary's, go into object
 * streams of up to MAX_OBJECTS, written as they fill; streams (page contents, images, fonts, XMP metadata,
 * forms) are written as pdfkit writes them. What is kept is the stream being filled and, for every object,
 * where it is. Never encrypted: pdfkit's encryption of the objects is not done in object streams.
 */
class PackedDocument extends PdfKitDocument {
  /** By object number less one: the object stream holding it (0: none, its offset is pdfkit's) and its index there. */
  private readonly container: number[] = [];
  private readonly index: number[] = [];
  /** The object stream being filled (0: none), its objects and its header: each object's number and offset. */
  private stream = 0;
  private packed: string[] = [];
  private header = '';
  private bytes = 0;

  constructor(options: PDFKit.PDFDocumentOptions) {
    super(options);
    if (this._security) throw new Error('object streams are written unencrypted');
  }

  override ref(data?: unknown): Reference {
    const ref = super.ref(data);
    plainFinalize ??= ref.finalize as typeof plainFinalize;
    ref.finalize = packedFinalize;
    return ref;
  }

  pack(id: number, object: string): void {
    if (this.stream === 0) this.stream = this.newNumber();
    while (this.container.length < id) {
      this.container.push(0);
      this.index.push(0);
    }
    this.container[id - 1] = this.stream;
    this.index[id - 1] = this.packed.length;
    this.header += `${id} ${this.bytes} `;
    this.packed.push(object);
    this.bytes += object.length + 1;
    if (this.packed.length >= MAX_OBJECTS || this.bytes >= MAX_BYTES) this.writePacked();
  }

  /** Writes the object stream being filled. */
  private writePacked(): void {
    if (this.stream === 0) return;
    const header = `${this.header}\n`;
    const data = deflateSync(Buffer.from(header + this.packed.join('\n') + '\n', 'latin1'), { level: LEVEL });
    this._offsets[this.stream - 1] = this._offset;
    this.writeStream(this.stream, { Type: 'ObjStm', N: this.packed.length, First: header.length, Filter: 'FlateDecode', Length: data.length }, data);
    this.stream = 0;
    this.packed = [];
    this.header = '';
    this.bytes = 0;
  }

  /** The next object number, for an object pdfkit does not make; its offset is set when it is written. */
  private newNumber(): number {
    this._offsets.push(null);
    return this._offsets.length;
  }

  private writeStream(id: number, dictionary: object, data: Uint8Array): void {
    this._write(`${id} 0 obj`);
    this._write(serialize(dictionary));
    this._write('stream');
    this._write(data);
    this._write('\nendstream');
    this._write('endobj');
  }

  /** Ends the file with the last object stream and a cross-reference stream in place of pdfkit's table and trailer. */
  _finalize(): void {
    this.writePacked();
    const start = this._offset;
    const id = this.newNumber();
    this._offsets[id - 1] = start;
    const size = id + 1;
    const offsetBytes = byteWidth(Math.max(start, id));
    const data = deflateSync(this.crossReferences(size, offsetBytes), { level: LEVEL });
    const trailer = { Root: this._root, Info: this._info, ID: [this._id, this._id] };
    const layout = { W: [1, offsetBytes, THIRD_FIELD_BYTES], DecodeParms: { Predictor: PNG_PREDICTOR, Columns: xrefColumns(offsetBytes) } };
    this.writeStream(id, { Type: 'XRef', Size: size, Index: [0, size], ...layout, ...trailer, Filter: 'FlateDecode', Length: data.length }, data);
    this._write('startxref');
    this._write(`${start}`);
    this._write('%%EOF');
    this.push(null);
  }

  /**
   * The rows of the cross-reference stream (object 0 free, the others at an offset or in an object stream), each
   * written as its difference from the row above (PNG's Up predictor): neighbouring rows differ in a byte or two,
   * and so compress to 66 KB instead of 127 KB for a 20,000-message thread.
   */
  private crossReferences(size: number, offsetBytes: number): Buffer {
    const stride = 1 + xrefColumns(offsetBytes);
    const rows = Buffer.alloc(size * stride);
    rows.writeUIntBE(FREE_HEAD_GENERATION, 2 + offsetBytes, THIRD_FIELD_BYTES);
    for (let id = 1; id < size; id++) {
      const at = id * stride + 1;
      const container = this.container[id - 1] ?? 0;
      rows[at] = container > 0 ? 2 : 1;
      rows.writeUIntBE(container > 0 ? container : this._offsets[id - 1]!, at + 1, offsetBytes);
      if (container > 0) rows.writeUIntBE(this.index[id - 1]!, at + 1 + offsetBytes, THIRD_FIELD_BYTES);
    }
    for (let at = rows.length - 1; at >= stride; at--) {
      if (at % stride !== 0) rows[at] -= rows[at - stride]!;
    }
    for (let at = 0; at < rows.length; at += stride) rows[at] = PNG_UP;
    return rows;
  }
}

/** The bytes of a cross-reference row: its type, its offset or object stream, its generation or index. */
function xrefColumns(offsetBytes: number): number {
  return 1 + offsetBytes + THIRD_FIELD_BYTES;
}

function byteWidth(n: number): number {
  let width = 1;
  while (n >= 256 ** width) width++;
  return width;
}

/** A pdfkit document that packs its objects other than streams into compressed object streams (PDF 1.5 and later). */
export function packedDocument(options: PDFKit.PDFDocumentOptions): PDFKit.PDFDocument {
  return new PackedDocument(options) as unknown as PDFKit.PDFDocument;
}
