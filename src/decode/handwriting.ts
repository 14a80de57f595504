// Handwritten messages (com.apple.Handwriting.HandwritingProvider payload_data): protobuf with
// XZ-compressed stroke points, fitted into the drawing's frame (fixtures SCHEMA.md §4.8).

import { DecodeError } from './errors.js';
import { ProtoMessage } from './protobuf.js';
import { decompressXz } from './xz.js';

/** A fitted point: x, y in the drawing's pixel space, and the stroke width (1–10) there. */
export type HandwritingPoint = [x: number, y: number, width: number];

export interface Handwriting {
  id: string;
  /** Milliseconds since 2001-01-01Z (0 for Apple's built-in drawings). */
  createdAt: number;
  /** Size of the drawing: the frame plus a 5-pixel margin. */
  width: number;
  height: number;
  strokes: HandwritingPoint[][];
}

/** The raw drawing as stored, before fitting. */
export interface RawHandwriting {
  id: string;
  createdAt: number;
  frame: { x: number; y: number; width: number; height: number };
  /** Points as [x, y, width], in the writer's device units. */
  strokes: HandwritingPoint[][];
}

const COMPRESSION_NONE = 1;
const COMPRESSION_XZ = 4;
const POINT_BYTES = 8;
const MARGIN = 5;

/** Decodes and fits a handwriting payload; throws DecodeError when it is malformed. */
export function decodeHandwriting(payload: Uint8Array): Handwriting {
  return fitHandwriting(decodeRawHandwriting(payload));
}

export function decodeRawHandwriting(payload: Uint8Array): RawHandwriting {
  const message = new ProtoMessage(payload);
  const drawing = message.bytes(4);
  if (!drawing) throw new DecodeError('handwriting payload without a drawing');
  const handwriting = new ProtoMessage(drawing);
  const frameBytes = handwriting.bytes(3);
  if (!frameBytes || frameBytes.length !== 8) throw new DecodeError('handwriting without a frame');
  const frame = { x: unmask(frameBytes, 0), y: unmask(frameBytes, 2), width: unmask(frameBytes, 4), height: unmask(frameBytes, 6) };
  const stored = handwriting.bytes(8) ?? new Uint8Array(0);
  const compression = handwriting.varint(5) ?? COMPRESSION_NONE;
  let points: Uint8Array;
  if (compression === COMPRESSION_XZ) points = decompressXz(stored, handwriting.varint(6));
  else if (compression === COMPRESSION_NONE) points = stored;
  else throw new DecodeError(`unsupported handwriting compression ${compression}`);
  return { id: message.string(3) ?? '', createdAt: message.sfixed64(2) ?? 0, frame, strokes: readStrokes(points) };
}

/** An int16 stored XORed with 0x8000, read back as an unsigned value. */
function unmask(bytes: Uint8Array, at: number): number {
  return (bytes[at] | (bytes[at + 1] << 8)) ^ 0x8000;
}

// Repeated: uint16 point count, then per point x, y, width and an unused value (masked int16s).
function readStrokes(data: Uint8Array): HandwritingPoint[][] {
  const strokes: HandwritingPoint[][] = [];
  let pos = 0;
  while (pos < data.length) {
    if (pos + 2 > data.length) throw new DecodeError('truncated handwriting stroke');
    const count = data[pos] | (data[pos + 1] << 8);
    pos += 2;
    if (pos + count * POINT_BYTES > data.length) throw new DecodeError('handwriting stroke runs past the end');
    const stroke: HandwritingPoint[] = [];
    for (let i = 0; i < count; i++, pos += POINT_BYTES) stroke.push([unmask(data, pos), unmask(data, pos + 2), unmask(data, pos + 4)]);
    strokes.push(stroke);
  }
  return strokes;
}

/** Scales the points into the frame and the widths to 1–10, with integer arithmetic (SCHEMA §4.8). */
export function fitHandwriting(raw: RawHandwriting): Handwriting {
  let maxX = 0;
  let maxY = 0;
  let maxWidth = 0;
  for (const stroke of raw.strokes) {
    for (const [x, y, width] of stroke) {
      maxX = Math.max(maxX, x);
      maxY = Math.max(maxY, y);
      maxWidth = Math.max(maxWidth, width - 1);
    }
  }
  const { width: frameWidth, height: frameHeight } = raw.frame;
  const scale = (value: number, factor: number, divisor: number): number => (divisor > 0 ? Math.floor((value * factor) / divisor) : 0);
  const strokes = raw.strokes.map((stroke) =>
    stroke.map(([x, y, width]): HandwritingPoint => [scale(x, frameWidth, maxX), scale(y, frameHeight, maxY), scale(width, 9, maxWidth) + 1]),
  );
  return { id: raw.id, createdAt: raw.createdAt, width: frameWidth + MARGIN, height: frameHeight + MARGIN, strokes };
}
