import type { Person } from '../model/types.js';
import { ORPHANS_KEY } from '../normalize/conversations.js';
import { closestNames, fold } from './text.js';

/** What `--chat` terms are matched against: one conversation, across every source that has it. */
export interface Selectable {
  key: string;
  title: string;
  groupName?: string;
  participants: Person[];
  /** Its chat rows' guids, and the identifiers of group chats (`chat100000031676`). */
  ids: string[];
  /** The names a group had before its current one, most recent first, each with the day it was renamed again. */
  earlierNames?: { name: string; until: string }[];
}

export interface MatchOptions {
  /** No fallback to part of a name. */
  exact: boolean;
  /** The same key for every handle of one person, whatever its formatting (see Contacts.personKey). */
  personKey(handle: string): string;
}

/** Why a conversation was chosen, and what a term that chose nothing may have meant. */
export interface Selection {
  /** Selected conversations by key, with the reasons (one per term that chose it). */
  chosen: Map<string, string[]>;
  /** Terms that chose nothing, with the names closest to them. */
  unmatched: { term: string; closest: string[] }[];
  /** Terms that chose several conversations by part of a name only. */
  loose: { term: string; count: number }[];
  /** No participant has a name other than their phone number or email: no contacts named anyone. */
  unnamed: boolean;
}

type Rule = (term: string, conversation: Selectable) => string | undefined;

/**
 * Chooses the conversations the terms name. Each term is tried rule by rule, and the first rule that
 * matches anything decides: a conversation id or chat identifier, a participant's phone number or email,
 * a contact or group name (exact, ignoring case and accents), a name a group had before (likewise), then —
 * unless `exact` — part of a name, earlier names included.
 * A person chooses every conversation they take part in, groups included.
 */
export function selectConversations(all: Selectable[], terms: string[], options: MatchOptions): Selection {
  const rules: Rule[] = [byId, byHandle(options.personKey), byName, byEarlierName];
  if (!options.exact) rules.push(byPartOfName);
  const unnamed = all.every((c) => c.participants.every((p) => p.name === p.handle));
  const selection: Selection = { chosen: new Map(), unmatched: [], loose: [], unnamed };
  for (const term of withGroupNames(all, terms)) {
    const { rule, found } = firstMatchingRule(all, term, rules);
    if (found.length === 0) selection.unmatched.push({ term, closest: closestNames(term, all.flatMap(namesOf)) });
    if (found.length > 1 && rule === byPartOfName) selection.loose.push({ term, count: found.length });
    // Two terms for one person ("Mom,+15555550100") give one reason.
    for (const { key, reason } of found) selection.chosen.set(key, [...new Set([...(selection.chosen.get(key) ?? []), reason])]);
  }
  return selection;
}

/**
 * The terms, those that a comma split apart but together are a group's name ("Tom, Dick & Harry") or the title
 * `list` gives a group without one (its people: "Liam Müller, Hana Lee, Farah Brown") made one again: the
 * longest run of terms that is one wins.
 */
function withGroupNames(all: Selectable[], terms: string[]): string[] {
  const commaFold = (text: string) => fold(text).replace(/\s*,\s*/g, ',');
  const withComma = (c: Selectable) => [c.groupName, c.title].filter((name): name is string => name?.includes(',') === true);
  const named = new Map(all.flatMap((c) => withComma(c).map((name) => [commaFold(name), name] as const)));
  if (named.size === 0) return terms;
  const joined: string[] = [];
  for (let start = 0; start < terms.length; ) {
    let end = terms.length;
    while (end > start + 1 && !named.has(commaFold(terms.slice(start, end).join(',')))) end--;
    joined.push(end > start + 1 ? named.get(commaFold(terms.slice(start, end).join(',')))! : terms[start]!);
    start = end;
  }
  return joined;
}

function firstMatchingRule(all: Selectable[], term: string, rules: Rule[]): { rule?: Rule; found: { key: string; reason: string }[] } {
  for (const rule of rules) {
    const found = all.flatMap((c) => {
      const reason = rule(term, c);
      return reason ? [{ key: c.key, reason }] : [];
    });
    if (found.length > 0) return { rule, found };
  }
  return { found: [] };
}

const byId: Rule = (term, c) => {
  const id = c.ids.find((candidate) => candidate.toLowerCase() === term.trim().toLowerCase());
  return id ? `id ${id}` : undefined;
};

/** Phone numbers (any formatting, at least three digits) and emails. */
export function looksLikeHandle(term: string): boolean {
  return term.includes('@') || (/^[+\d\s().-]+$/.test(term.trim()) && term.replace(/\D/g, '').length >= 3);
}

function byHandle(personKey: (handle: string) => string): Rule {
  return (term, c) => {
    if (!looksLikeHandle(term)) return undefined;
    const key = personKey(term);
    const person = c.participants.find((p) => personKey(p.handle) === key);
    return person && `${describe(person)} takes part`;
  };
}

const byName: Rule = (term, c) => {
  const wanted = fold(term);
  if (c.groupName && fold(c.groupName) === wanted) return `group named “${c.groupName}”`;
  const person = c.participants.find((p) => fold(p.name) === wanted);
  if (person) return `${describe(person)} takes part`;
  return fold(c.title) === wanted ? `named “${c.title}”` : undefined;
};

/** A group renamed since ("Book Club" → "Readers") is still known by the names people remember. */
const byEarlierName: Rule = (term, c) => {
  const earlier = c.earlierNames?.find(({ name }) => fold(name) === fold(term));
  return earlier && `group named “${earlier.name}” until ${earlier.until}`;
};

// The messages of no chat are there, as a conversation, in every database (most often empty): no one's name.
const byPartOfName: Rule = (term, c) => {
  const wanted = fold(term);
  if (!wanted || c.key === ORPHANS_KEY) return undefined;
  const name = [c.title, ...c.participants.map((p) => p.name)].find((n) => fold(n).includes(wanted));
  if (name) return `“${name}” contains “${term.trim()}”`;
  const earlier = c.earlierNames?.find((n) => fold(n.name).includes(wanted));
  return earlier && `“${earlier.name}”, its name until ${earlier.until}, contains “${term.trim()}”`;
};

function describe(person: Person): string {
  return person.name === person.handle ? person.handle : `${person.name} (${person.handle})`;
}

/** The names a term may have been meant for. */
function namesOf(c: Selectable): string[] {
  if (c.key === ORPHANS_KEY) return [];
  const earlier = (c.earlierNames ?? []).map((n) => n.name);
  return [c.title, ...(c.groupName ? [c.groupName] : []), ...earlier, ...c.participants.flatMap((p) => [p.name, p.handle])];
}
