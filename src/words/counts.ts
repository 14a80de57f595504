// Counts in words, as every command and format writes them.

/**
 * 1234567 → "1,234,567", as toLocaleString('en-US') writes a whole number, without loading ICU's locale
 * data (a few hundredths of a second of start-up, for a run that shows a few counts).
 */
export function formatCount(count: number): string {
  return Number.isInteger(count) ? String(count).replace(/\B(?=(\d{3})+$)/g, ',') : count.toLocaleString('en-US');
}

/** 1 → "1 photo", 1234 → "1,234 photos" */
export function countOf(count: number, one: string, many = `${one}s`): string {
  return `${formatCount(count)} ${count === 1 ? one : many}`;
}
