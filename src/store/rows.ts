/**
 * A conversation as the store writes it, already read and serialized: made on any thread (see
 * `ingest.ts`), sent between threads as it is, and written by the store's one writer.
 */
export interface ConversationRows {
  key: string;
  /** JSON model Conversation, counts and dates left out. */
  body: string;
  people: [handle: string, name: string][];
  /** The GUIDs of every chat row it was read from (`--chat` finds it by any of them). */
  chatGuids: string[];
  /** Every source of the run that read it (a message listing none was in each of them). */
  sources: string[];
  /** Read as they are written (an array when sent to another thread). */
  messages: Iterable<MessageRow>;
  /** Its change mark in these sources (`sources` joined), so that the next run can skip it while unchanged. */
  mark?: { sources: string; mark: string };
  /** Attachment files copied into the folder, and source files hashed, while reading its messages. */
  files: FileRows;
}

export interface MessageRow {
  guid: string;
  /** ms since 1970 */
  date: number;
  /** ROWID in the source (ties of one instant). */
  seq: number;
  /** JSON model Message, without `sources` and `absentSince`. */
  body: string;
  /** Only when some source of the run lacked it. */
  sources?: string[];
  /** ms since 1970: another archive had it marked as no longer on the device. */
  absentSince?: number;
}

export interface FileRows {
  copies: { sha256: string; path: string; size: number }[];
  hashes: { path: string; size: number; mtimeMs: number; sha256: string }[];
}
