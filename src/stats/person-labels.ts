// Who the counts are of: people, not names (two contacts called "Ann Lee" are two people).
import { handlesOf } from '../model/people.js';
import type { Person } from '../model/types.js';
import { distinctTitles } from '../output/distinct-titles.js';
import type { PersonStats } from './collector.js';

/** Someone counted: their name and handles that are theirs; `spellings` are those only another spelling of a number among them (never shown). */
export interface Named {
  name: string;
  handles: string[];
  spellings?: string[];
}

/** Who a conversation's counts name: its participants with every handle of theirs, and each handle counted (the owner's too). */
export function countedPeople(participants: Person[], people: PersonStats[]): Named[] {
  return [...participants.map((p) => ({ name: p.name, handles: handlesOf(p), ...(p.sameNumbers && { spellings: p.sameNumbers }) })), ...people.map((p) => ({ name: p.name, handles: [p.handle] }))];
}

/**
 * Each handle's person as counts show them: those sharing a handle are one person (a contact's phone beside their
 * email, a participant of two conversations), named by their name, which a namesake's tells apart by their handles
 * as the export's file names do (`Ann Lee (+15555550100)`).
 */
export function personLabels(people: Named[]): Map<string, string> {
  const persons = oneEach(people);
  const labels = distinctTitles(persons.map((p) => ({ title: p.name, participants: shown(p).map((handle) => ({ name: p.name, handle })) })));
  return new Map(persons.flatMap((p, i) => p.handles.map((handle): [string, string] => [handle, labels[i]!])));
}

/** The people with those sharing a handle as one, with the handles of all, named as the first of them is. */
function oneEach(people: Named[]): Named[] {
  const byHandle = new Map<string, Named>();
  for (const p of people) {
    const met = [...new Set(p.handles.flatMap((handle) => byHandle.get(handle) ?? []))];
    const spellings = [...new Set([...met.flatMap((m) => m.spellings ?? []), ...(p.spellings ?? [])])];
    const one = { name: met[0]?.name ?? p.name, handles: [...new Set([...met.flatMap((m) => m.handles), ...p.handles])], ...(spellings.length > 0 && { spellings }) };
    for (const handle of one.handles) byHandle.set(handle, one);
  }
  return [...new Set(byHandle.values())];
}

/** The handles a person's label may name: a number once, as shown, not in a device's other spelling. */
function shown(person: Named): string[] {
  const handles = person.handles.filter((handle) => !person.spellings?.includes(handle));
  return handles.length > 0 ? handles : person.handles;
}
