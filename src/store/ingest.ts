import type { Attachment, Message } from '../model/types.js';
import type { History } from '../normalize/archive.js';
import type { ArchiveStore } from './archive-store.js';
import type { AttachmentFiles } from './attachment-files.js';

/**
 * Adds every conversation of a history (the run's sources, or another archive) to the store, one
 * transaction each; a conversation whose sources did not change since the store last read them is
 * only recorded as seen. With `files`, attachments are copied into the archive folder.
 */
export async function ingest(history: History, store: ArchiveStore, files: AttachmentFiles | undefined, interrupted: () => void): Promise<void> {
  const sources = history.sourceNames.join('; ');
  for (const archived of history.conversations()) {
    const mark = history.changeMark?.(archived);
    if (store.unchanged(archived.key, sources, mark)) continue;
    const stream = history.messages(archived);
    store.writeConversation(archived.key, archived.conversation, withSources(stream(), history.sourceNames, files), { sources, mark });
    await history.releaseAttachments();
    interrupted();
  }
}

/** Each message with the sources that had it (one listing none was in every source of the run). */
function* withSources(messages: Iterable<Message>, every: string[], files: AttachmentFiles | undefined): Generator<{ message: Message; sources: string[] }> {
  for (const message of messages) {
    if (files) keepFiles(message, (a) => files.keep(a));
    yield { message, sources: message.sources ?? every };
  }
}

/** Points every attachment of the message at the archive's copy. */
function keepFiles(message: Message, keep: (a: Attachment) => Attachment): void {
  for (const part of message.parts) {
    if (part.kind === 'attachment') part.attachment = keep(part.attachment);
    else if (part.kind === 'app') part.attachments = part.attachments.map(keep);
    for (const tapback of part.tapbacks) if (tapback.sticker) tapback.sticker = keep(tapback.sticker);
  }
}
