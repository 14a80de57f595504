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

/** A participant's handles: theirs, then the others the conversation was read from. */
export function handlesOf(person: Person): string[] {
  return [person.handle, ...(person.otherHandles ?? [])];
}

/**
 * Everyone these lists of one conversation's participants name (its sources', or an archive's and a run's), once
 * (`keyOf` tells who is one person), with every handle of theirs the lists give, and a former member when a list
 * says so. Each comes where they come first in a list (by handle when several do): a list alone stays as it is,
 * lists that agree keep their order (members, then who left), and the order is the same whatever the lists' is.
 */
export function everyParticipant(lists: Person[][], keyOf: (handle: string) => string): Person[] {
  const copies = lists.flatMap((list) => list.map((person, at) => ({ person, at, order: JSON.stringify(person) })));
  copies.sort((a, b) => a.at - b.at || compareText(a.order, b.order));
  const byKey = new Map<string, Person[]>();
  for (const { person } of copies) byKey.set(keyOf(person.handle), [...(byKey.get(keyOf(person.handle)) ?? []), person]);
  return [...byKey.values()].map(onePerson);
}

/** Copies of one person as one: the first, with the others' handles after its own. */
function onePerson([first, ...others]: Person[]): Person {
  if (others.length === 0) return first!;
  const own = handlesOf(first!);
  const more = [...new Set(others.flatMap(handlesOf))].filter((h) => !own.includes(h)).sort(compareText);
  const former = [first!, ...others].map((p) => p.former).filter((f) => f !== undefined).sort()[0];
  return { ...first!, ...(more.length > 0 && { otherHandles: [...own.slice(1), ...more] }), ...(former && { former }) };
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
