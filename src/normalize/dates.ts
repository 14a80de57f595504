/** 2001-01-01T00:00:00Z, Apple's epoch, in Unix milliseconds. */
const APPLE_EPOCH_MS = 978_307_200_000;

/** A reader date (milliseconds since 2001; 0 = unset) as a Date, or undefined when unset. */
export function appleDate(ms: number | null | undefined): Date | undefined {
  return ms ? new Date(APPLE_EPOCH_MS + ms) : undefined;
}

/** A Date as milliseconds since 2001, for SQL filters. */
export function toAppleMs(date: Date): number {
  return date.getTime() - APPLE_EPOCH_MS;
}
