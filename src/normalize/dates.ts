/** 2001-01-01T00:00:00Z, Apple's epoch, in Unix milliseconds. */
const APPLE_EPOCH_MS = 978_307_200_000;
/** Dates a message can plausibly carry: 1970-01-01 up to 2200-01-01 (milliseconds since 2001). */
const EARLIEST = -APPLE_EPOCH_MS;
const LATEST = Date.UTC(2200, 0, 1) - APPLE_EPOCH_MS;

/** Whether a reader date (milliseconds since 2001) is a real, plausible instant. */
export function isUsableAppleMs(ms: unknown): ms is number {
  return typeof ms === 'number' && Number.isFinite(ms) && ms >= EARLIEST && ms < LATEST;
}

/** A reader date (milliseconds since 2001; 0 = unset) as a Date, or undefined when unset or out of range. */
export function appleDate(ms: number | null | undefined): Date | undefined {
  return ms && isUsableAppleMs(ms) ? new Date(APPLE_EPOCH_MS + ms) : undefined;
}

/** 2001-01-01, where a message without a usable date is placed. */
export const APPLE_EPOCH = new Date(APPLE_EPOCH_MS);

/** A Date as milliseconds since 2001, for SQL filters. */
export function toAppleMs(date: Date): number {
  return date.getTime() - APPLE_EPOCH_MS;
}
