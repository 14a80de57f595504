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
