// Apple's Messages timestamps count from 2001-01-01T00:00:00Z: nanoseconds in current databases,
// whole seconds in very old ones. Nanosecond values exceed 2^53, so they are BigInts.

export const APPLE_EPOCH_MS = Date.UTC(2001, 0, 1);

/** A moment as milliseconds since the Unix epoch plus a sub-millisecond nanosecond remainder. */
export interface Moment {
  ms: number;
  /** Extra nanoseconds below the millisecond (the generator uses 1,000–999,999), like a real nanosecond clock. */
  nanos: number;
}

export function appleNanoseconds(t: Moment): bigint {
  return BigInt(t.ms - APPLE_EPOCH_MS) * 1_000_000n + BigInt(t.nanos);
}

export function appleSeconds(t: Moment): number {
  return Math.floor((t.ms - APPLE_EPOCH_MS) / 1000);
}

/** Seconds since 2001 as a float, as edit histories store them. */
export function appleSecondsFloat(t: Moment): number {
  return (t.ms - APPLE_EPOCH_MS) / 1000 + t.nanos / 1e9;
}

export function later(t: Moment, ms: number, nanos = t.nanos): Moment {
  return { ms: t.ms + Math.round(ms), nanos };
}
