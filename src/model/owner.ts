import type { Person } from './types.js';

/** How the owner is named unless `--me` says otherwise. */
export const DEFAULT_OWNER_NAME = 'Me';

/**
 * Whether sentences about this person address the owner as "you": the owner under the default name, as
 * "Me named the conversation" is not English. A name given with `--me` is used as it is.
 */
export function isYou(person: Person | undefined): boolean {
  return person?.isMe === true && person.name === DEFAULT_OWNER_NAME;
}

/** The owner's handles of these lists, each once, sorted: as a conversation lists them (see `Conversation.ownerHandles`). */
export function everyOwnerHandle(...lists: string[][]): string[] {
  return [...new Set(lists.flat())].sort();
}
