// What both typedstream readers share (the full decoder, typedstream.ts, and the lean reader of the common
// attributedBody shape, typedstream-common.ts): the format's tags, type codes and table entries, and the
// reading of bytes, integers and numbers. Format notes: fixtures SCHEMA.md §4.0.

export const TAG_INT16 = -127; // 0x81
export const TAG_INT32 = -126; // 0x82
export const TAG_FLOAT = -125; // 0x83
export const TAG_NEW = -124; // 0x84
export const TAG_NIL = -123; // 0x85
export const TAG_END = -122; // 0x86
export const TAG_INT64 = -121; // 0x87
export const FIRST_TAG = -128;
export const LAST_TAG = -111;
/** A reference number's value minus this is its table index (0x92 → 0). */
export const REFERENCE_BASE = -110;
export const END_BYTE = 0x86;

// Object-table entries: what each holds.
export const SLOT_OBJECT = 0;
export const SLOT_CLASS = 1;
export const SLOT_CSTRING = 2;
/** Object-table value of an object whose contents are still being read. */
export const PENDING = Symbol('pending');

const code = (letter: string): number => letter.charCodeAt(0);
export const C_OBJECT = code('@');
export const C_CLASS = code('#');
export const C_SELECTOR = code(':');
export const C_CSTRING = code('*');
export const C_BYTES = code('+');
export const C_ATOM = code('%');
export const C_CHAR = code('c');
export const C_UCHAR = code('C');
export const C_BOOL = code('B');
export const C_SHORT = code('s');
export const C_USHORT = code('S');
export const C_INT = code('i');
export const C_UINT = code('I');
export const C_LONG = code('l');
export const C_ULONG = code('L');
export const C_LONGLONG = code('q');
export const C_ULONGLONG = code('Q');
export const C_FLOAT = code('f');
export const C_DOUBLE = code('d');
export const C_ARRAY = code('[');
export const C_STRUCT = code('{');

/** A position in a typedstream's bytes; each reader says how it fails (`fail`). */
export abstract class TypedstreamCursor {
  protected pos = 0;

  constructor(protected buf: Buffer) {}

  protected abstract fail(what: string): never;

  protected need(count: number): void {
    if (count < 0 || this.pos + count > this.buf.length) this.fail(`need ${count} bytes but the data ends`);
  }

  protected byte(): number {
    if (this.pos >= this.buf.length) this.fail('unexpected end of data');
    return this.buf[this.pos++]!;
  }

  protected signedByte(): number {
    return (this.byte() << 24) >> 24;
  }

  /** An integer whose head byte was already read: the head itself, or a tagged wider value. */
  protected integer(head: number): number {
    switch (head) {
      case TAG_INT16:
        this.need(2);
        this.pos += 2;
        return this.buf.readInt16LE(this.pos - 2);
      case TAG_INT32:
        this.need(4);
        this.pos += 4;
        return this.buf.readInt32LE(this.pos - 4);
      case TAG_INT64:
        this.need(8);
        this.pos += 8;
        return Number(this.buf.readBigInt64LE(this.pos - 8));
    }
    if (head >= FIRST_TAG && head <= LAST_TAG) this.fail(`unexpected tag 0x${(head & 0xff).toString(16)} where an integer belongs`);
    return head;
  }

  /** A value of a numeric type code, as JS numbers; undefined for a code that is not numeric (nothing read). */
  protected readNumber(type: number): number | undefined {
    switch (type) {
      case C_CHAR:
        return this.signedByte();
      case C_UCHAR:
      case C_BOOL:
        return this.byte();
      case C_SHORT:
      case C_INT:
      case C_LONG:
      case C_LONGLONG:
        return this.integer(this.signedByte());
      case C_USHORT:
        return this.integer(this.signedByte()) & 0xffff;
      case C_UINT:
      case C_ULONG:
        return this.integer(this.signedByte()) >>> 0;
      case C_ULONGLONG: {
        const value = this.integer(this.signedByte());
        return value < 0 ? value + 2 ** 64 : value;
      }
      case C_FLOAT:
      case C_DOUBLE:
        return this.readReal(type === C_DOUBLE);
    }
    return undefined;
  }

  private readReal(isDouble: boolean): number {
    const head = this.signedByte();
    if (head !== TAG_FLOAT) return this.integer(head);
    const size = isDouble ? 8 : 4;
    this.need(size);
    this.pos += size;
    return isDouble ? this.buf.readDoubleLE(this.pos - 8) : this.buf.readFloatLE(this.pos - 4);
  }
}

export function toBuffer(blob: Uint8Array): Buffer {
  return Buffer.isBuffer(blob) ? blob : Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
}

/**
 * Class names, type encodings and attribute names recur in every blob ("NSMutableAttributedString", "iI",
 * "__kIMMessagePartAttributeName", …): short ASCII strings are kept by length and two of their bytes, and one
 * already made is used again when the bytes match. Measured on the bench's bodies: 272 -> 248 ms.
 * Undefined for a string not kept (too long, not ASCII, or another one kept under its key).
 */
const recurring = new Map<number, string>();
const RECURRING_LENGTH = 64;
const RECURRING_LIMIT = 1024;

export function recurringText(buf: Buffer, start: number, end: number): string | undefined {
  const length = end - start;
  if (length > RECURRING_LENGTH || length < 2) return undefined;
  const key = (length << 16) | (buf[start + (length >> 1)]! << 8) | buf[end - 1]!;
  const known = recurring.get(key);
  if (known !== undefined) {
    for (let i = 0; i < length; i++) if (known.charCodeAt(i) !== buf[start + i]) return undefined;
    return known;
  }
  for (let i = start; i < end; i++) if (buf[i]! > 0x7f) return undefined;
  const text = buf.toString('latin1', start, end);
  if (recurring.size < RECURRING_LIMIT) recurring.set(key, text);
  return text;
}
