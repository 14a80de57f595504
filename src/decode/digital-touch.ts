// Digital Touch balloons (com.apple.DigitalTouchBalloonProvider payload_data): protobuf
// (fixtures SCHEMA.md §4.7). Positions are little-endian uint16 pairs (x, y) spanning the canvas
// (0 = left/top, 65535 = right/bottom); colors are 4 bytes R, G, B, A per stroke or tap.

import { DecodeError } from './errors.js';
import { ProtoMessage } from './protobuf.js';

export type TouchKind = 'tap' | 'heartbeat' | 'sketch' | 'kiss' | 'fireball' | 'unknown';

/** A position on the canvas, each coordinate from 0 to 1 (y down). */
export type TouchPoint = [x: number, y: number];

export interface DigitalTouch {
  kind: TouchKind;
  kindId: number;
  id?: string;
  /** Heartbeats: beats per minute; a broken heart also has `heartBrokenAt` (seconds) above 0. */
  bpm?: number;
  heartBrokenAt?: number;
  /** Heartbeats (whole seconds) and fireballs (seconds). */
  duration?: number;
  /** Sketches: number of strokes drawn, as the payload states it. */
  strokesCount?: number;
  /** Sketches: each stroke's points. */
  strokes?: TouchPoint[][];
  /** Taps and kisses: where each one landed; fireballs: the path it took. */
  points?: TouchPoint[];
  /** Sketches and taps: each stroke's or tap's color as "#rrggbb". */
  colors?: string[];
  /** Field numbers present in the kind-specific payload. */
  payloadFields: number[];
}

// A broken heart is a heartbeat (kind 3) with a non-zero HeartBrokenAt.
const KINDS = new Map<number, TouchKind>([
  [1, 'tap'],
  [3, 'heartbeat'],
  [4, 'sketch'],
  [7, 'kiss'],
  [8, 'fireball'],
]);

const COORDINATE_SPAN = 0xffff;

/** Decodes a Digital Touch payload; throws DecodeError when it is malformed. */
export function decodeDigitalTouch(payload: Uint8Array): DigitalTouch {
  const message = new ProtoMessage(payload);
  const kindId = message.varint(1);
  if (kindId === undefined) throw new DecodeError('Digital Touch payload without a kind');
  const kind = KINDS.get(kindId) ?? 'unknown';
  const inner = new ProtoMessage(message.bytes(3) ?? new Uint8Array(0));
  const touch: DigitalTouch = { kind, kindId, id: message.string(5), payloadFields: inner.fieldNumbers() };
  if (kind === 'heartbeat') {
    touch.bpm = inner.float(1);
    touch.duration = inner.varint(2);
    touch.heartBrokenAt = inner.float(6);
  } else if (kind === 'fireball') {
    touch.duration = inner.float(1);
    touch.points = readPoints(inner.bytes(5));
  } else if (kind === 'sketch') {
    touch.strokesCount = inner.varint(1);
    touch.strokes = readStrokes(inner.bytes(2));
    touch.colors = readColors(inner.bytes(3));
  } else if (kind === 'tap') {
    touch.points = readPoints(inner.bytes(3));
    touch.colors = readColors(inner.bytes(4));
  } else if (kind === 'kiss') {
    touch.points = readPoints(inner.bytes(2));
  }
  return touch;
}

function readPoints(bytes: Uint8Array | undefined, from = 0, count = ((bytes?.length ?? 0) - from) >> 2): TouchPoint[] {
  const points: TouchPoint[] = [];
  if (!bytes) return points;
  for (let i = 0, at = from; i < count; i++, at += 4) {
    points.push([uint16(bytes, at) / COORDINATE_SPAN, uint16(bytes, at + 2) / COORDINATE_SPAN]);
  }
  return points;
}

// Repeated: a uint16 (0 in the samples seen; likely the stroke's start delay), a uint16 point count, then the points.
function readStrokes(bytes: Uint8Array | undefined): TouchPoint[][] {
  const strokes: TouchPoint[][] = [];
  let pos = 0;
  while (bytes && pos < bytes.length) {
    if (pos + 4 > bytes.length) throw new DecodeError('truncated Digital Touch stroke');
    const count = uint16(bytes, pos + 2);
    if (pos + 4 + count * 4 > bytes.length) throw new DecodeError('Digital Touch stroke runs past the end');
    strokes.push(readPoints(bytes, pos + 4, count));
    pos += 4 + count * 4;
  }
  return strokes;
}

function readColors(bytes: Uint8Array | undefined): string[] {
  const colors: string[] = [];
  for (let at = 0; bytes && at + 4 <= bytes.length; at += 4) {
    colors.push(`#${[bytes[at], bytes[at + 1], bytes[at + 2]].map((c) => c!.toString(16).padStart(2, '0')).join('')}`);
  }
  return colors;
}

function uint16(bytes: Uint8Array, at: number): number {
  return bytes[at]! | (bytes[at + 1]! << 8);
}

/** What a reader calls it: "heartbeat", "broken heart", "sketch", … */
export function touchName(touch: DigitalTouch): string {
  if (touch.kind === 'heartbeat' && (touch.heartBrokenAt ?? 0) > 0) return 'broken heart';
  return touch.kind === 'unknown' ? 'message' : touch.kind;
}
