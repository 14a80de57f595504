// Digital Touch balloons (com.apple.DigitalTouchBalloonProvider payload_data): protobuf
// (fixtures SCHEMA.md §4.7).

import { DecodeError } from './errors.js';
import { ProtoMessage } from './protobuf.js';

export type TouchKind = 'tap' | 'heartbeat' | 'sketch' | 'kiss' | 'fireball' | 'unknown';

export interface DigitalTouch {
  kind: TouchKind;
  kindId: number;
  id?: string;
  /** Heartbeats: beats per minute; a broken heart also has `heartBrokenAt` (seconds) above 0. */
  bpm?: number;
  heartBrokenAt?: number;
  /** Heartbeats (whole seconds) and fireballs (seconds). */
  duration?: number;
  /** Sketches: number of strokes drawn. */
  strokesCount?: number;
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
  } else if (kind === 'sketch') {
    touch.strokesCount = inner.varint(1);
  }
  return touch;
}

/** What a reader calls it: "heartbeat", "broken heart", "sketch", … */
export function touchName(touch: DigitalTouch): string {
  if (touch.kind === 'heartbeat' && (touch.heartBrokenAt ?? 0) > 0) return 'broken heart';
  return touch.kind === 'unknown' ? 'message' : touch.kind;
}
