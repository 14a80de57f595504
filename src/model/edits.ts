import type { Message, Part, TextPart, UnsentPart } from './types.js';

/**
 * Whether the part's text was edited. An unsent part's versions are every text it had: one alone is the text it
 * had when unsent (an archive kept it), which no edit changed.
 */
export function wasEdited(part: TextPart | UnsentPart): boolean {
  return (part.edits?.length ?? 0) > (part.kind === 'unsent' ? 1 : 0);
}

/** Whether any part was edited (an unsent one too, when it had been before). */
export function hasEdits(parts: Part[]): boolean {
  return parts.some((p) => (p.kind === 'text' || p.kind === 'unsent') && wasEdited(p));
}

/**
 * Whether a stored message was edited: an older textkeeper counted the text an unsent part had as an edit. A
 * message marked edited whose versions are not known is still edited.
 */
export function storedAsEdited(message: Message): boolean {
  const versioned = message.parts.filter((p) => (p.kind === 'text' || p.kind === 'unsent') && p.edits !== undefined);
  return message.edited && (versioned.length === 0 || hasEdits(versioned));
}
