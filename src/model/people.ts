import type { Message, Person } from './types.js';

/** Every person a message names, wherever they sit (sender, reactions, the message replied to, an event, a poll); a loop: it runs for every message read back. */
export function peopleOf(message: Message): Person[] {
  const found = [message.sender];
  if (message.replyTo?.target) found.push(message.replyTo.target.sender);
  if (message.event) found.push(message.event.actor, ...(message.event.target ? [message.event.target] : []));
  for (const part of message.parts) {
    for (const tapback of part.tapbacks) found.push(tapback.sender);
    if (part.kind !== 'app') continue;
    for (const option of part.app.poll?.options ?? []) found.push(...(option.addedBy ? [option.addedBy] : []), ...option.votes.map((vote) => vote.voter));
  }
  return found;
}

/** A participant's handles: theirs, then the others the conversation was read from, then other spellings of their numbers. */
export function handlesOf(person: Person): string[] {
  return [...shownHandles(person), ...(person.sameNumbers ?? [])];
}

/** A participant's handles as shown: theirs, then the others the conversation was read from (each number once). */
export function shownHandles(person: Person): string[] {
  return [person.handle, ...(person.otherHandles ?? [])];
}

/** A person as one list of participants gives them, and where. */
interface Copy {
  person: Person;
  at: number;
  order: string;
}

/**
 * The person with their phone numbers shown in E.164 as `spell` (see `Contacts.normalize`) spells them, each once: a
 * device may keep one without its country code (`5555550107`) where another keeps `+15555550107`, and runs of either
 * show one number, as sources read together do. The device's spelling stays theirs (`sameNumbers`).
 */
export function numbersOnce(person: Person, spell: (handle: string) => string): Person {
  const spelled = (h: string) => inE164(h, spell);
  const handles = shownHandles(person);
  const same = handles.filter((h) => spelled(h) !== h);
  if (same.length === 0) return person;
  const [handle, ...others] = [...new Set(handles.map(spelled))];
  const { otherHandles, ...one } = person;
  return { ...one, handle: handle!, ...(others.length > 0 && { otherHandles: others }), sameNumbers: [...new Set([...(person.sameNumbers ?? []), ...same])] };
}

/** A handle that is a phone number, in E.164 as `spell` (see `Contacts.normalize`) spells it; any other as it is. */
export function inE164(handle: string, spell: (handle: string) => string): string {
  const number = spell(handle);
  return number.startsWith('+') ? number : handle;
}

/**
 * Everyone these lists of one conversation's participants name (its sources', or an archive's and a run's), once
 * (`keyOf` tells who is one person), with every handle of theirs the lists give, and a former member as the latest
 * change of their membership a list dates says. Each comes where they come first in a list (by handle when several
 * do; a merged list keeps where that was, `listedAt`): a list alone stays as it is, lists that agree keep their order
 * (members, then who left), and the order is the same whatever the lists' is, and whether they are merged at once or
 * one by one (an archive's runs).
 */
export function everyParticipant(lists: Person[][], keyOf: (handle: string) => string): Person[] {
  const copies = lists.flatMap((list) => list.map((person, at): Copy => ({ person, at: person.listedAt ?? at, order: JSON.stringify(person) })));
  copies.sort((a, b) => a.at - b.at || compareText(a.order, b.order));
  const byKey = new Map<string, Copy[]>();
  for (const copy of copies) byKey.set(keyOf(copy.person.handle), [...(byKey.get(keyOf(copy.person.handle)) ?? []), copy]);
  return [...byKey.values()].map(onePerson);
}

/** Copies of one person as one, the `place`th of the list: the first, with the others' handles after its own. */
function onePerson(copies: Copy[], place: number): Person {
  const [{ person: first, at }, ...others] = copies;
  const given = handlesOf(first!);
  const more = [...new Set(others.flatMap((c) => shownHandles(c.person)))].filter((h) => !given.includes(h)).sort(compareText);
  const handles = [...shownHandles(first!).slice(1), ...more];
  const same = [...new Set(copies.flatMap((c) => c.person.sameNumbers ?? []))].filter((h) => h !== first!.handle && !handles.includes(h));
  const { former, changedAt } = lastChange(copies.map((c) => c.person));
  return { ...own(first!), ...(handles.length > 0 && { otherHandles: handles }), ...(same.length > 0 && { sameNumbers: same }), ...(former && { former }), ...(changedAt !== undefined && { changedAt }), ...(at !== place && { listedAt: at }) };
}

/** Who a person is, without what merging lists says of them (their fields in one order, whichever copy is first). */
function own({ otherHandles, sameNumbers, former, changedAt, listedAt, ...person }: Person): Omit<Person, 'otherHandles' | 'sameNumbers' | 'former' | 'changedAt' | 'listedAt'> {
  return person;
}

/**
 * What became of a person, as the latest change of their membership a copy dates says; else (none dates one: an
 * archive an earlier textkeeper kept) a former member when a copy says so.
 */
function lastChange(copies: Person[]): Pick<Person, 'former' | 'changedAt'> {
  const dated = copies.filter((p) => p.changedAt !== undefined).sort((a, b) => b.changedAt! - a.changedAt! || compareText(b.former ?? '', a.former ?? ''))[0];
  return dated ? { former: dated.former, changedAt: dated.changedAt } : { former: copies.map((p) => p.former).filter((f) => f !== undefined).sort()[0] };
}

/** Text in code-unit order. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
