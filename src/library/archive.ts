import type { Message } from '../model/types.js';
import type { History, HistoryConversation } from '../normalize/archive.js';
import { conversationRecord, type ConversationRecord } from '../render/json/records.js';
import { UserError } from '../errors.js';
import { resolveOptions, type RawOptions } from '../engine/options.js';
import { openHistory } from '../engine/sources.js';
import { reportChoice } from '../select/report.js';
import { inLibraryTerms } from './option-names.js';
import { SourceWarnings } from './warnings.js';

/** Where to read from and what to show, as the command line's options say it (see README). */
export interface OpenArchiveOptions {
  /** chat.db files (on macOS, ~/Library/Messages/chat.db when neither db nor backup is given). */
  db?: string | string[];
  /** The folder that stands for ~/Library/Messages (default: the folder holding the database). */
  attachmentsRoot?: string;
  /** iPhone backup folders, plain or encrypted. */
  backup?: string | string[];
  /** Instead of db and backup: an archive folder (the --out of earlier exports), read from its store. */
  archive?: string;
  /** A file of passwords of encrypted backups, one a line: each backup is tried with each. */
  passwordFile?: string;
  /** .vcf files, AddressBook folders or AddressBook.sqlitedb files with contact names. */
  contacts?: string | string[];
  /** Region for phone numbers written without a country code (default US). */
  country?: string;
  /** Only conversations matching these phone numbers, emails or names. */
  chat?: string | string[];
  /** A day (2023-01-31) or an ISO 8601 instant: only messages from then on, or up to then. */
  since?: string;
  until?: string;
  /** IANA time zone for dates in records and renderings (default: this computer's). */
  timezone?: string;
  /** How the owner is named (default "Me"). */
  me?: string;
  /** Called with warnings about the sources (default: written to stderr). */
  onWarning?: (line: string) => void;
}

/** An opened history: conversations, their messages, and the options it was opened with (for render()). */
export interface MessageArchive {
  /** Every conversation, most recent first, as `textkeeper list --json` describes them (with since or until, as a JSON export's file does). */
  conversations(): ConversationRecord[];
  /** A conversation's messages in order, read as they are iterated (again from the start at each iteration). */
  messages(conversationId: string): Iterable<Message>;
  close(): Promise<void>;
  readonly options: Readonly<OpenArchiveOptions>;
}

/** What render() needs of an archive openArchive gave, besides its options. */
export interface OpenedState {
  /** Throws once the archive is closed. */
  stillOpen(): void;
  warnings: SourceWarnings;
}

const STATES = new WeakMap<MessageArchive, OpenedState>();

/** An archive made otherwise than by openArchive is taken as open, its sources having said nothing yet. */
export function stateOf(archive: MessageArchive): OpenedState {
  return STATES.get(archive) ?? { stillOpen: () => {}, warnings: new SourceWarnings(archive.options.onWarning) };
}

/** The command line's raw options for these library options. */
export function rawOptions(options: OpenArchiveOptions): RawOptions {
  const { chat, onWarning: _, ...rest } = options;
  return { ...rest, db: listOf(options.db), backup: listOf(options.backup), contacts: listOf(options.contacts), chat: listOf(chat)?.join(','), progress: false, quiet: true };
}

/** One path or name, or several. */
function listOf(value: string | string[] | undefined): string[] | undefined {
  return value === undefined ? undefined : typeof value === 'string' ? [value] : [...value];
}

/**
 * Opens chat.db files and iPhone backups as one history, the way `textkeeper export` reads them, or an
 * archive folder's store with everything it kept. A `chat` that matches no conversation is refused, as
 * the command line refuses it.
 */
export function openArchive(options: OpenArchiveOptions): Promise<MessageArchive> {
  return inLibraryTerms(() => opened(options));
}

async function opened(options: OpenArchiveOptions): Promise<MessageArchive> {
  const warnings = new SourceWarnings(options.onWarning);
  const resolved = { ...resolveOptions(rawOptions(options), false), log: warnings.opened };
  const { history: archive, close } = await openHistory(resolved);
  try {
    reportChoice(archive.selection, () => [], () => {});
  } catch (error) {
    await close();
    throw error;
  }
  const iso = (d: Date) => resolved.dates.iso(d);
  let planned: Map<string, HistoryConversation> | undefined;
  let closed = false;
  const stillOpen = () => {
    if (closed) throw new UserError('This archive was closed: open it again to read it.');
  };
  const plans = () => {
    stillOpen();
    return (planned ??= new Map(archive.conversations().map((c) => [c.conversation.id, c])));
  };
  const given: MessageArchive = {
    options: { ...options },
    conversations: () => [...plans().values()].map((c) => conversationRecord(archive.withOwnerHandles(c), iso, resolved.selection)),
    messages: (conversationId) => streamOf(archive, plans().get(conversationId), conversationId, stillOpen),
    close: async () => {
      closed = true;
      await close();
    },
  };
  STATES.set(given, { stillOpen, warnings });
  return given;
}

/** Read again from the start each time it is iterated, as an array would be; refused once the archive is closed. */
function streamOf(archive: History, plan: HistoryConversation | undefined, id: string, stillOpen: () => void): Iterable<Message> {
  if (!plan) throw new UserError(`No conversation has the id ${id} (see conversations()).`);
  const stream = archive.messages(plan);
  return {
    [Symbol.iterator]: () => {
      stillOpen();
      return stream()[Symbol.iterator]();
    },
  };
}
