import { endsTheRun } from '../errors.js';
import type { Attachment, FileVersion, Message, Tapback } from '../model/types.js';
import type { CandidateConversation, History } from '../normalize/archive.js';
import type { ArchiveStore } from './archive-store.js';
import type { AttachmentFiles } from './attachment-files.js';
import { attachmentsOf } from '../model/attachments.js';
import { handlesOf } from '../model/people.js';
import { messageJson, toJson } from './message-json.js';
import type { MessageRow } from './rows.js';
import type { StoreWriter } from './store-writer.js';

/**
 * Messages sent to the writer at a time. Each one read is alive until its batch is sent: with 500, the main
 * thread's young-generation collections of a 200,000-message export took 811 ms, with 100 418-476 ms.
 */
const BATCH = 100;
/**
 * Batches read between two turns of the event loop. Reading runs on promises that settle at once, so
 * without them Ctrl-C (a signal handler) was seen only between conversations: 2-7 s late in a 200k export.
 */
const TURN_EVERY = 10;

/** Told what is read: the conversation begun, and how many messages (of the candidates' estimates) are done. */
export interface ReadProgress {
  reading(title: string): void;
  tick(count: number): void;
  stop(): void;
}

export interface IngestOptions {
  /** Where attachments are copied into the archive folder (none: not copied). */
  files?: AttachmentFiles;
  /** Throws when the run was interrupted. */
  interrupted: () => void;
  skip: (title: string, error: unknown) => void;
  progressOf: (candidates: CandidateConversation[]) => ReadProgress;
  /**
   * The run reads its sources whole and decides which messages are gone: only then is a conversation's
   * change mark kept (once every source is read, see `ArchiveStore.endReading`), for a conversation skipped
   * as unchanged is never looked at for what it lost.
   */
  remembersMarks: boolean;
}

/**
 * Adds every conversation of a history (the run's sources, or another archive) to the store, each whole
 * or not at all, through its writer (another thread, which writes while this one reads on); a
 * conversation whose sources did not change since the store last read them is only recorded as seen.
 * With `files`, attachments are copied into the archive folder. A conversation that cannot be read (a
 * damaged page) or written is left as the store had it, passed to `skip`; returns their keys. `progressOf` is
 * given the conversations to read (asked of the history once) and is told how far reading is.
 */
export async function ingest(history: History, store: ArchiveStore, writer: StoreWriter, how: IngestOptions): Promise<Set<string>> {
  const { interrupted, skip, progressOf } = how;
  const candidates = history.candidates();
  const progress = progressOf(candidates);
  const skipped = new Set<string>();
  const titles = new Map<string, string>();
  const settle = (key: string, error: unknown) => {
    if (endsTheRun(error)) throw error;
    skipped.add(key);
    skip(titles.get(key) ?? key, error);
  };
  const writeFailures = () => {
    for (const [key, error] of writer.failures()) settle(key, error);
  };
  try {
    for (const { key, title, estimate } of candidates) {
      titles.set(key, title);
      progress.reading(title);
      let read = 0;
      const counted = (count: number) => {
        read += count;
        progress.tick(count);
      };
      try {
        await addConversation(history, key, store, writer, how, counted);
      } catch (error) {
        settle(key, error);
      }
      // The estimate counts what is not read (reactions, an unchanged conversation): the total is reached all the same.
      progress.tick(Math.max(0, estimate - read));
      writeFailures();
      await history.releaseAttachments();
      interrupted();
    }
  } finally {
    progress.stop();
  }
  await writer.commit();
  writeFailures();
  return skipped;
}

/**
 * Sends a conversation of the history to the writer, unless its change mark is the one the store last read
 * (its messages are then neither counted nor read); tells the store the mark it was read at.
 */
async function addConversation(
  history: History,
  key: string,
  store: ArchiveStore,
  writer: StoreWriter,
  how: IngestOptions,
  counted: (messages: number) => void,
): Promise<void> {
  const sources = history.sourceIds.join('; ');
  const found = markCopying(history.changeMark?.(key), how.files !== undefined);
  if (store.unchanged(key, sources, found, (missing) => history.findsAny?.(key, missing) ?? false)) return;
  const missing = await readConversation(history, key, store, writer, how, counted);
  // Kept once every source is read; also for a conversation the sources give no message of (often: the messages of no chat).
  if (found !== undefined && how.remembersMarks) store.readAt(key, { sources, mark: found, missing });
}

/**
 * Sends a conversation of the history to the writer, its messages read (and their files copied) as they are sent;
 * gives the files its sources lack, by the paths their databases store.
 */
async function readConversation(
  history: History,
  key: string,
  store: ArchiveStore,
  writer: StoreWriter,
  { files, interrupted, remembersMarks }: IngestOptions,
  counted: (messages: number) => void,
): Promise<string[]> {
  const [archived] = history.conversations(new Set([key]));
  if (!archived) return [];
  // Counts and dates are the store's to give (see `StoreArchive.conversations`).
  const { messageCount, firstDate, lastDate, sourceCounts, ...kept } = archived.conversation;
  const copied = files?.collect() ?? { copies: [], hashes: [] };
  const people = archived.conversation.participants.flatMap((p) => handlesOf(p).map((handle): [string, string] => [handle, p.name]));
  const lostSince = remembersMarks ? store.runStartedAt : undefined;
  writer.begin({ key, body: toJson(kept), people, chatGuids: history.chatGuids(key), sources: history.sourceIds, lostSince });
  try {
    const { ownerHandles, missing } = await sendInBatches(history.messages(archived, true)(), writer, files, interrupted, counted);
    const reactions = history.reactionsOfMissing?.(archived) ?? [];
    if (files) for (const [, { tapbacks }] of reactions) for (const onPart of tapbacks?.values() ?? []) keepStickers(onPart, (a) => files.keep(a));
    writer.end({ files: copied, reactions: reactions.length > 0 ? reactions : undefined, ownerHandles: [...ownerHandles] });
    return [...missing];
  } catch (error) {
    writer.abandon();
    throw error;
  }
}

/**
 * A run that copies no files (--attachments link or none) marks what it read as read so: a run that copies
 * reads it again, and copies the files the device still has.
 */
function markCopying(mark: string | undefined, copies: boolean): string | undefined {
  return mark === undefined || copies ? mark : `${mark} without copies`;
}

/** What the messages of a conversation showed besides themselves as they were read. */
interface Seen {
  /** The owner's handles they used. */
  ownerHandles: Set<string>;
  /** The files their sources lack (not withheld: not there), by the paths the databases store. */
  missing: Set<string>;
}

/**
 * Sends messages to the writer as they are read, a batch at a time, each once the next one is read: its files were
 * hashed on another thread meanwhile.
 */
async function sendInBatches(
  read: Iterable<Message>,
  writer: StoreWriter,
  files: AttachmentFiles | undefined,
  interrupted: () => void,
  counted: (messages: number) => void,
): Promise<Seen> {
  let pending: Batch | undefined;
  let messages: Message[] = [];
  let batches = 0;
  const seen: Seen = { ownerHandles: new Set(), missing: new Set() };
  for (const message of read) {
    if (message.ownerHandle) seen.ownerHandles.add(message.ownerHandle);
    messages.push(message);
    if (messages.length < BATCH) continue;
    counted(BATCH);
    const next = readAhead(messages, files, seen.missing);
    await send(pending, writer, files);
    pending = next;
    messages = [];
    if (++batches % TURN_EVERY === 0) {
      await new Promise((resolve) => setImmediate(resolve));
      interrupted();
    }
  }
  await send(pending, writer, files);
  await send(readAhead(messages, files, seen.missing), writer, files);
  return seen;
}

/** Messages read, whose attachment files are being hashed. */
interface Batch {
  messages: Message[];
  hashed: Promise<void>;
}

/** The messages' files hashed ahead; those their sources lack are noted in `missing`. */
function readAhead(messages: Message[], files: AttachmentFiles | undefined, missing: Set<string>): Batch {
  const attachments = messages.flatMap(attachmentsOf);
  for (const a of attachments) if (a.missing && !a.withheld && a.storedPath !== undefined) missing.add(a.storedPath);
  return { messages, hashed: files ? files.hashAhead(attachments) : Promise.resolve() };
}

/** Points the batch's attachments at the archive's copies and sends its messages to the writer. */
async function send(batch: Batch | undefined, writer: StoreWriter, files: AttachmentFiles | undefined): Promise<void> {
  if (!batch || batch.messages.length === 0) return;
  await batch.hashed;
  const rows = batch.messages.map((message) => {
    if (files) keepFiles(message, withOwnFiles((a) => files.keep(a)));
    return messageRow(message);
  });
  await writer.write(rows);
}

function messageRow(seen: Message): MessageRow {
  const { sources, absentSince, tapbackRemovals, folds } = seen;
  return { guid: seen.guid, date: seen.date.getTime(), seq: seen.rowId, body: messageJson(seen), sources, absentSince: absentSince?.getTime(), removals: tapbackRemovals, folds };
}

/** Points every attachment of the message at the archive's copy. */
function keepFiles(message: Message, keep: (a: Attachment) => Attachment): void {
  for (const part of message.parts) {
    if (part.kind === 'attachment') part.attachment = keep(part.attachment);
    else if (part.kind === 'app') part.attachments = part.attachments.map(keep);
    keepStickers(part.tapbacks, keep);
  }
}

/** `keep` for a Live Photo's movie too, and for the later versions of a file another archive read as a source kept. */
function withOwnFiles(keep: (a: Attachment) => Attachment): (a: Attachment) => Attachment {
  return (attachment) => {
    const kept = keep(attachment);
    const movie = kept.livePhoto ? { livePhoto: keep(kept.livePhoto) } : {};
    const versions = kept.replaced ? { replaced: { ...kept.replaced, later: keptVersions(kept.replaced.later, attachment, keep) } } : {};
    return kept.livePhoto || kept.replaced ? { ...kept, ...movie, ...versions } : kept;
  };
}

/** The later versions of a file, each pointed at the archive's copy (one that cannot be copied is not kept). */
function keptVersions(versions: FileVersion[], of: Attachment, keep: (a: Attachment) => Attachment): FileVersion[] {
  return versions.flatMap((version) => {
    const kept = keep({ ...of, path: version.path, size: version.size, livePhoto: undefined, replaced: undefined });
    return kept.missing || kept.path === undefined ? [] : [{ ...version, path: kept.path, size: kept.size }];
  });
}

/** Points every sticker of these reactions at the archive's copy. */
function keepStickers(tapbacks: Tapback[], keep: (a: Attachment) => Attachment): void {
  for (const tapback of tapbacks) if (tapback.sticker) tapback.sticker = keep(tapback.sticker);
}
