import { isSqliteIoError } from '../errors.js';
import type { DatabaseReach, Message, Person, Reactions, ReactionsByGuid, SourceCheck } from '../model/types.js';
import type { MessageStream } from '../render/renderer.js';
import { openMessagesDatabase, type OpenedDatabase } from '../read/open-database.js';
import type { DamageReport } from '../read/damage.js';
import { MessagesReader, type ChatSize, type ConversationRows, type DateWindow } from '../read/messages-reader.js';
import type { Lineage, MessageSource, SourceFacts } from '../read/source.js';
import type { AttachmentRow, ChatRow, MessageRow, ReactionRow } from '../read/rows.js';
import { livePhotoPlaces, probeFile, realFolders, toAttachment, type AttachmentFiles } from './attachments.js';
import { FileProber, type Probes } from './file-prober.js';
import { APPLE_EPOCH, appleDate } from './dates.js';
import { checkChatRow, checkHandleRow, checkOwnerColumns } from './odd-values.js';
import { lastMembershipChanges, orphanPlan, planConversations, withStoredKeys, type ConversationPlan, type MembershipChanges, type StoredKey } from './conversations.js';
import { buildMessage, RecentMessages, type BuildContext } from './message-builder.js';
import { PeopleDirectory, type Contacts } from './people.js';
import { TapbackIndex } from './tapbacks.js';
import { PollIndex, type PollRowsReader } from './polls.js';
import type { Naming } from './earlier-names.js';

/** A conversation that may have messages to show, sized without reading them. */
export interface Candidate {
  plan: ConversationPlan;
  /** Roughly how many messages it shows (reactions counted too). */
  estimate: number;
  /** Roughly when its latest message was sent (milliseconds since 2001; 0 when unknown). */
  latest: number;
}

/** What earlier runs learnt of a database file that is still the same (by SHA-256). */
export interface KnownFile {
  /** A run checked it and found nothing: it is not checked again. */
  checkedSound: boolean;
  /** Its chats' change marks as counted before (by the source's id and their chat ids), and where to keep new ones. */
  marks: { get(source: string, chatIds: number[]): string | undefined; set(source: string, chatIds: number[], mark: string): void };
}

export interface SourceOptions {
  window: DateWindow;
  contacts: Contacts;
  meName: string;
  /** Check the database for damage first (default; --no-check skips it). */
  check?: boolean;
  /** What earlier runs learnt of this source's database file while it is the very same file. */
  known?: (source: MessageSource) => KnownFile | undefined;
  /** Attachments larger than this are not put into the archive (--max-attachment-size). */
  maxAttachmentBytes?: number;
  /** The archive's store read into: the conversations it has keep their keys. */
  storedKey?: StoredKey;
  /** Says a warning line (a conversation the store holds that this run reads as two). */
  warn?: (line: string) => void;
}

/**
 * The conversations of one source, and for each a stream of model Messages built from the
 * database rows as they are read.
 */
export class SourceArchive {
  /** Each conversation's row ids (8 bytes a message), found while counting. */
  private readonly rows = new Map<ConversationPlan, ConversationRows>();
  /** Each conversation's polls, with the votes and later versions folded into them (found with its rows). */
  private readonly polls = new Map<ConversationPlan, PollIndex>();
  /** What is aimed at messages a conversation's reading did not give (see `reactionsOfMissing`), found as it is read. */
  private readonly missed = new Map<ConversationPlan, ReactionsByGuid>();
  /** Every conversation, by key (planned once). */
  private planned?: Map<string, ConversationPlan>;
  /** Every chat's size and latest date (one pass over the join table), found once. */
  private sizes?: ReturnType<MessagesReader['chatSizes']>;
  /** The source's attachment folders with links resolved, found once. */
  private attachmentFolders?: string[];
  /** Looks at attachment files on another thread, a batch ahead; made on the first batch read. */
  private prober?: FileProber;
  /** Each group chat's namings, by its ROWID, found when first asked (only `--chat` terms ask). */
  private namings?: Map<number, Naming[]>;
  /** The owner's handles each chat's messages use (null: the messages of no chat), found when first asked (see `ownerHandles`). */
  private owners?: Map<number | null, string[]>;

  private constructor(
    private readonly opened: OpenedDatabase,
    private readonly reader: MessagesReader,
    private readonly source: MessageSource,
    /** What the archive knows the source by (see `sourceIds`, `lineageIds`). */
    public id: string,
    private readonly people: PeopleDirectory,
    private readonly chats: Map<number, ChatRow>,
    private readonly options: SourceOptions,
    private readonly notChecked?: 'off' | 'earlier',
    private readonly known?: KnownFile,
  ) {}

  static async open(source: MessageSource, id: string, options: SourceOptions): Promise<SourceArchive> {
    const known = options.known?.(source);
    const check = options.check === false ? 'off' : known?.checkedSound ? 'earlier' : undefined;
    const opened = await openMessagesDatabase(source.dbPath, check === undefined);
    try {
      const reader = new MessagesReader(opened.db);
      const people = new PeopleDirectory(reader.handles().map(checkHandleRow), options.contacts, options.meName);
      const chats = new Map(reader.chats(tookPart(reader, id, known)).map((c) => [c.rowId, checkChatRow(c)]));
      return new SourceArchive(opened, reader, source, id, people, chats, options, check, known);
    } catch (error) {
      await opened.close();
      throw error;
    }
  }

  get description(): string {
    return this.source.description;
  }

  /** What the source is, with the -wal read beside a Mac's database (a backup's says its own). */
  get facts(): SourceFacts {
    const { wal } = this.opened;
    return wal ? { ...this.source.facts, wal } : this.source.facts;
  }

  /** Whether the source is a Mac's chat.db (or a copy of one), not a backup's. */
  get isMacDatabase(): boolean {
    return this.source.facts.kind === 'mac-database';
  }

  /** How far a Mac database had got (see `MessagesReader.reach`; its newest message's date in ms since 1970); undefined for a backup's. */
  reach(): DatabaseReach | undefined {
    const reach = this.isMacDatabase ? this.reader.reach() : undefined;
    return reach && { rowId: reach.rowId, sent: appleDate(reach.date)?.getTime() ?? 0 };
  }

  /** A Mac database's lineage (see `Lineage`); undefined for a backup's, whose device is known by its UDID. */
  lineage(): Lineage | undefined {
    if (!this.isMacDatabase) return undefined;
    const handles = this.reader.handles().map((h): [string, number] => [`handle ${h.service} ${h.id}`, h.rowId]);
    return new Map([...handles, ...[...this.chats.values()].map((c): [string, number] => [`chat ${c.guid}`, c.rowId])]);
  }

  /**
   * What checking the database found damaged, when it found anything (the check runs meanwhile), and the
   * damage the source met elsewhere while it was read (a backup's Manifest.db).
   */
  get damage(): Promise<DamageReport | undefined> {
    return this.opened.damage.then((report) => {
      const elsewhere = this.source.damage?.() ?? [];
      // Not checked (--no-check), its reading still met a damaged page and left rows out: said, but not counted.
      const uncounted = !report && this.reader.metDamage ? ['a damaged page stopped reading it; the rows on it are not in the archive (without --no-check, the check would name them)'] : [];
      if (elsewhere.length + uncounted.length === 0) return report;
      return { findings: [...elsewhere, ...(report?.findings ?? [])], unreadable: report?.unreadable ?? [], uncounted: [...uncounted, ...(report?.uncounted ?? [])] };
    });
  }

  /** What became of the database's check, once it has finished. */
  async check(): Promise<SourceCheck> {
    if (this.notChecked) return this.notChecked;
    if (await this.damage) return 'damaged';
    return this.opened.inPlace ? 'sound' : 'sound with its -wal';
  }

  /**
   * Conversations with at least one message in the date window, most recent first; only those with
   * these keys, when given (the ones chosen with `--chat`, or a thread's share).
   */
  conversations(only?: Set<string>): ConversationPlan[] {
    const counted: ConversationPlan[] = [];
    for (const plan of this.plans(only)) {
      const rows = this.rowsOf(plan);
      if (rows.ids.length === 0) continue;
      Object.assign(plan.conversation, { messageCount: rows.ids.length, firstDate: appleDate(rows.first) ?? APPLE_EPOCH, lastDate: appleDate(rows.last) ?? APPLE_EPOCH });
      counted.push(plan);
    }
    return counted.sort((a, b) => b.conversation.lastDate!.getTime() - a.conversation.lastDate!.getTime());
  }

  /**
   * The conversations that `conversations(only)` may return (never fewer), each with a guess at its size
   * and latest date taken from the join table alone: enough to share work out before reading messages.
   */
  candidates(only?: Set<string>): Candidate[] {
    const { unclaimed } = this.chatSizes();
    const found: Candidate[] = [];
    for (const plan of this.plans(only)) {
      // Messages of no chat are found only by reading them all, so that conversation is always a candidate.
      if (plan.chatIds.length === 0) found.push({ plan, estimate: unclaimed, latest: 0 });
      const sizes = this.sizesOf(plan);
      if (sizes.length > 0) found.push({ plan, estimate: sizes.reduce((sum, size) => sum + size.estimate, 0), latest: this.lastSeen(plan) });
    }
    return found;
  }

  /**
   * When the source last saw the conversation: its chats' latest message, whatever the date window (milliseconds
   * since 2001; 0 when unknown). Of sources that name a group differently, the one that saw it last knows its name now.
   */
  lastSeen(plan: ConversationPlan): number {
    return Math.max(0, ...this.sizesOf(plan).map((size) => size.latest));
  }

  private sizesOf(plan: ConversationPlan): ChatSize[] {
    const { byChat } = this.chatSizes();
    return plan.chatIds.flatMap((id) => byChat.get(id) ?? []);
  }

  private chatSizes(): ReturnType<MessagesReader['chatSizes']> {
    return (this.sizes ??= this.reader.chatSizes(this.options.window));
  }

  /** Every conversation (only those with these keys, when given), uncounted. */
  plans(only?: Set<string>): ConversationPlan[] {
    if (!this.planned) {
      const { contacts, storedKey, warn } = this.options;
      const plans = planConversations([...this.chats.values()], this.people, contacts, membershipChanges(this.reader, this.id, this.known));
      const keyed = storedKey ? withStoredKeys(plans, storedKey, (plan, from) => warn?.(partedLine(plan, from))) : plans;
      this.planned = new Map([...keyed, orphanPlan()].map((plan) => [plan.key, plan]));
    }
    return only ? [...only].flatMap((key) => this.planned!.get(key) ?? []) : [...this.planned.values()];
  }

  /** How a conversation's group chats were named and when (see `earlierNames`). */
  namingsOf(plan: ConversationPlan): Naming[] {
    this.namings ??= groupNamings(this.reader, this.id, this.known);
    return plan.chatIds.flatMap((id) => this.namings!.get(id) ?? []);
  }

  /** The owner's handles the conversation's messages use (see `Message.ownerHandle`), each chat's once. */
  ownerHandles(plan: ConversationPlan): string[] {
    this.owners ??= this.ownersByChat();
    return (plan.chatIds.length === 0 ? [null] : plan.chatIds).flatMap((chat) => this.owners!.get(chat) ?? []);
  }

  private ownersByChat(): Map<number | null, string[]> {
    const byChat = new Map<number | null, string[]>();
    for (const [chat, callerId, account] of this.reader.ownerColumns(this.options.window).map(checkOwnerColumns)) {
      const handle = this.people.ownerHandle(callerId, account);
      if (handle) byChat.set(chat, [...(byChat.get(chat) ?? []), handle]);
    }
    return byChat;
  }

  /** GUIDs of a conversation's messages, a batch at a time (to count messages several sources share). */
  *messageGuids(plan: ConversationPlan): Generator<string> {
    yield* this.reader.guidsOf(this.rowsOf(plan).ids);
  }

  /**
   * A fingerprint of the conversation's rows (count, newest row, edits, unsends), of how it is shown (title,
   * people, its chats' GUIDs) and of what shapes what the store keeps of it (the options; where its files are
   * looked for, which a missing one names: a copy of the database in another folder is read again), found
   * without reading its messages.
   */
  changeMark(plan: ConversationPlan): string {
    const { title, participants } = plan.conversation;
    const { window, meName, maxAttachmentBytes } = this.options;
    // A backup's decrypted files are in a new folder each run, and a missing one is named by its place in the backup.
    const folders = this.source.transientAttachments ? [] : this.source.attachmentFolders;
    return JSON.stringify([this.rowsMark(plan), window, meName, maxAttachmentBytes, title, participants, plan.chatGuids, folders]);
  }

  /**
   * The chats' rows as a change mark, counted once for as long as the database file stays the same. It
   * comes with the rows to show: a conversation whose mark is new is read next.
   */
  private rowsMark(plan: ConversationPlan): string {
    let mark = this.known?.marks.get(this.id, plan.chatIds);
    if (mark === undefined) {
      mark = this.rowsOf(plan).mark;
      this.known?.marks.set(this.id, plan.chatIds, mark);
    }
    return mark;
  }

  /** Whether a file (by the path the database stores) is where reading a message would look for it. */
  findsFile(storedPath: string): boolean {
    const path = this.source.resolveAttachment(storedPath);
    // A file or a folder, inside the attachments folders or not: either is no longer missing.
    return path !== undefined && probeFile(path, []) !== undefined;
  }

  /** Streams a conversation's messages in order; every call reads them anew. */
  messages(plan: ConversationPlan): MessageStream {
    return () => this.readMessages(plan);
  }

  /**
   * Reads a conversation's messages anew, in order, and tells what is aimed at any message by its GUID (its reactions
   * and their removals), once the reading has begun: another source's message this one lacks may have reactions here.
   */
  reading(plan: ConversationPlan): { messages: Iterator<Message>; reactionsOn: (guid: string) => Reactions } {
    const found: { tapbacks?: TapbackIndex } = {};
    return { messages: this.readMessages(plan, found), reactionsOn: (guid) => found.tapbacks?.on(guid) ?? {} };
  }

  /**
   * What the conversation's reading (once done) found aimed at messages it did not give, by GUID: the device purged
   * the message and kept reactions placed later, or the removal of one.
   */
  reactionsOfMissing(plan: ConversationPlan): ReactionsByGuid {
    return this.missed.get(plan) ?? [];
  }

  private *readMessages(plan: ConversationPlan, found: { tapbacks?: TapbackIndex } = {}): Generator<Message> {
    try {
      yield* this.readInOrder(plan, found);
    } catch (error) {
      // SQLite names no file: a disk failing under the source is told by the source's name, not the store's (see export.ts).
      const failure = error as NodeJS.ErrnoException;
      if (isSqliteIoError(failure) && !failure.path) failure.path = this.source.facts.database;
      throw error;
    }
  }

  private *readInOrder(plan: ConversationPlan, found: { tapbacks?: TapbackIndex }): Generator<Message> {
    const ahead: { probes?: Probes } = {};
    const ctx = this.buildContext(plan, ahead);
    found.tapbacks = ctx.tapbacks;
    const batches = this.reader.messageBatches(this.rowsOf(plan).ids);
    const given = new Set<string>();
    // The next batch is read, and its files looked at on another thread, while this one is built.
    for (let batch = this.nextBatch(batches, ctx.attachmentFiles); batch; ) {
      const { rows, attachments, probes } = batch;
      batch = this.nextBatch(batches, ctx.attachmentFiles);
      ahead.probes = probes;
      for (const row of rows) {
        const message = buildMessage(row, attachments.get(row.rowId) ?? [], ctx);
        if (ctx.tapbacks.has(message.guid)) given.add(message.guid);
        yield message;
      }
    }
    this.missed.set(plan, ctx.tapbacks.except(given, this.id));
  }

  private nextBatch(batches: Generator<MessageRow[]>, files: AttachmentFiles): { rows: MessageRow[]; attachments: Map<number, AttachmentRow[]>; probes?: Probes } | undefined {
    const { value: rows, done } = batches.next();
    if (done) return undefined;
    const attachments = this.reader.attachmentsOf(rows.map((r) => r.rowId));
    // Files a source copies out when asked (an encrypted backup) are not asked for ahead.
    // Rows are checked as messages are built: a filename that is not text (a damaged row) is not looked for ahead.
    // Beside a photo, where its Live Photo movie would be.
    const places = (a: AttachmentRow) => (a.filename && typeof a.filename === 'string' ? [a.filename, ...livePhotoPlaces(a)] : []);
    const paths = files.transient ? [] : attachments.flatMap(places).flatMap((stored) => files.resolve(stored) ?? []);
    this.prober ??= new FileProber(files.folders);
    return { rows, attachments: groupByMessage(attachments), probes: this.prober.ahead(paths) };
  }

  private buildContext(plan: ConversationPlan, ahead: { probes?: Probes }): BuildContext {
    const { participants } = plan.conversation;
    const fallbackSender = participants.length === 1 ? participants[0]! : this.people.unknown();
    const person = (id: number): Person | undefined => this.people.byId(id);
    const senderOf = (row: ReactionRow): Person => (row.isFromMe ? this.people.me : (person(row.handleId) ?? fallbackSender));
    const folders = (this.attachmentFolders ??= realFolders(this.source.attachmentFolders));
    const files: AttachmentFiles = {
      resolve: (stored) => this.source.resolveAttachment(stored),
      transient: this.source.transientAttachments ?? false,
      backup: this.source.facts.kind === 'iphone-backup',
      folders,
      maxBytes: this.options.maxAttachmentBytes,
      probe: (path) => FileProber.probe(ahead.probes, path, folders),
      source: this.id,
    };
    const reactions = this.reader.reactions(this.rowsOf(plan).reactionIds);
    const polls = this.polls.get(plan) ?? new PollIndex();
    const pollPeople = { me: this.people.me, senderOf, byAddress: (a: string) => this.people.byAddress(a), stranger: (a: string) => this.people.stranger(a), keyOf: (a: string) => this.people.keyOf(a) };
    const stickers = groupByMessage(this.reader.attachmentsOf(reactions.filter((r) => r.associatedType === 1000 || r.associatedType === 2007).map((r) => r.rowId)));
    const stickerOf = (row: ReactionRow) => {
      const first = stickers.get(row.rowId)?.[0];
      return first ? toAttachment(first, files) : undefined;
    };
    return {
      me: this.people.me,
      ownerHandle: (callerId, account) => this.people.ownerHandle(callerId, account),
      person,
      fallbackSender,
      attachmentFiles: files,
      tapbacks: new TapbackIndex(reactions, senderOf, stickerOf),
      pollBalloon: (row) => polls.balloon(row, pollPeople),
      pollFolds: (row) => polls.folded(row),
      messageByGuid: (guid) => this.reader.messageByGuid(guid),
      storedValue: (rowId, column) => this.reader.storedValue(rowId, column),
      recent: new RecentMessages(),
    };
  }

  private rowsOf(plan: ConversationPlan): ConversationRows {
    let rows = this.rows.get(plan);
    if (!rows) {
      const settled = PollIndex.settle(this.reader.conversationRows(plan.chatIds, this.options.window), this.pollRows());
      rows = settled.rows;
      this.rows.set(plan, rows);
      this.polls.set(plan, settled.index);
    }
    return rows;
  }

  private pollRows(): PollRowsReader {
    return {
      rows: (ids) => [...this.reader.messageBatches(Float64Array.from(ids))].flat(),
      byGuid: (guid) => this.reader.messageByGuid(guid),
    };
  }

  async releaseAttachments(): Promise<void> {
    await this.source.releaseAttachments?.();
  }

  async close(): Promise<void> {
    await this.prober?.close();
    await this.opened.close();
  }
}

/** The warning that chats one conversation held (`from`'s) are read as another of their own (`plan`). */
function partedLine(plan: ConversationPlan, from: ConversationPlan): string {
  const [title, other] = [plan.conversation.title, from.conversation.title];
  return `“${title}” was part of the conversation “${other}”; this run's contacts (or a change of its group's name or members) make it a conversation of its own: what the run reads of it goes to files of its own, while files of formats the run does not write still show it within “${other}”`;
}

/**
 * Where `KnownFile.marks` keeps what is found in one pass over a database's group messages (under lists no chats'
 * ROWIDs make): who took part in each group chat, how each was named, and who joined, left or was removed.
 */
const TOOK_PART = [-1];
const NAMINGS = [-2];
const MEMBERSHIPS = [-3];

/** What `find` gives, found once for as long as the database file stays the same (kept as JSON with the chats' marks). */
function remembered<T>(known: KnownFile | undefined, source: string, under: number[], find: () => T): T {
  const kept = known?.marks.get(source, under);
  if (kept !== undefined) return JSON.parse(kept) as T;
  const found = find();
  known?.marks.set(source, under, JSON.stringify(found));
  return found;
}

/** Who took part in each group chat (see `GroupActivity`). */
function tookPart(reader: MessagesReader, source: string, known?: KnownFile): Map<number, number[]> {
  return new Map(remembered(known, source, TOOK_PART, () => [...reader.groupActivity().tookPart]));
}

/** Each group chat's last change of each handle's membership (see `lastMembershipChanges`). */
function membershipChanges(reader: MessagesReader, source: string, known?: KnownFile): MembershipChanges {
  return lastMembershipChanges(remembered(known, source, MEMBERSHIPS, () => reader.groupActivity().memberships));
}

/** Each group chat's namings (see `GroupActivity`). */
function groupNamings(reader: MessagesReader, source: string, known?: KnownFile): Map<number, Naming[]> {
  const byChat = new Map<number, Naming[]>();
  for (const [chat, name, at] of remembered(known, source, NAMINGS, () => reader.groupActivity().namings)) {
    const list = byChat.get(chat);
    if (list) list.push([name, at]);
    else byChat.set(chat, [[name, at]]);
  }
  return byChat;
}

function groupByMessage<T extends { messageId: number }>(rows: T[]): Map<number, T[]> {
  const map = new Map<number, T[]>();
  for (const row of rows) {
    const list = map.get(row.messageId);
    if (list) list.push(row);
    else map.set(row.messageId, [row]);
  }
  return map;
}
