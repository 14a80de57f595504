import { MAX_STEM_BYTES, safeStem, STEM_LENGTH } from './files.js';

/** Of a title cut to make room for what tells it apart, at least this many characters stay. */
const MIN_TITLE = 20;

export interface Titled {
  title: string;
  participants: { name: string; handle: string }[];
}

/**
 * Titles for file names: a title that several conversations share (two groups called "Mallory & friends",
 * two contacts with one name) gets what tells each apart — the participants the others lack by name, else
 * by handle — so the same conversation gets the same name in every run, whatever the order.
 */
export function distinctTitles(conversations: Titled[]): string[] {
  const byStem = new Map<string, Titled[]>();
  for (const c of conversations) {
    const stem = safeStem(c.title).toLowerCase();
    byStem.set(stem, [...(byStem.get(stem) ?? []), c]);
  }
  return conversations.map((c) => {
    const namesakes = byStem.get(safeStem(c.title).toLowerCase())!;
    if (namesakes.length === 1) return c.title;
    const own = ownValues(c, namesakes, (p) => p.name);
    const tellApart = own.length > 0 ? own : ownValues(c, namesakes, (p) => p.handle);
    if (tellApart.length === 0) return c.title;
    const shown = tellApart.slice(0, 2).join(', ') + (tellApart.length > 2 ? ` +${tellApart.length - 2}` : '');
    return withSuffix(c.title, ` (${shown})`);
  });
}

/**
 * The title and what tells it apart, the title cut short enough that the file name keeps all of that (an
 * unnamed group of thirty, named by its members, is cut: what follows the cut would be cut away too).
 */
function withSuffix(title: string, suffix: string): string {
  const whole = title + suffix;
  if (safeStem(whole) === safeStem(whole, Infinity, Infinity)) return whole;
  const cut = `…${suffix}`;
  return safeStem(title, Math.max(MIN_TITLE, STEM_LENGTH - cut.length), MAX_STEM_BYTES - Buffer.byteLength(cut)) + cut;
}

/** What this conversation's participants have that not every namesake has, sorted. */
function ownValues(c: Titled, namesakes: Titled[], value: (p: Titled['participants'][number]) => string): string[] {
  const inEvery = (v: string) => namesakes.every((other) => other.participants.some((p) => value(p) === v));
  return [...new Set(c.participants.map(value))].filter((v) => !inEvery(v)).sort();
}
