// A small XZ decompressor (single or concatenated blocks, LZMA2 filter only), written for the
// handwriting payloads: Node's zlib has no XZ/LZMA and no installed package provides it.
// Container: the .xz file format 1.0.4; LZMA2 chunks and the LZMA range decoder as in the LZMA SDK
// specification. Integrity checks are skipped; the decoded length is validated instead.

import { DecodeError } from './errors.js';

const MAGIC = [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00];
const FILTER_LZMA2 = 0x21;
const MAX_OUTPUT = 256 * 1024 * 1024;

/** Decompresses a complete .xz stream; throws DecodeError when it is malformed or not LZMA2. */
export function decompressXz(data: Uint8Array, expectedLength?: number): Uint8Array {
  if (data.length < 12 || MAGIC.some((byte, i) => data[i] !== byte)) throw new DecodeError('not an XZ stream');
  if (data[6] !== 0 || data[7] > 0x0f) throw new DecodeError('unsupported XZ stream flags');
  const checkSize = checkSizes[data[7]];
  const output = new Output(expectedLength);
  let pos = 12;
  for (;;) {
    if (pos >= data.length) throw new DecodeError('XZ stream ends before its index');
    if (data[pos] === 0) break; // index indicator: no more blocks
    const blockStart = pos;
    pos = readBlockHeader(data, pos);
    pos = new Lzma2Decoder(data, pos, output).run();
    while ((pos - blockStart) % 4 !== 0) {
      if (data[pos++] !== 0) throw new DecodeError('non-zero XZ block padding');
    }
    pos += checkSize;
  }
  // The index and footer are not needed for decoding, but a stream without its footer is cut short.
  if (data.length < pos + 12 || data[data.length - 2] !== 0x59 || data[data.length - 1] !== 0x5a) {
    throw new DecodeError('XZ stream has no footer');
  }
  const result = output.result();
  if (expectedLength !== undefined && result.length !== expectedLength) {
    throw new DecodeError(`XZ data decompressed to ${result.length} bytes, expected ${expectedLength}`);
  }
  return result;
}

// Check field sizes by check id (0 none, 1 CRC32, 4 CRC64, 10 SHA-256, others reserved).
const checkSizes = [0, 4, 4, 4, 8, 8, 8, 16, 16, 16, 32, 32, 32, 64, 64, 64];

/** Validates a block header (LZMA2 as the only filter) and returns the offset of the compressed data. */
function readBlockHeader(data: Uint8Array, start: number): number {
  const headerSize = (data[start] + 1) * 4;
  if (start + headerSize > data.length) throw new DecodeError('truncated XZ block header');
  const flags = data[start + 1];
  if ((flags & 0x03) !== 0) throw new DecodeError('XZ filter chains other than LZMA2 alone are not supported');
  let pos = start + 2;
  const varint = (): number => {
    let value = 0;
    for (let shift = 0; shift < 63; shift += 7) {
      const byte = data[pos++];
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return value;
    }
    throw new DecodeError('malformed XZ block header number');
  };
  if (flags & 0x40) varint(); // compressed size
  if (flags & 0x80) varint(); // uncompressed size
  if (varint() !== FILTER_LZMA2) throw new DecodeError('XZ block does not use LZMA2');
  if (varint() !== 1) throw new DecodeError('malformed LZMA2 filter properties');
  if (pos > start + headerSize - 4) throw new DecodeError('malformed XZ block header');
  return start + headerSize;
}

/** The decompressed bytes, grown as LZMA2 chunks announce their sizes. */
class Output {
  bytes: Uint8Array;
  length = 0;

  constructor(expectedLength: number | undefined) {
    this.bytes = new Uint8Array(Math.min(Math.max(expectedLength ?? 0, 4096), 16 * 1024 * 1024));
  }

  reserve(extra: number): void {
    const needed = this.length + extra;
    if (needed > MAX_OUTPUT) throw new DecodeError('XZ data decompresses to more than 256 MB');
    if (needed <= this.bytes.length) return;
    const grown = new Uint8Array(Math.max(needed, this.bytes.length * 2));
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
  }

  result(): Uint8Array {
    return this.bytes.subarray(0, this.length);
  }
}

const NUM_STATES = 12;
const POS_STATES_MAX = 16;
const MATCH_MIN_LENGTH = 2;
const END_POS_MODEL_INDEX = 14;
const FULL_DISTANCES = 128;
const ALIGN_BITS = 4;
const PROBABILITY_INIT = 1024;

/** Probabilities of one length decoder (match lengths or repeated-match lengths). */
class LengthModel {
  readonly choice = new Uint16Array(2);
  readonly low = new Uint16Array(POS_STATES_MAX << 3);
  readonly mid = new Uint16Array(POS_STATES_MAX << 3);
  readonly high = new Uint16Array(256);

  reset(): void {
    this.choice.fill(PROBABILITY_INIT);
    this.low.fill(PROBABILITY_INIT);
    this.mid.fill(PROBABILITY_INIT);
    this.high.fill(PROBABILITY_INIT);
  }
}

/** Decodes the LZMA2 chunks of one XZ block into `output`, keeping LZMA state across chunks. */
class Lzma2Decoder {
  // Range decoder
  private range = 0;
  private code = 0;
  private inPos: number;
  private inEnd = 0;

  // LZMA properties and state
  private lc = 0;
  private lp = 0;
  private pb = 0;
  private hasProperties = false;
  private state = 0;
  private rep0 = 0;
  private rep1 = 0;
  private rep2 = 0;
  private rep3 = 0;
  private dictStart = 0;
  private needDictReset = true;

  private literal = new Uint16Array(0x300);
  private readonly isMatch = new Uint16Array(NUM_STATES << 4);
  private readonly isRep = new Uint16Array(NUM_STATES);
  private readonly isRepG0 = new Uint16Array(NUM_STATES);
  private readonly isRepG1 = new Uint16Array(NUM_STATES);
  private readonly isRepG2 = new Uint16Array(NUM_STATES);
  private readonly isRep0Long = new Uint16Array(NUM_STATES << 4);
  private readonly posSlot = new Uint16Array(4 << 6);
  private readonly posSpecial = new Uint16Array(1 + FULL_DISTANCES - END_POS_MODEL_INDEX);
  private readonly align = new Uint16Array(1 << ALIGN_BITS);
  private readonly matchLength = new LengthModel();
  private readonly repLength = new LengthModel();

  constructor(
    private readonly input: Uint8Array,
    start: number,
    private readonly output: Output,
  ) {
    this.inPos = start;
  }

  /** Decodes chunks up to the end marker; returns the offset after it. */
  run(): number {
    for (;;) {
      const control = this.inputByte();
      if (control === 0x00) return this.inPos;
      if (control === 0x01 || control === 0x02) {
        if (control === 0x01) this.resetDictionary();
        else if (this.needDictReset) throw new DecodeError('LZMA2 data without a dictionary reset');
        this.copyUncompressed(this.bigEndian16() + 1);
      } else if (control >= 0x80) {
        this.lzmaChunk(control);
      } else {
        throw new DecodeError(`invalid LZMA2 control byte 0x${control.toString(16)}`);
      }
    }
  }

  private inputByte(): number {
    if (this.inPos >= this.input.length) throw new DecodeError('truncated LZMA2 data');
    return this.input[this.inPos++];
  }

  private bigEndian16(): number {
    return (this.inputByte() << 8) | this.inputByte();
  }

  private resetDictionary(): void {
    this.dictStart = this.output.length;
    this.needDictReset = false;
  }

  private copyUncompressed(size: number): void {
    if (this.inPos + size > this.input.length) throw new DecodeError('truncated LZMA2 data');
    this.output.reserve(size);
    this.output.bytes.set(this.input.subarray(this.inPos, this.inPos + size), this.output.length);
    this.output.length += size;
    this.inPos += size;
  }

  private lzmaChunk(control: number): void {
    const unpackedSize = ((control & 0x1f) << 16) + this.bigEndian16() + 1;
    const packedSize = this.bigEndian16() + 1;
    const reset = (control >> 5) & 3;
    if (reset === 3) this.resetDictionary();
    else if (this.needDictReset) throw new DecodeError('LZMA2 data without a dictionary reset');
    if (reset >= 2) this.setProperties(this.inputByte());
    else if (!this.hasProperties) throw new DecodeError('LZMA2 chunk without properties');
    if (reset >= 1) this.resetState();
    if (this.inPos + packedSize > this.input.length) throw new DecodeError('truncated LZMA2 chunk');
    this.inEnd = this.inPos + packedSize;
    this.initRangeDecoder();
    this.output.reserve(unpackedSize);
    this.decode(this.output.length + unpackedSize);
    if (this.inPos !== this.inEnd) throw new DecodeError('LZMA2 chunk size mismatch');
  }

  private setProperties(properties: number): void {
    if (properties >= 9 * 5 * 5) throw new DecodeError('invalid LZMA properties');
    this.lc = properties % 9;
    this.lp = Math.floor(properties / 9) % 5;
    this.pb = Math.floor(properties / 45);
    if (this.lc + this.lp > 4) throw new DecodeError('invalid LZMA2 literal properties');
    this.literal = new Uint16Array(0x300 << (this.lc + this.lp));
    this.hasProperties = true;
  }

  private resetState(): void {
    this.state = 0;
    this.rep0 = this.rep1 = this.rep2 = this.rep3 = 0;
    for (const probabilities of [this.literal, this.isMatch, this.isRep, this.isRepG0, this.isRepG1, this.isRepG2, this.isRep0Long, this.posSlot, this.posSpecial, this.align]) {
      probabilities.fill(PROBABILITY_INIT);
    }
    this.matchLength.reset();
    this.repLength.reset();
  }

  // ---- Range decoder ----

  private initRangeDecoder(): void {
    if (this.rangeByte() !== 0) throw new DecodeError('corrupt LZMA range coder start');
    this.range = 0xffffffff;
    this.code = 0;
    for (let i = 0; i < 4; i++) this.code = this.code * 256 + this.rangeByte();
    if (this.code >= this.range) throw new DecodeError('corrupt LZMA data');
  }

  private rangeByte(): number {
    if (this.inPos >= this.inEnd) throw new DecodeError('LZMA chunk data ends early');
    return this.input[this.inPos++];
  }

  private normalize(): void {
    if (this.range < 0x1000000) {
      this.range *= 256;
      this.code = this.code * 256 + this.rangeByte();
    }
  }

  private bit(probabilities: Uint16Array, index: number): number {
    const probability = probabilities[index];
    const bound = (this.range >>> 11) * probability;
    let bit: number;
    if (this.code < bound) {
      this.range = bound;
      probabilities[index] = probability + ((2048 - probability) >>> 5);
      bit = 0;
    } else {
      this.range -= bound;
      this.code -= bound;
      probabilities[index] = probability - (probability >>> 5);
      bit = 1;
    }
    this.normalize();
    return bit;
  }

  private bitTree(probabilities: Uint16Array, offset: number, bits: number): number {
    let m = 1;
    for (let i = 0; i < bits; i++) m = (m << 1) + this.bit(probabilities, offset + m);
    return m - (1 << bits);
  }

  private reverseBitTree(probabilities: Uint16Array, offset: number, bits: number): number {
    let m = 1;
    let symbol = 0;
    for (let i = 0; i < bits; i++) {
      const bit = this.bit(probabilities, offset + m);
      m = (m << 1) + bit;
      symbol |= bit << i;
    }
    return symbol;
  }

  private directBits(count: number): number {
    let value = 0;
    for (let i = 0; i < count; i++) {
      this.range = Math.floor(this.range / 2);
      let bit = 0;
      if (this.code >= this.range) {
        this.code -= this.range;
        bit = 1;
      }
      value = value * 2 + bit;
      this.normalize();
    }
    return value;
  }

  // ---- LZMA ----

  private decode(end: number): void {
    const output = this.output;
    const out = output.bytes;
    const posMask = (1 << this.pb) - 1;
    while (output.length < end) {
      const position = output.length;
      const posState = position & posMask;
      if (this.bit(this.isMatch, (this.state << 4) + posState) === 0) {
        out[output.length++] = this.decodeLiteral(out, position);
        this.state = this.state < 4 ? 0 : this.state < 10 ? this.state - 3 : this.state - 6;
        continue;
      }
      let length: number;
      if (this.bit(this.isRep, this.state) === 0) {
        this.rep3 = this.rep2;
        this.rep2 = this.rep1;
        this.rep1 = this.rep0;
        length = this.decodeLength(this.matchLength, posState);
        this.state = this.state < 7 ? 7 : 10;
        this.rep0 = this.decodeDistance(length);
      } else {
        if (this.bit(this.isRepG0, this.state) === 0) {
          if (this.bit(this.isRep0Long, (this.state << 4) + posState) === 0) {
            this.state = this.state < 7 ? 9 : 11;
            out[output.length++] = out[this.matchSource(position)];
            continue;
          }
        } else {
          let distance: number;
          if (this.bit(this.isRepG1, this.state) === 0) {
            distance = this.rep1;
          } else {
            if (this.bit(this.isRepG2, this.state) === 0) {
              distance = this.rep2;
            } else {
              distance = this.rep3;
              this.rep3 = this.rep2;
            }
            this.rep2 = this.rep1;
          }
          this.rep1 = this.rep0;
          this.rep0 = distance;
        }
        length = this.decodeLength(this.repLength, posState);
        this.state = this.state < 7 ? 8 : 11;
      }
      length += MATCH_MIN_LENGTH;
      if (position + length > end) throw new DecodeError('LZMA match runs past the chunk');
      let source = this.matchSource(position);
      for (let i = 0; i < length; i++) out[output.length++] = out[source++];
    }
  }

  /** Where a match at `position` copies from, after checking it lies inside the dictionary. */
  private matchSource(position: number): number {
    const source = position - this.rep0 - 1;
    if (source < this.dictStart) throw new DecodeError('LZMA match distance beyond the dictionary');
    return source;
  }

  private decodeLiteral(out: Uint8Array, position: number): number {
    const previous = position > this.dictStart ? out[position - 1] : 0;
    const literalState = ((position & ((1 << this.lp) - 1)) << this.lc) + (previous >>> (8 - this.lc));
    const base = 0x300 * literalState;
    let symbol = 1;
    if (this.state >= 7) {
      let matchByte = out[this.matchSource(position)];
      do {
        const matchBit = (matchByte >>> 7) & 1;
        matchByte <<= 1;
        const bit = this.bit(this.literal, base + ((1 + matchBit) << 8) + symbol);
        symbol = (symbol << 1) | bit;
        if (matchBit !== bit) break;
      } while (symbol < 0x100);
    }
    while (symbol < 0x100) symbol = (symbol << 1) | this.bit(this.literal, base + symbol);
    return symbol & 0xff;
  }

  private decodeLength(model: LengthModel, posState: number): number {
    if (this.bit(model.choice, 0) === 0) return this.bitTree(model.low, posState << 3, 3);
    if (this.bit(model.choice, 1) === 0) return 8 + this.bitTree(model.mid, posState << 3, 3);
    return 16 + this.bitTree(model.high, 0, 8);
  }

  private decodeDistance(length: number): number {
    const lengthState = Math.min(length, 3);
    const slot = this.bitTree(this.posSlot, lengthState << 6, 6);
    if (slot < 4) return slot;
    const directCount = (slot >>> 1) - 1;
    let distance = (2 | (slot & 1)) * 2 ** directCount;
    if (slot < END_POS_MODEL_INDEX) {
      distance += this.reverseBitTree(this.posSpecial, distance - slot, directCount);
    } else {
      distance += this.directBits(directCount - ALIGN_BITS) * 2 ** ALIGN_BITS;
      distance += this.reverseBitTree(this.align, 0, ALIGN_BITS);
    }
    return distance;
  }
}
