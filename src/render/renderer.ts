import type { Conversation, Message, RecordedSource } from '../model/types.js';
import type { SourceFacts } from '../read/source.js';
import type { DateFormatter } from './dates.js';

/** Bates numbers: `PREFIX-000001`, … */
export interface BatesOptions {
  prefix: string;
  start: number;
  /** Digits the number is padded to, at most MAX_BATES_DIGITS. */
  digits: number;
}

/** A stamp is laid out with each of the ten digits once (see pdf/bates.ts): no number can have more. */
export const MAX_BATES_DIGITS = 10;

export interface PdfOptions {
  style: 'chat' | 'transcript';
  pageSize: 'letter' | 'a4';
  /** Archival PDF/A-2b (the default) or a plain PDF. */
  standard?: 'pdf-a-2b' | 'none';
  /** A first page stating what the conversation is and where it came from. */
  cover?: boolean;
  /** Stamp every page of every PDF of the run with a consecutive number. */
  bates?: BatesOptions;
}

/** Where an export came from and how it was made, for a record of it (a PDF's cover page and metadata). */
export interface Provenance {
  /** textkeeper's version. */
  version: string;
  /** The selection as typed (`--chat …`, `--since …`, `--until …`); empty for everything. */
  filters: string[];
  sources: ProvenanceSource[];
}

/** `--since`/`--until`: every conversation's files hold only the messages between them. */
export interface MessageSelection {
  /** The options as typed, as a PDF's cover names them (`--since 2020-01-01`, `--until 2020-01-31`). */
  options: string[];
  /** The first instant in it. */
  from?: Date;
  /** The first instant after it (a `--until` day's next midnight). */
  before?: Date;
}

/**
 * A source read, with the SHA-256 of its database file and, when a `wal` was read with it, of that -wal (none:
 * it was gone before it was hashed); an archive folder also gives the sources it recorded.
 */
export type ProvenanceSource = SourceFacts & {
  sha256: string;
  walSha256?: string;
  /** As the run's summary names it (two backups made the same day by the time each was made: see `describeApart`). */
  description: string;
  recorded?: RecordedSource[];
  /** An archive folder's store was not the one its last run sealed: why (see `unsealedReason`). */
  unsealed?: string;
  damaged?: true;
};

/** What every renderer is told about the export as a whole. */
export interface ExportContext {
  /** Folder the archive is written to (exists when a renderer starts). */
  outDir: string;
  exportedAt: Date;
  dates: DateFormatter;
  /** How attachments are put into HTML archives. */
  attachments: 'copy' | 'link' | 'none';
  pdf: PdfOptions;
  /**
   * `bom`: CSV files start with a UTF-8 byte order mark (spreadsheet programs need it to read UTF-8);
   * `formulas: 'quote'` makes a cell a spreadsheet would run as a formula text (see csv/csv-renderer.ts).
   */
  csv: { bom: boolean; formulas: 'keep' | 'quote' };
  /** Describes where the messages came from, for headers and metadata. */
  sourceDescription: string;
  /** Sources with their hashes, filters and version; given when a format records them (PDF) or an archive folder was read as a source. */
  provenance?: Provenance;
  /** Absent when every message of each conversation was exported. */
  selection?: MessageSelection;
  /** Threads a renderer may convert images on: the cores left to it beside the other threads rendering. */
  imageThreads: number;
  /** Called by renderers for anything a user should hear about (an unreadable image, …). */
  warn(message: string): void;
}

/**
 * Streams the messages of one conversation in order, anew on every call.
 * Renderers may iterate it more than once (e.g. a layout pass, then a drawing pass);
 * they must not hold on to messages, so memory stays flat for any conversation size.
 */
export type MessageStream = () => Iterable<Message>;

/** One conversation as written by a renderer, for its index. */
export interface RenderedConversation {
  conversation: Conversation;
  /** Path of the written file relative to ctx.outDir (the first page, for paged formats). */
  file: string;
  /**
   * Set by the engine before `finish`: the conversation's place in the queue, i.e. the order in which
   * one thread alone renders them (for data that must not depend on how threads shared the work).
   */
  sequence?: number;
}

export interface Renderer {
  readonly format: string;
  start(ctx: ExportContext): Promise<void>;
  /** `baseName` is a safe, unique file name stem chosen for this conversation. */
  renderConversation(conversation: Conversation, messages: MessageStream, baseName: string): Promise<RenderedConversation>;
  /** Called on every thread after its last conversation: waits for what it began in the background. */
  finishShard?(): Promise<void>;
  /**
   * Called on a thread whose run ends in failure (Ctrl-C, a full disk), also after `finish` failed: removes the
   * unfinished files it began; on the main thread, called again with `everyThread` once every thread has
   * stopped, those of all (before then, other threads may still be writing theirs).
   */
  abandon?(everyThread?: boolean): Promise<void>;
  /** Called once, on the main thread, with what every thread rendered (write indexes, search data, …). */
  finish(rendered: RenderedConversation[]): Promise<void>;
}
