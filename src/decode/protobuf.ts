// A minimal protocol-buffers wire-format reader for the few Apple payloads that use it.

import { DecodeError } from './errors.js';

const VARINT = 0;
const I64 = 1;
const LEN = 2;
const I32 = 5;

export interface ProtoField {
  number: number;
  wireType: number;
  /** For varint fields. */
  varint?: number;
  /** The field's raw bytes for LEN, I32 and I64 fields (a view into the message). */
  bytes?: Uint8Array;
}

/** A decoded message: its fields in wire order, with typed look-ups of the first occurrence. */
export class ProtoMessage {
  readonly fields: ProtoField[];

  constructor(bytes: Uint8Array) {
    this.fields = readFields(bytes);
  }

  fieldNumbers(): number[] {
    return [...new Set(this.fields.map((f) => f.number))].sort((a, b) => a - b);
  }

  private field(number: number, wireType: number): ProtoField | undefined {
    const field = this.fields.find((f) => f.number === number);
    if (field && field.wireType !== wireType) throw new DecodeError(`protobuf field ${number} has wire type ${field.wireType}, expected ${wireType}`);
    return field;
  }

  varint(number: number): number | undefined {
    return this.field(number, VARINT)?.varint;
  }

  bytes(number: number): Uint8Array | undefined {
    return this.field(number, LEN)?.bytes;
  }

  string(number: number): string | undefined {
    const bytes = this.bytes(number);
    return bytes && Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  }

  float(number: number): number | undefined {
    const bytes = this.field(number, I32)?.bytes;
    return bytes && Buffer.from(bytes.buffer, bytes.byteOffset, 4).readFloatLE(0);
  }

  sfixed64(number: number): number | undefined {
    const bytes = this.field(number, I64)?.bytes;
    return bytes && Number(Buffer.from(bytes.buffer, bytes.byteOffset, 8).readBigInt64LE(0));
  }
}

function readFields(bytes: Uint8Array): ProtoField[] {
  const fields: ProtoField[] = [];
  let pos = 0;
  const varint = (): number => {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (pos >= bytes.length) throw new DecodeError('protobuf varint runs past the end');
      const byte = bytes[pos++];
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 128;
    }
    throw new DecodeError('protobuf varint is too long');
  };
  const take = (length: number): Uint8Array => {
    if (length > bytes.length - pos) throw new DecodeError('protobuf field runs past the end');
    pos += length;
    return bytes.subarray(pos - length, pos);
  };
  while (pos < bytes.length) {
    const key = varint();
    const number = Math.floor(key / 8);
    const wireType = key % 8;
    if (number === 0) throw new DecodeError('protobuf field number 0');
    switch (wireType) {
      case VARINT:
        fields.push({ number, wireType, varint: varint() });
        break;
      case I64:
        fields.push({ number, wireType, bytes: take(8) });
        break;
      case LEN:
        fields.push({ number, wireType, bytes: take(varint()) });
        break;
      case I32:
        fields.push({ number, wireType, bytes: take(4) });
        break;
      default:
        throw new DecodeError(`unsupported protobuf wire type ${wireType}`);
    }
  }
  return fields;
}
