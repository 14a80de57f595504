import { isYou } from '../model/owner.js';
import type { GroupEvent } from '../model/types.js';

/**
 * A sentence the export writes with the names in it (a person's, a group's) each put through `isolate`, the
 * rest through `plain`; the longest wins where names overlap. Each format isolates a name its own way (HTML's
 * <bdi>, the PDF layout's first-strong isolate), so that a right-to-left name does not pull the punctuation,
 * phone numbers and times next to it into its own direction.
 */
export function isolateNames(text: string, names: string[], isolate: (name: string) => string, plain: (text: string) => string = (t) => t): string {
  const wanted = names.filter(Boolean).sort((a, b) => b.length - a.length);
  let result = '';
  let from = 0;
  for (;;) {
    let at = -1;
    let name = '';
    for (const candidate of wanted) {
      const found = text.indexOf(candidate, from);
      if (found !== -1 && (at === -1 || found < at)) [at, name] = [found, candidate];
    }
    if (at === -1) return result + plain(text.slice(from));
    result += plain(text.slice(from, at)) + isolate(name);
    from = at + name.length;
  }
}

/** The names an event's sentence holds: its people's and the group's. The owner named "you" is a word of the sentence, not a name. */
export function eventNames(event: GroupEvent): string[] {
  const people = [event.actor, event.target].filter((person) => person && !isYou(person)).map((person) => person!.name);
  return [...people, event.name ?? ''];
}
