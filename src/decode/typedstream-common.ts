// A lean reader for the shape nearly every message.attributedBody has: an NSAttributedString whose
// contents are an NSString, (index, length) integer pairs and attribute NSDictionaries of NSString,
// NSNumber, NSURL and NSDictionary values. It returns exactly the root contents the full decoder
// (typedstream.ts) would, or undefined for anything else — other classes or types,
// malformed data — which the caller then hands to the full decoder. It exists for speed: the full
// decoder names every class and type encoding as a JS string and parses each group's encoding; this
// one compares their bytes where they lie. Format notes: fixtures SCHEMA.md §4.0.

import { ArchivedNumber, ArchivedURL } from './typedstream.js';
import {
  C_BYTES, C_CSTRING, C_OBJECT, END_BYTE, PENDING, REFERENCE_BASE, SLOT_CLASS, SLOT_CSTRING, SLOT_OBJECT, TAG_NEW, TAG_NIL,
  recurringText, toBuffer, TypedstreamCursor,
} from './typedstream-cursor.js';

const HEADER = Buffer.from([0x04, 0x0b, ...Buffer.from('streamtyped'), 0x81, 0xe8, 0x03]);

/** What nextType returns at the END byte that closes an object. */
const END_OF_OBJECT = -1;
const MAX_DEPTH = 32;

// A class's kind: the first Foundation value class of its chain (most derived first), else whether
// NSAttributedString is in it — as the full decoder classifies it.
const KIND_OTHER = 0;
const KIND_ATTRIBUTED = 1;
const KIND_STRING = 2;
const KIND_NUMBER = 3;
const KIND_DICTIONARY = 4;
const KIND_URL = 5;
const KIND_UNSUPPORTED = 6;

/**
 * The class names that decide a kind, by their length and two of their letters: most classes of a blob
 * (NSObject, NSMutableString, NSValue, …) are told apart by that key alone, the others compared whole.
 */
const NAMED_KINDS = new Map<number, { name: Buffer; kind: number }>();
for (const [name, kind] of [
  ['NSString', KIND_STRING],
  ['NSNumber', KIND_NUMBER],
  ['NSDictionary', KIND_DICTIONARY],
  ['NSURL', KIND_URL],
  ['NSArray', KIND_UNSUPPORTED],
  ['NSData', KIND_UNSUPPORTED],
  ['NSAttributedString', KIND_ATTRIBUTED],
] as const) {
  const bytes = Buffer.from(name, 'latin1');
  NAMED_KINDS.set(nameKey(bytes, 0, bytes.length), { name: bytes, kind });
}

function nameKey(bytes: Buffer, start: number, end: number): number {
  return ((end - start) << 16) | ((bytes[start + 2] ?? 0) << 8) | (bytes[end - 1] ?? 0);
}


/** Thrown inside the reader when the archive is not of the common shape; never escapes it. */
const NOT_COMMON = new Error('not the common attributedBody shape');

/** The root NSAttributedString's archived values, or undefined when the blob is not of the common shape. */
export function commonAttributedStringValues(blob: Uint8Array): unknown[] | undefined {
  const buf = toBuffer(blob);
  if (buf.length <= HEADER.length || !sameBytes(buf, 0, HEADER.length, HEADER)) return undefined;
  try {
    return reader.readRoot(buf, HEADER.length);
  } catch (error) {
    if (error === NOT_COMMON) return undefined;
    throw error;
  } finally {
    reader.release();
  }
}

/** Table sizes past which a blob is left to the full decoder (the common shape has about ten of each). */
const MAX_SHARED = 256;
const MAX_SLOTS = 256;
const EMPTY = Buffer.alloc(0);

// One reader serves every decode and keeps its tables: made anew, they were half of the garbage a
// decode left.
class CommonReader extends TypedstreamCursor {
  private depth = 0;
  /** Shared strings as [start, end) byte ranges of the blob. */
  private readonly shared = new Int32Array(2 * MAX_SHARED);
  private sharedCount = 0;
  private readonly slotKinds = new Uint8Array(MAX_SLOTS);
  private readonly slots: unknown[] = new Array<unknown>(MAX_SLOTS).fill(null);
  private slotCount = 0;
  /** The unread part of the current group's type encoding, as a byte range. */
  private typeAt = 0;
  private typeEnd = 0;

  readRoot(buf: Buffer, pos: number): unknown[] {
    this.buf = buf;
    this.pos = pos;
    this.depth = this.sharedCount = this.slotCount = this.typeAt = this.typeEnd = 0;
    this.readEncoding();
    if (this.typeEnd - this.typeAt !== 1 || this.nextType() !== C_OBJECT) throw NOT_COMMON;
    if (this.signedByte() !== TAG_NEW) throw NOT_COMMON;
    this.reserveSlot(SLOT_OBJECT);
    if (this.readClass(this.slotCount, 0) !== KIND_ATTRIBUTED) throw NOT_COMMON;
    const values: unknown[] = [];
    for (let type = this.nextType(); type !== END_OF_OBJECT; type = this.nextType()) values.push(this.readValue(type));
    return values;
  }

  protected fail(): never {
    throw NOT_COMMON;
  }

  private number(type: number): number {
    return this.readNumber(type) ?? this.fail();
  }

  /** Lets go of the blob and of the values read from it. */
  release(): void {
    this.slots.fill(null, 0, this.slotCount);
    this.buf = EMPTY;
  }

  private reference(head: number, tableLength: number): number {
    const index = this.integer(head) - REFERENCE_BASE;
    if (index < 0 || index >= tableLength) throw NOT_COMMON;
    return index;
  }

  /** A shared string (new or referenced): its index in `shared`, which holds start and end. */
  private sharedString(): number {
    const head = this.signedByte();
    if (head === TAG_NEW) {
      const length = this.integer(this.signedByte());
      this.need(length);
      if (this.sharedCount === MAX_SHARED) throw NOT_COMMON;
      const at = 2 * this.sharedCount++;
      this.shared[at] = this.pos;
      this.shared[at + 1] = this.pos += length;
      return at;
    }
    if (head === TAG_NIL) throw NOT_COMMON;
    return 2 * this.reference(head, this.sharedCount);
  }

  private readEncoding(): void {
    const at = this.sharedString();
    this.typeAt = this.shared[at]!;
    this.typeEnd = this.shared[at + 1]!;
    if (this.typeAt === this.typeEnd) throw NOT_COMMON;
  }

  /** The type code of the next value, reading the next group's encoding when this one is used up. */
  private nextType(): number {
    if (this.typeAt === this.typeEnd) {
      if (this.pos >= this.buf.length) throw NOT_COMMON;
      if (this.buf[this.pos] === END_BYTE) {
        this.pos++;
        return END_OF_OBJECT;
      }
      this.readEncoding();
    }
    return this.buf[this.typeAt++]!;
  }

  private reserveSlot(kind: number): number {
    if (this.slotCount === MAX_SLOTS) throw NOT_COMMON;
    this.slots[this.slotCount] = PENDING;
    this.slotKinds[this.slotCount] = kind;
    return this.slotCount++;
  }

  private slotValue(index: number, kind: number): unknown {
    const value = this.slots[index];
    if (this.slotKinds[index] !== kind || value === PENDING) throw NOT_COMMON;
    return value;
  }

  /** A class chain's kind. Classes new in this chain may only point back at classes before it. */
  private readClass(chainStart: number, depth: number): number {
    const head = this.signedByte();
    if (head !== TAG_NEW) {
      if (head === TAG_NIL) throw NOT_COMMON;
      const index = this.reference(head, this.slotCount);
      if (depth > 0 && index >= chainStart) throw NOT_COMMON;
      return this.slotValue(index, SLOT_CLASS) as number;
    }
    if (depth > MAX_DEPTH) throw NOT_COMMON;
    const slot = this.reserveSlot(SLOT_CLASS);
    const name = this.sharedString();
    this.integer(this.signedByte()); // class version
    const superKind = this.buf[this.pos] === (TAG_NIL & 0xff) ? (this.pos++, KIND_OTHER) : this.readClass(chainStart, depth + 1);
    const kind = classKind(this.buf, this.shared[name]!, this.shared[name + 1]!, superKind);
    this.slots[slot] = kind;
    return kind;
  }

  private readValue(type: number): unknown {
    switch (type) {
      case C_OBJECT:
        return this.readObject();
      case C_CSTRING:
        return this.readCString();
      case C_BYTES:
        return this.buf.subarray(this.bytesValue(), this.pos);
    }
    return this.number(type);
  }

  private readCString(): string {
    const head = this.signedByte();
    if (head === TAG_NIL) throw NOT_COMMON;
    if (head !== TAG_NEW) return this.slotValue(this.reference(head, this.slotCount), SLOT_CSTRING) as string;
    const slot = this.reserveSlot(SLOT_CSTRING);
    const at = this.sharedString();
    const text = utf8(this.buf, this.shared[at]!, this.shared[at + 1]!);
    this.slots[slot] = text;
    return text;
  }

  private readObject(): unknown {
    const head = this.signedByte();
    if (head === TAG_NIL) return null;
    if (head !== TAG_NEW) return this.slotValue(this.reference(head, this.slotCount), SLOT_OBJECT);
    if (++this.depth > MAX_DEPTH) throw NOT_COMMON;
    const slot = this.reserveSlot(SLOT_OBJECT);
    const kind = this.readClass(this.slotCount, 0);
    // The object's contents are groups of their own: the enclosing group resumes after them.
    const typeAt = this.typeAt;
    const typeEnd = this.typeEnd;
    this.typeAt = this.typeEnd = 0;
    const value = this.readContents(kind);
    if (this.nextType() !== END_OF_OBJECT) throw NOT_COMMON;
    this.typeAt = typeAt;
    this.typeEnd = typeEnd;
    this.slots[slot] = value;
    this.depth--;
    return value;
  }

  private readContents(kind: number): unknown {
    switch (kind) {
      case KIND_STRING:
        return this.readStringContents();
      case KIND_NUMBER:
        return this.readNumberContents();
      case KIND_DICTIONARY:
        return this.readDictionaryContents();
      case KIND_URL:
        return this.readURLContents();
    }
    throw NOT_COMMON;
  }

  private readStringContents(): string {
    if (this.nextType() !== C_BYTES) throw NOT_COMMON;
    const start = this.bytesValue();
    // Strings in attribute dictionaries (depth 2 and more) recur; the message's own text seldom does.
    return (this.depth > 1 && recurringText(this.buf, start, this.pos)) || utf8(this.buf, start, this.pos);
  }

  /** Skips a "+" value's bytes; returns where they start. */
  private bytesValue(): number {
    const length = this.integer(this.signedByte());
    this.need(length);
    this.pos += length;
    return this.pos - length;
  }

  private readNumberContents(): ArchivedNumber {
    if (this.nextType() !== C_CSTRING) throw NOT_COMMON;
    const objcType = this.readCString();
    return new ArchivedNumber(objcType, this.number(this.nextType()));
  }

  private readDictionaryContents(): Map<unknown, unknown> {
    const count = this.number(this.nextType());
    if (!Number.isInteger(count) || count < 0) throw NOT_COMMON;
    const map = new Map<unknown, unknown>();
    for (let i = 0; i < count; i++) {
      const key = this.readEntry();
      map.set(key, this.readEntry());
    }
    return map;
  }

  private readEntry(): unknown {
    const type = this.nextType();
    if (type === C_OBJECT) return this.readObject();
    return this.number(type);
  }

  private readURLContents(): ArchivedURL {
    const hasBase = this.readEntry();
    const base = hasBase ? this.readEntry() : null;
    const relative = this.readEntry();
    if (typeof relative !== 'string' || (base !== null && !(base instanceof ArchivedURL))) throw NOT_COMMON;
    return new ArchivedURL(relative, base);
  }
}

function classKind(buf: Buffer, start: number, end: number, superKind: number): number {
  const named = NAMED_KINDS.get(nameKey(buf, start, end));
  if (!named || !sameBytes(buf, start, end, named.name)) return superKind;
  return named.kind === KIND_ATTRIBUTED && superKind !== KIND_OTHER ? superKind : named.kind;
}

// A loop: Buffer.compare's native call cost more than the whole decode of a short blob.
function sameBytes(buf: Buffer, start: number, end: number, expected: Buffer): boolean {
  if (end - start !== expected.length) return false;
  for (let i = 0; i < expected.length; i++) if (buf[start + i] !== expected[i]) return false;
  return true;
}

function utf8(buf: Buffer, start: number, end: number): string {
  return end - start === 1 && buf[start]! < 0x80 ? String.fromCharCode(buf[start]!) : buf.toString('utf8', start, end);
}

const reader = new CommonReader(EMPTY);
