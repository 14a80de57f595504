import { endsTheRun } from '../errors.js';
import type { Attachment, Message } from '../model/types.js';
import type { History } from '../normalize/archive.js';
import type { ArchiveStore } from './archive-store.js';
import type { AttachmentFiles } from './attachment-files.js';
import { toJson } from './message-json.js';
import type { ConversationRows, MessageRow } from './rows.js';

/**
 * Adds every conversation of a history (the run's sources, or another archive) to the store, each whole
 * or not at all; a conversation whose sources did not change since the store last read them is only
 * recorded as seen. With `files`, attachments are copied into the archive folder. A conversation that
 * cannot be read (a damaged page) is left as the store had it, passed to `skip`; returns their keys.
 */
export async function ingest(history: History, store: ArchiveStore, files: AttachmentFiles | undefined, interrupted: () => void, skip: (title: string, error: unknown) => void): Promise<Set<string>> {
  const sources = history.sourceNames.join('; ');
  const skipped = new Set<string>();
  for (const { key, title } of history.candidates()) {
    try {
      let mark: string | undefined;
      let unchanged = false;
      const rows = readConversation(history, key, (found) => {
        mark = found;
        return (unchanged = store.unchanged(key, sources, found));
      }, files);
      if (rows) store.write(rows);
      // A conversation the sources give no message of (often: the messages of no chat) is not looked at again while unchanged.
      else if (!unchanged && mark !== undefined) store.rememberMark(key, sources, mark);
    } catch (error) {
      if (endsTheRun(error)) throw error;
      skipped.add(key);
      skip(title, error);
    }
    await history.releaseAttachments();
    interrupted();
  }
  store.commit();
  return skipped;
}

/**
 * A conversation of the history as the store writes it; undefined when it has no message, or when
 * `unchanged` says its change mark is the one the store last read.
 */
function readConversation(history: History, key: string, unchanged: (mark: string | undefined) => boolean, files: AttachmentFiles | undefined): ConversationRows | undefined {
  // An unchanged conversation is told by its mark alone: its messages are neither counted nor read.
  const mark = history.changeMark?.(key);
  if (unchanged(mark)) return undefined;
  const [archived] = history.conversations(new Set([key]));
  if (!archived) return undefined;
  const { messageCount, firstDate, lastDate, ...kept } = archived.conversation;
  const found = files?.collect() ?? { copies: [], hashes: [] };
  return {
    key,
    body: toJson(kept),
    people: archived.conversation.participants.map((p) => [p.handle, p.name]),
    chatGuids: history.chatGuids(key),
    sources: history.sourceNames,
    messages: messageRows(history.messages(archived)(), files),
    mark: mark === undefined ? undefined : { sources: history.sourceNames.join('; '), mark },
    files: found,
  };
}

/** Messages are read (and their files copied) as the store writes them. */
function* messageRows(messages: Iterable<Message>, files: AttachmentFiles | undefined): Generator<MessageRow> {
  for (const message of messages) {
    if (files) keepFiles(message, (a) => files.keep(a));
    yield messageRow(message);
  }
}

function messageRow(seen: Message): MessageRow {
  const { sources, absentSince, ...message } = seen;
  return { guid: message.guid, date: message.date.getTime(), seq: message.rowId, body: toJson(message), sources, absentSince: absentSince?.getTime() };
}

/** Points every attachment of the message at the archive's copy. */
function keepFiles(message: Message, keep: (a: Attachment) => Attachment): void {
  for (const part of message.parts) {
    if (part.kind === 'attachment') part.attachment = keep(part.attachment);
    else if (part.kind === 'app') part.attachments = part.attachments.map(keep);
    for (const tapback of part.tapbacks) if (tapback.sticker) tapback.sticker = keep(tapback.sticker);
  }
}
