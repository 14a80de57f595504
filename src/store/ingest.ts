import { endsTheRun } from '../errors.js';
import type { Attachment, Message } from '../model/types.js';
import type { History } from '../normalize/archive.js';
import type { ArchiveStore } from './archive-store.js';
import type { AttachmentFiles } from './attachment-files.js';

/**
 * Adds every conversation of a history (the run's sources, or another archive) to the store, one
 * transaction each; a conversation whose sources did not change since the store last read them is
 * only recorded as seen. With `files`, attachments are copied into the archive folder. A conversation
 * that cannot be read (a damaged page) is left as the store had it, passed to `skip`; returns their keys.
 */
export async function ingest(history: History, store: ArchiveStore, files: AttachmentFiles | undefined, interrupted: () => void, skip: (title: string, error: unknown) => void): Promise<Set<string>> {
  const sources = history.sourceNames.join('; ');
  const skipped = new Set<string>();
  for (const { key, title } of history.candidates()) {
    try {
      const [archived] = history.conversations(new Set([key]));
      const mark = archived && history.changeMark?.(archived);
      if (archived && !store.unchanged(key, sources, mark)) {
        store.writeConversation(key, archived.conversation, withSources(history.messages(archived)(), history.sourceNames, files), { sources, mark });
      }
    } catch (error) {
      if (endsTheRun(error)) throw error;
      skipped.add(key);
      skip(title, error);
    }
    await history.releaseAttachments();
    interrupted();
  }
  return skipped;
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
