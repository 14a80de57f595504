import type { ReactionsByGuid, TapbackRemoval } from '../model/types.js';

/**
 * A conversation as the store writes it, read and serialized on the main thread and written by the
 * store's writer thread (see `store-writer.ts`): first its head, then its messages a batch at a time,
 * then what was found while reading them (`ConversationEnd`).
 */
export interface ConversationHead {
  key: string;
  /** JSON model Conversation, counts and dates left out. */
  body: string;
  people: [handle: string, name: string][];
  /** The GUIDs of every chat row it was read from (`--chat` finds it by any of them). */
  chatGuids: string[];
  /** Every source of the run that read it (a message listing none was in each of them). */
  sources: string[];
  /** ms since 1970: the run reads its sources whole, and reactions they lost are marked absent since then. */
  lostSince?: number;
}

export interface ConversationEnd {
  /** Attachment files copied into the folder, and source files hashed, while reading its messages. */
  files: FileRows;
  /** What the sources hold of the reactions on its messages they no longer have (see `History.reactionsOfMissing`). */
  reactions?: ReactionsByGuid;
  /** The owner's handles the messages read used (`Message.ownerHandle`), each once. */
  ownerHandles?: string[];
}

/** A conversation's change mark in these sources (`sources` joined), so that the next run can skip it while unchanged. */
export interface ChangeMark {
  sources: string;
  mark: string;
  /** The files the sources lacked, by the paths their databases store (see `ArchiveStore.unchanged`). */
  missing?: string[];
}

export interface MessageRow {
  guid: string;
  /** ms since 1970 */
  date: number;
  /** ROWID in the source (ties of one instant). */
  seq: number;
  /** `messageJson` of the model Message (the writer leaves out what nearly every message has: `compactJson`). */
  body: string;
  /** Only when some source of the run lacked it. */
  sources?: string[];
  /** ms since 1970: another archive had it marked as no longer on the device. */
  absentSince?: number;
  /** Reactions the source says were taken back (`Message.tapbackRemovals`). */
  removals?: TapbackRemoval[];
  /** GUIDs of rows read as part of this message (`Message.folds`): the store keeps none of them as a message. */
  folds?: string[];
}

export interface FileRows {
  copies: { sha256: string; path: string; size: number }[];
  hashes: { path: string; size: number; mtimeMs: number; sha256: string }[];
}

/** A device database's chats' change mark, kept while the file is the very same (see `known-files.ts`). */
export interface ChatMark {
  /** The database file (hashed for `sha256`). */
  path: string;
  /** What the archive knows its source by (see `sourceIds`): the marks are kept by it. */
  source: string;
  chatIds: string;
  /** Undefined: the file's as the writer hashes it (see `StoreWriter.hash`). */
  sha256?: string;
  mark: string;
}

/**
 * Messages as they cross to the writer thread: a column each (cloned four times faster than an object a
 * message); what most messages lack is listed only for those that have it.
 */
export interface MessageBatch {
  guids: string[];
  dates: Float64Array;
  seqs: Float64Array;
  bodies: string[];
  sources: [index: number, sources: string[]][];
  absentSince: [index: number, date: number][];
  removals: [index: number, removals: TapbackRemoval[]][];
  folds: [index: number, guids: string[]][];
}

export function packMessages(rows: MessageRow[]): MessageBatch {
  const batch: MessageBatch = { guids: [], dates: new Float64Array(rows.length), seqs: new Float64Array(rows.length), bodies: [], sources: [], absentSince: [], removals: [], folds: [] };
  rows.forEach((row, i) => {
    batch.guids.push(row.guid);
    batch.dates[i] = row.date;
    batch.seqs[i] = row.seq;
    batch.bodies.push(row.body);
    if (row.sources) batch.sources.push([i, row.sources]);
    if (row.absentSince !== undefined) batch.absentSince.push([i, row.absentSince]);
    if (row.removals) batch.removals.push([i, row.removals]);
    if (row.folds) batch.folds.push([i, row.folds]);
  });
  return batch;
}

export function unpackMessages(batch: MessageBatch): MessageRow[] {
  const rows = batch.guids.map((guid, i): MessageRow => ({ guid, date: batch.dates[i]!, seq: batch.seqs[i]!, body: batch.bodies[i]! }));
  for (const [i, sources] of batch.sources) rows[i]!.sources = sources;
  for (const [i, date] of batch.absentSince) rows[i]!.absentSince = date;
  for (const [i, removals] of batch.removals) rows[i]!.removals = removals;
  for (const [i, guids] of batch.folds) rows[i]!.folds = guids;
  return rows;
}
