// Encoder for Apple's typedstream (NSArchiver "streamtyped") format, producing the NSAttributedString
// archives Messages stores in message.attributedBody. Layout facts: little-endian; values are
// preceded by shared type-encoding strings; classes, C strings and objects are written once and
// then referenced by index. Object identity decides sharing, exactly as NSArchiver does: passing the
// same JS object twice writes a back-reference, two equal but distinct objects are written twice.

const HEADER = Buffer.from([0x04, 0x0b, ...Buffer.from('streamtyped'), 0x81, 0xe8, 0x03]);
const TAG_INT16 = 0x81;
const TAG_INT32 = 0x82;
const TAG_FLOAT = 0x83;
const TAG_NEW = 0x84;
const TAG_NIL = 0x85;
const TAG_END = 0x86;
const TAG_INT64 = 0x87;
/** Reference numbers start at head byte 0x92, i.e. index 0 is written as the integer -110. */
const REFERENCE_BASE = -110;

export class ArchivedString {
  constructor(readonly value: string) {}
}

export type NumberType = 'i' | 'q' | 'd' | 'c';

export class ArchivedNumber {
  constructor(
    readonly objCType: NumberType,
    readonly value: number,
  ) {}
}

export class ArchivedURL {
  constructor(readonly relative: ArchivedString) {}
}

export type ArchivedValue = ArchivedString | ArchivedNumber | ArchivedURL;

export class AttributeDictionary {
  constructor(readonly entries: ReadonlyArray<readonly [ArchivedString, ArchivedValue]>) {}
}

export interface AttributeRun {
  /** Run length in UTF-16 code units. */
  length: number;
  /** Runs that pass the same dictionary object share one attribute index. */
  dictionary: AttributeDictionary;
}

/** Class chains as Foundation archives them: [name, version], ending at the root class. */
const CLASS_CHAINS: Record<string, ReadonlyArray<readonly [string, number]>> = {
  NSMutableAttributedString: [['NSMutableAttributedString', 0], ['NSAttributedString', 0], ['NSObject', 0]],
  NSAttributedString: [['NSAttributedString', 0], ['NSObject', 0]],
  NSMutableString: [['NSMutableString', 1], ['NSString', 1], ['NSObject', 0]],
  NSString: [['NSString', 1], ['NSObject', 0]],
  NSDictionary: [['NSDictionary', 0], ['NSObject', 0]],
  NSNumber: [['NSNumber', 0], ['NSValue', 0], ['NSObject', 0]],
  NSURL: [['NSURL', 0], ['NSObject', 0]],
};

class TypedStreamWriter {
  private readonly chunks: Buffer[] = [HEADER];
  private readonly sharedStrings = new Map<string, number>();
  /** Object-table slots: archived objects by identity, classes as "class:Name", C strings as "cstring:…". */
  private readonly objects = new Map<unknown, number>();
  private objectCount = 0;

  bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }

  raw(...bytes: number[]): void {
    this.chunks.push(Buffer.from(bytes));
  }

  int(value: number): void {
    if (value >= REFERENCE_BASE && value <= 127) {
      this.raw(value & 0xff);
    } else if (value >= -0x8000 && value <= 0x7fff) {
      const b = Buffer.alloc(3);
      b[0] = TAG_INT16;
      b.writeInt16LE(value, 1);
      this.chunks.push(b);
    } else if (value >= -0x80000000 && value <= 0x7fffffff) {
      const b = Buffer.alloc(5);
      b[0] = TAG_INT32;
      b.writeInt32LE(value, 1);
      this.chunks.push(b);
    } else {
      const b = Buffer.alloc(9);
      b[0] = TAG_INT64;
      b.writeBigInt64LE(BigInt(value), 1);
      this.chunks.push(b);
    }
  }

  private reference(index: number): void {
    this.int(index + REFERENCE_BASE);
  }

  private reserveObject(key: unknown): void {
    this.objects.set(key, this.objectCount++);
  }

  /** Writes an object-table back-reference if `key` was written before; returns whether it did. */
  private referenceIfSeen(key: unknown): boolean {
    const index = this.objects.get(key);
    if (index === undefined) return false;
    this.reference(index);
    return true;
  }

  sharedString(value: string): void {
    const index = this.sharedStrings.get(value);
    if (index !== undefined) return this.reference(index);
    this.sharedStrings.set(value, this.sharedStrings.size);
    const utf8 = Buffer.from(value, 'utf8');
    this.raw(TAG_NEW);
    this.int(utf8.length);
    this.chunks.push(utf8);
  }

  /** A typed-value group begins with its type encoding, e.g. "@" or "iI". */
  type(encoding: string): void {
    this.sharedString(encoding);
  }

  private cString(value: string): void {
    const key = `cstring:${value}`;
    if (this.referenceIfSeen(key)) return;
    this.raw(TAG_NEW);
    this.reserveObject(key);
    this.sharedString(value);
  }

  private classChain(className: string): void {
    for (const [name, version] of CLASS_CHAINS[className]) {
      if (this.referenceIfSeen(`class:${name}`)) return;
      this.raw(TAG_NEW);
      this.reserveObject(`class:${name}`);
      this.sharedString(name);
      this.int(version);
    }
    this.raw(TAG_NIL);
  }

  /** Starts a new object of `className`; the caller writes its contents, then `end()`. */
  beginObject(identity: unknown, className: string): void {
    this.raw(TAG_NEW);
    this.reserveObject(identity);
    this.classChain(className);
  }

  end(): void {
    this.raw(TAG_END);
  }

  string(object: ArchivedString, className = 'NSString'): void {
    if (this.referenceIfSeen(object)) return;
    this.beginObject(object, className);
    this.type('+');
    const utf8 = Buffer.from(object.value, 'utf8');
    this.int(utf8.length);
    this.chunks.push(utf8);
    this.end();
  }

  private number(object: ArchivedNumber): void {
    if (this.referenceIfSeen(object)) return;
    this.beginObject(object, 'NSNumber');
    this.type('*');
    this.cString(object.objCType);
    this.type(object.objCType);
    if (object.objCType === 'c') {
      this.raw(object.value & 0xff);
    } else if (object.objCType === 'd' && !Number.isInteger(object.value)) {
      const b = Buffer.alloc(9);
      b[0] = TAG_FLOAT;
      b.writeDoubleLE(object.value, 1);
      this.chunks.push(b);
    } else {
      // Whole doubles are written as plain integers, as Apple does (1139.0 → 81 73 04).
      this.int(object.value);
    }
    this.end();
  }

  private url(object: ArchivedURL): void {
    if (this.referenceIfSeen(object)) return;
    this.beginObject(object, 'NSURL');
    this.type('c');
    this.raw(0); // no base URL
    this.type('@');
    this.string(object.relative);
    this.end();
  }

  value(object: ArchivedValue): void {
    if (object instanceof ArchivedString) this.string(object);
    else if (object instanceof ArchivedNumber) this.number(object);
    else this.url(object);
  }

  dictionary(object: AttributeDictionary): void {
    if (this.referenceIfSeen(object)) return;
    this.beginObject(object, 'NSDictionary');
    this.type('i');
    this.int(object.entries.length);
    for (const [key, value] of object.entries) {
      this.type('@');
      this.string(key);
      this.type('@');
      this.value(value);
    }
    this.end();
  }
}

export interface AttributedStringOptions {
  /** NSMutableAttributedString + NSMutableString (what Messages writes today) or the immutable pair. */
  mutable?: boolean;
}

/** Archives `text` with its attribute runs; run lengths must add up to the text's UTF-16 length. */
export function encodeAttributedString(
  text: string,
  runs: readonly AttributeRun[],
  options: AttributedStringOptions = {},
): Buffer {
  const covered = runs.reduce((sum, run) => sum + run.length, 0);
  if (covered !== text.length) throw new Error(`attribute runs cover ${covered} of ${text.length} UTF-16 units`);
  const mutable = options.mutable ?? true;
  const w = new TypedStreamWriter();
  const root = {};
  w.type('@');
  w.beginObject(root, mutable ? 'NSMutableAttributedString' : 'NSAttributedString');
  w.type('@');
  w.string(new ArchivedString(text), mutable ? 'NSMutableString' : 'NSString');
  const dictionaryIndexes = new Map<AttributeDictionary, number>();
  for (const run of runs) {
    const known = dictionaryIndexes.get(run.dictionary);
    const index = known ?? dictionaryIndexes.size + 1;
    w.type('iI');
    w.int(index);
    w.int(run.length);
    if (known === undefined) {
      dictionaryIndexes.set(run.dictionary, index);
      w.type('@');
      w.dictionary(run.dictionary);
    }
  }
  w.end();
  return w.bytes();
}
