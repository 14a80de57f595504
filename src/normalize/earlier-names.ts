import { appleDate } from './dates.js';

/** A group's naming: the name (null: the name was removed) and when (ms since 2001; see `GroupActivity`). */
export type Naming = [name: string | null, at: number];

/** A name a group had before the one it has now, and the day it was renamed again (as `dayOf` gives it). */
export interface EarlierName {
  name: string;
  until: string;
}

/**
 * The names a conversation's namings gave it before its current name, most recent first, each until the
 * naming after it (the latest time, for a name given twice). A damaged row's name that is not text is none.
 */
export function earlierNames(namings: Naming[], current: string | undefined, dayOf: (date: Date) => string): EarlierName[] {
  const ordered = [...namings].sort((a, b) => a[1] - b[1]);
  const found = new Map<string, EarlierName>();
  ordered.forEach(([name], i) => {
    const until = appleDate(ordered[i + 1]?.[1]);
    if (typeof name !== 'string' || !name.trim() || name === current || !until) return;
    found.delete(name);
    found.set(name, { name, until: dayOf(until) });
  });
  return [...found.values()].reverse();
}
