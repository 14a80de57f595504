// A strict decoder for NSArchiver "typedstream" archives (little-endian "streamtyped" flavour),
// the format of message.attributedBody. Format notes: fixtures SCHEMA.md §4.0.
//
// The stream is self-describing: every value is preceded by its Objective-C type encoding, so
// objects are read generically (class chain + typed values up to END) and only the Foundation
// value classes are turned into JS values. Byte strings and NSData contents are views into the
// input, not copies.

import { DecodeError } from './errors.js';
import {
  C_ARRAY, C_ATOM, C_BYTES, C_CHAR, C_CLASS, C_CSTRING, C_OBJECT, C_SELECTOR, C_STRUCT, C_UCHAR, END_BYTE, PENDING,
  REFERENCE_BASE, SLOT_CLASS, SLOT_CSTRING, SLOT_OBJECT, TAG_NEW, TAG_NIL, recurringText, toBuffer, TypedstreamCursor,
} from './typedstream-cursor.js';

/** An NSNumber: the Objective-C type code it was archived with ("i", "q", "c", "d", …) and its value. */
export class ArchivedNumber {
  constructor(readonly objcType: string, readonly value: number) {}
}

export class ArchivedURL {
  constructor(readonly relative: string, readonly base: ArchivedURL | null) {}
}

/** NSData / NSMutableData contents (a view into the decoded blob). */
export class ArchivedData {
  constructor(readonly className: string, readonly bytes: Uint8Array) {}
}

/** An object of a class without a JS mapping: its class chain (most derived first) and its archived values in order. */
export class ArchivedObject {
  constructor(readonly classChain: readonly string[], readonly values: readonly unknown[]) {}
}

/**
 * Decoded values: NSString → string, NSNumber → ArchivedNumber, NSDictionary → Map (archive order),
 * NSArray → array, NSURL → ArchivedURL, NSData → ArchivedData, nil → null, other classes → ArchivedObject.
 */
export interface TypedstreamArchive {
  root: unknown;
  /** Entries in the shared-string and object tables after decoding (for diagnostics and tests). */
  sharedStringCount: number;
  objectCount: number;
}

const MAX_DEPTH = 200;

type ValueClass = 'string' | 'number' | 'dictionary' | 'array' | 'url' | 'data' | 'other';

const VALUE_CLASSES = new Map<string, ValueClass>([
  ['NSString', 'string'],
  ['NSNumber', 'number'],
  ['NSDictionary', 'dictionary'],
  ['NSArray', 'array'],
  ['NSURL', 'url'],
  ['NSData', 'data'],
]);

interface ClassRecord {
  name: string;
  version: number;
  superclass: ClassRecord | undefined;
  /** Filled on first use. */
  chain?: string[];
  valueClass?: ValueClass;
  /** Interned records whose superclass this is, by name. */
  subclasses?: Map<string, ClassRecord>;
}

/**
 * Every blob archives the same few classes (NSMutableAttributedString, NSString, NSDictionary, …):
 * their records are shared between decodes, so each chain is classified once. A record is fully
 * described by its name, version and superclass, and is never changed once classified.
 */
const rootClasses = new Map<string, ClassRecord>();
const INTERNED_PER_CLASS = 64;

function internClass(name: string, version: number, superclass: ClassRecord | undefined): ClassRecord {
  const siblings = superclass ? (superclass.subclasses ??= new Map()) : rootClasses;
  const known = siblings.get(name);
  if (known && known.version === version) return known;
  const record: ClassRecord = { name, version, superclass };
  if (!known && siblings.size < INTERNED_PER_CLASS) siblings.set(name, record);
  return record;
}

interface TypeNode {
  /** Character code of the type letter; '[' for arrays, '{' for structs. */
  code: number;
  count: number;
  element?: TypeNode;
  fields?: TypeNode[];
}

const SIMPLE_TYPES = new Set('@#:*+%cCBsSiIlLqQfd'.split('').map((letter) => letter.charCodeAt(0)));

// Type encodings repeat across blobs ("@", "iI", "+", "*", …); parse each once.
const typeCache = new Map<string, TypeNode[]>();
const TYPE_CACHE_LIMIT = 1000;

function parseTypeEncoding(encoding: string): TypeNode[] {
  let nodes = typeCache.get(encoding);
  if (nodes) return nodes;
  nodes = [];
  let at = 0;
  while (at < encoding.length) {
    const [node, next] = parseTypeAt(encoding, at);
    nodes.push(node);
    at = next;
  }
  if (nodes.length === 0) throw new DecodeError('empty type encoding');
  if (typeCache.size >= TYPE_CACHE_LIMIT) typeCache.clear();
  typeCache.set(encoding, nodes);
  return nodes;
}

function parseTypeAt(encoding: string, at: number): [TypeNode, number] {
  const code = encoding.charCodeAt(at);
  if (SIMPLE_TYPES.has(code)) return [{ code, count: 0 }, at + 1];
  if (code === C_ARRAY) {
    let end = at + 1;
    while (end < encoding.length && encoding.charCodeAt(end) >= 48 && encoding.charCodeAt(end) <= 57) end++;
    if (end === at + 1) throw new DecodeError(`array type without a length: ${JSON.stringify(encoding)}`);
    const count = Number(encoding.slice(at + 1, end));
    const [element, next] = parseTypeAt(encoding, end);
    if (encoding[next] !== ']') throw new DecodeError(`unterminated array type: ${JSON.stringify(encoding)}`);
    return [{ code, count, element }, next + 1];
  }
  if (code === C_STRUCT) {
    const equals = encoding.indexOf('=', at);
    if (equals < 0) throw new DecodeError(`struct type without fields: ${JSON.stringify(encoding)}`);
    const fields: TypeNode[] = [];
    let next = equals + 1;
    while (next < encoding.length && encoding[next] !== '}') {
      const [field, after] = parseTypeAt(encoding, next);
      fields.push(field);
      next = after;
    }
    if (next >= encoding.length || fields.length === 0) throw new DecodeError(`malformed struct type: ${JSON.stringify(encoding)}`);
    return [{ code, count: 0, fields }, next + 1];
  }
  throw new DecodeError(`unsupported type encoding ${JSON.stringify(encoding)}`);
}

class TypedstreamReader extends TypedstreamCursor {
  private depth = 0;
  readonly sharedStrings: string[] = [];
  readonly objects: unknown[] = [];
  private readonly slotKinds: number[] = [];

  readHeader(): void {
    if (this.byte() !== 4) throw new DecodeError('not a typedstream (unknown streamer version)');
    const signatureLength = this.byte();
    const signature = this.bytes(signatureLength).toString('latin1');
    if (signature === 'typedstream') throw new DecodeError('big-endian typedstream is not supported');
    if (signature !== 'streamtyped') throw new DecodeError('not a typedstream (bad signature)');
    this.integer(this.signedByte()); // system version, 1000 on current systems
  }

  /** Reads one top-level typed-value group and returns its first value. */
  readRoot(): unknown {
    const values: unknown[] = [];
    this.readGroup(values);
    return values[0];
  }

  protected fail(what: string): never {
    throw new DecodeError(`${what} at byte ${this.pos}`);
  }

  private bytes(count: number): Buffer {
    this.need(count);
    const view = this.buf.subarray(this.pos, this.pos + count);
    this.pos += count;
    return view;
  }

  private readLength(): number {
    const length = this.integer(this.signedByte());
    if (length < 0) this.fail(`negative length ${length}`);
    return length;
  }

  private readReference(head: number, table: unknown[], what: string): number {
    const index = this.integer(head) - REFERENCE_BASE;
    if (index < 0 || index >= table.length) this.fail(`${what} reference ${index} outside the table of ${table.length}`);
    return index;
  }

  /** `recurring`: a class name or type encoding, which most blobs repeat. */
  private readSharedString(recurring = false): string | undefined {
    const head = this.signedByte();
    if (head === TAG_NIL) return undefined;
    if (head === TAG_NEW) {
      const length = this.readLength();
      this.need(length);
      const text = (recurring && recurringText(this.buf, this.pos, this.pos + length)) || this.buf.toString('utf8', this.pos, this.pos + length);
      this.pos += length;
      this.sharedStrings.push(text);
      return text;
    }
    return this.sharedStrings[this.readReference(head, this.sharedStrings, 'shared-string')];
  }

  private reserveSlot(kind: number): number {
    this.objects.push(PENDING);
    this.slotKinds.push(kind);
    return this.objects.length - 1;
  }

  private slotValue(index: number, kind: number): unknown {
    if (this.slotKinds[index] !== kind) this.fail(`object-table entry ${index} is not the expected kind`);
    const value = this.objects[index];
    if (value === PENDING) this.fail(`reference to object ${index} while it is being read`);
    return value;
  }

  private readGroup(out: unknown[]): void {
    const encoding = this.readSharedString(true);
    if (encoding === undefined) this.fail('missing type encoding');
    const types = parseTypeEncoding(encoding);
    for (let i = 0; i < types.length; i++) out.push(this.readValue(types[i]));
  }

  private readValue(type: TypeNode): unknown {
    switch (type.code) {
      case C_OBJECT:
        return this.readObject();
      case C_CLASS:
        return this.readClass()?.name ?? null;
      case C_SELECTOR:
      case C_ATOM:
        return this.readSharedString() ?? null;
      case C_CSTRING:
        return this.readCString();
      case C_BYTES:
        return this.bytes(this.readLength());
      case C_ARRAY:
        return this.readArray(type);
      case C_STRUCT:
        return type.fields!.map((field) => this.readValue(field));
    }
    return this.readNumber(type.code) ?? this.fail(`unsupported type code ${String.fromCharCode(type.code)}`);
  }

  private readArray(type: TypeNode): unknown {
    const element = type.element!;
    if (element.code === C_CHAR || element.code === C_UCHAR) return this.bytes(type.count);
    // Every element takes at least one byte, so a count beyond the remaining data is malformed.
    this.need(type.count);
    const values: unknown[] = [];
    for (let i = 0; i < type.count; i++) values.push(this.readValue(element));
    return values;
  }

  private readCString(): string | null {
    const head = this.signedByte();
    if (head === TAG_NIL) return null;
    if (head !== TAG_NEW) {
      return this.slotValue(this.readReference(head, this.objects, 'C-string'), SLOT_CSTRING) as string;
    }
    const slot = this.reserveSlot(SLOT_CSTRING);
    const text = this.readSharedString();
    if (text === undefined) this.fail('nil C string text');
    this.objects[slot] = text;
    return text;
  }

  /**
   * A class and its superclass chain (most derived first in the stream); undefined for nil. Classes new
   * in this chain may only point back at classes that existed before it (`chainStart`): no cycles.
   */
  private readClass(chainStart = this.objects.length, depth = 0): ClassRecord | undefined {
    const head = this.signedByte();
    if (head === TAG_NIL) return undefined;
    if (head !== TAG_NEW) {
      const index = this.readReference(head, this.objects, 'class');
      if (depth > 0 && index >= chainStart) this.fail('class chain refers to itself');
      return this.slotValue(index, SLOT_CLASS) as ClassRecord;
    }
    if (depth > MAX_DEPTH) this.fail('class chain too long');
    const slot = this.reserveSlot(SLOT_CLASS);
    const name = this.readSharedString(true);
    if (name === undefined) this.fail('class without a name');
    const version = this.integer(this.signedByte());
    const record = internClass(name, version, this.readClass(chainStart, depth + 1));
    this.objects[slot] = record;
    return record;
  }

  private readObject(): unknown {
    const head = this.signedByte();
    if (head === TAG_NIL) return null;
    if (head !== TAG_NEW) return this.slotValue(this.readReference(head, this.objects, 'object'), SLOT_OBJECT);
    if (++this.depth > MAX_DEPTH) this.fail('objects nested too deeply');
    const slot = this.reserveSlot(SLOT_OBJECT);
    const record = this.readClass();
    if (!record) this.fail('object without a class');
    const values: unknown[] = [];
    for (;;) {
      if (this.pos >= this.buf.length) this.fail(`unterminated ${record.name}`);
      if (this.buf[this.pos] === END_BYTE) break;
      this.readGroup(values);
    }
    this.pos++;
    const value = this.interpret(record, values);
    this.objects[slot] = value;
    this.depth--;
    return value;
  }

  private interpret(record: ClassRecord, values: unknown[]): unknown {
    classify(record);
    switch (record.valueClass) {
      case 'string':
        return asString(values, record);
      case 'number':
        return asNumber(values, record);
      case 'dictionary':
        return asDictionary(values, record);
      case 'array':
        return asArray(values, record);
      case 'url':
        return asURL(values, record);
      case 'data':
        return asData(values, record);
    }
    return new ArchivedObject(record.chain!, values);
  }
}

function classify(record: ClassRecord): void {
  if (record.chain) return;
  const chain: string[] = [];
  let valueClass: ValueClass | undefined;
  for (let cls: ClassRecord | undefined = record; cls; cls = cls.superclass) {
    chain.push(cls.name);
    valueClass ??= VALUE_CLASSES.get(cls.name);
  }
  record.chain = chain;
  record.valueClass = valueClass ?? 'other';
}

function malformed(record: ClassRecord): never {
  throw new DecodeError(`malformed ${record.name} contents`);
}

function asString(values: unknown[], record: ClassRecord): string {
  if (values.length !== 1 || !Buffer.isBuffer(values[0])) malformed(record);
  return values[0].toString('utf8');
}

function asNumber(values: unknown[], record: ClassRecord): ArchivedNumber {
  const [objcType, value] = values;
  if (values.length !== 2 || typeof objcType !== 'string' || typeof value !== 'number') malformed(record);
  return new ArchivedNumber(objcType, value);
}

function asDictionary(values: unknown[], record: ClassRecord): Map<unknown, unknown> {
  const count = values[0];
  if (typeof count !== 'number' || values.length !== 1 + 2 * count) malformed(record);
  const map = new Map<unknown, unknown>();
  for (let i = 1; i < values.length; i += 2) map.set(values[i], values[i + 1]);
  return map;
}

function asArray(values: unknown[], record: ClassRecord): unknown[] {
  const count = values[0];
  if (typeof count !== 'number' || values.length !== 1 + count) malformed(record);
  return values.slice(1);
}

function asURL(values: unknown[], record: ClassRecord): ArchivedURL {
  const hasBase = values[0];
  const base = hasBase ? values[1] : null;
  const relative = values[hasBase ? 2 : 1];
  if (values.length !== (hasBase ? 3 : 2) || typeof relative !== 'string') malformed(record);
  if (base !== null && !(base instanceof ArchivedURL)) malformed(record);
  return new ArchivedURL(relative, base);
}

function asData(values: unknown[], record: ClassRecord): ArchivedData {
  const length = values[0];
  if (length === 0 && values.length === 1) return new ArchivedData(record.name, new Uint8Array(0));
  const bytes = values[1];
  if (values.length !== 2 || !(bytes instanceof Uint8Array) || bytes.length !== length) malformed(record);
  return new ArchivedData(record.name, bytes);
}

/** Decodes a typedstream blob; throws DecodeError when it is malformed. Bytes after the root object are ignored. */
export function decodeTypedstream(blob: Uint8Array): TypedstreamArchive {
  const reader = new TypedstreamReader(toBuffer(blob));
  reader.readHeader();
  const root = reader.readRoot();
  return { root, sharedStringCount: reader.sharedStrings.length, objectCount: reader.objects.length };
}
