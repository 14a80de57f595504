import type { Attachment, Message } from './types.js';

/** Every attachment of a message, wherever it sits (parts, app balloons, sticker tapbacks); a loop: it runs for every message read back. */
export function attachmentsOf(message: Message): Attachment[] {
  const found: Attachment[] = [];
  for (const part of message.parts) {
    if (part.kind === 'attachment') found.push(part.attachment);
    else if (part.kind === 'app') found.push(...part.attachments);
    for (const tapback of part.tapbacks) if (tapback.sticker) found.push(tapback.sticker);
  }
  return found;
}

/**
 * What a conversation says of a file whose copy into the archive failed: why, and where the original is (none: a
 * backup's file decrypted for the run, gone after it).
 */
export function couldNotCopy(reason: string, original: string | undefined): string {
  return `could not be copied (${reason}), not in this archive${original === undefined ? '' : ` (${original})`}`;
}
