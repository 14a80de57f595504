import { distance } from 'fastest-levenshtein';

/** Direction marks, embeddings, isolates and zero-width characters: phones put some in names, no one types them. */
const INVISIBLE = /[\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g;

/**
 * A name as it is compared: without accents and invisible characters, in lower case, spaces collapsed, every
 * apostrophe as ' and hyphen as - (a phone's contacts and a Mac's typing write O’Brien, a terminal O'Brien).
 */
export function fold(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').replace(INVISIBLE, '').toLocaleLowerCase().replace(/\s+/g, ' ').replace(/[’‘ʼ`´′]/g, "'").replace(/[‐‑]/g, '-').trim();
}

/** How far a name may be from a term, in edits per character of the longer, to be named as close to it. */
const CLOSE = 0.5;

/**
 * The few names nearest a term: names containing it first (the tightest first), then by edit distance
 * relative to length, so a typo ("Gustavo Browne") and a part ("Farah") both find their name; none that
 * would need more edits than CLOSE allows (for "nobody", "Book club" is no suggestion).
 */
export function closestNames(term: string, names: string[], count = 3): string[] {
  const wanted = fold(term);
  const score = (name: string) => {
    const folded = fold(name);
    if (folded.includes(wanted)) return -wanted.length / folded.length;
    return distance(wanted, folded) / Math.max(wanted.length, folded.length, 1);
  };
  const unique = [...new Set(names.filter(Boolean))];
  return unique
    .map((name) => ({ name, score: score(name) }))
    .filter(({ score }) => score <= CLOSE)
    .sort((a, b) => a.score - b.score || a.name.localeCompare(b.name))
    .slice(0, count)
    .map(({ name }) => name);
}
