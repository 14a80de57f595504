// The model as plain JSON records, the shapes schema/*.schema.json describe. Dates become ISO 8601 with
// the export's UTC offset; a message also keeps Apple's own timestamp.
import type {
  AppBalloon,
  Attachment,
  Conversation,
  EditVersion,
  GroupEvent,
  Message,
  Part,
  Person,
  ReplyRef,
  Tapback,
} from '../../model/types.js';
import { toAppleMs } from '../../normalize/dates.js';
import { balloonLines } from '../describe.js';
import { archivePath } from '../../output/files.js';
import type { ExportContext, MessageSelection } from '../renderer.js';

/** Bumped whenever a record changes shape; the schemas' `$id`s carry it. */
export const SCHEMA_VERSION = 1;

/** An instant as ISO 8601 with an offset (DateFormatter.iso in the export's time zone). */
export type IsoDate = (date: Date) => string;

/** What a message's record writes as the export says: dates in its time zone, and files in the archive folder by their path in it. */
export interface RecordStyle {
  iso: IsoDate;
  path: (path: string) => string;
}

export function recordStyle({ dates, outDir }: Pick<ExportContext, 'dates' | 'outDir'>): RecordStyle {
  return { iso: (d) => dates.iso(d), path: (path) => archivePath(outDir, path) ?? path };
}

/** A conversation as `list --json`, the library's `conversations()` and every JSON export describe it. */
export interface ConversationRecord {
  id: string;
  title: string;
  groupName?: string;
  participants: { handle: string; name: string; otherHandles?: string[]; former?: Person['former'] }[];
  ownerHandles?: string[];
  isGroup: boolean;
  services: string[];
  messageCount: number;
  sourceCounts?: Conversation['sourceCounts'];
  firstDate?: string;
  lastDate?: string;
  chatIdentifiers: string[];
  keptOnly?: { messages: number; runs: { startedAt: string; sources: RunSourceRecord[] }[] };
  /** With --since or --until: in a JSON export's file, and the library's conversations(). */
  selection?: { options: string; from?: string; before?: string };
}

/** A run's source; an archive folder read as one also gives the sources it recorded. */
interface RunSourceRecord {
  description: string;
  sha256?: string;
  /** Of the -wal read with the database, when one was. */
  walSha256?: string;
  device?: string;
  recorded?: { description: string; sha256?: string; walSha256?: string; device?: string; lastRead: string }[];
}

/** The conversation as its JSON file and the library describe it; `selection`: the --since and --until it was read with. */
export function conversationRecord(c: Conversation, iso: IsoDate, selection?: MessageSelection): ConversationRecord {
  return {
    id: c.id,
    title: c.title,
    groupName: c.groupName,
    participants: c.participants.map(({ handle, name, otherHandles, former }) => ({ handle, name, otherHandles, former })),
    ownerHandles: c.ownerHandles,
    isGroup: c.isGroup,
    services: c.services,
    messageCount: c.messageCount,
    sourceCounts: c.sourceCounts,
    firstDate: c.firstDate && iso(c.firstDate),
    lastDate: c.lastDate && iso(c.lastDate),
    chatIdentifiers: c.chatIdentifiers ?? [],
    keptOnly: c.keptOnly && {
      messages: c.keptOnly.messages,
      runs: c.keptOnly.runs.map((run) => ({
        startedAt: iso(run.startedAt),
        sources: run.sources.map(({ description, sha256, walSha256, device, recorded }): RunSourceRecord => ({
          description, sha256, walSha256, device,
          recorded: recorded?.map((r) => ({ description: r.description, sha256: r.sha256, walSha256: r.walSha256, device: r.device, lastRead: iso(r.lastRead) })),
        })),
      })),
    },
    selection: selection && selectionRecord(selection, iso),
  };
}

/** The `--since`/`--until` a file holds the messages of: as typed, and the instants they stand for. */
function selectionRecord({ options, from, before }: MessageSelection, iso: IsoDate): ConversationRecord['selection'] {
  return { options: options.join(' '), from: from && iso(from), before: before && iso(before) };
}

/**
 * Nanoseconds since 2001-01-01 UTC, as chat.db stores dates; a string, as it exceeds JSON's safe integers.
 * `nanos`, below the millisecond, has the sign of the whole (SQL's remainder): exact for any stored value.
 */
export function appleTimestamp(date: Date, nanos = 0): string {
  const ms = toAppleMs(date);
  return ms === 0 && nanos === 0 ? '0' : String(BigInt(ms) * 1_000_000n + BigInt(nanos));
}

/**
 * What a message says, one part per line, as the txt export writes it: text parts as sent, link and app
 * balloons as "[Link: title — url]", a poll as "[Poll]" and an indented line for each option (an event: its description).
 * Files are left out: the records and the CSV give them fields of their own, and a link sent has no text but its balloon.
 */
export function messageText(m: Message): string {
  if (m.kind === 'event' && m.event) return m.event.description;
  return m.parts.flatMap((p) => (p.kind === 'text' ? [p.text] : p.kind === 'app' ? balloonLines(p.app) : [])).join('\n');
}

export function messageRecord(m: Message, conversationId: string, style: RecordStyle): object {
  const { iso } = style;
  const optional = (d: Date | undefined) => d && iso(d);
  return {
    conversationId,
    guid: m.guid,
    rowId: m.rowId,
    date: iso(m.date),
    appleDate: appleTimestamp(m.date, m.dateNanos),
    dateRead: optional(m.dateRead),
    dateDelivered: optional(m.dateDelivered),
    datePlayed: optional(m.datePlayed),
    sender: person(m.sender),
    isFromMe: m.isFromMe,
    ownerHandle: m.ownerHandle,
    service: m.service,
    downgraded: m.downgraded,
    satellite: m.satellite,
    junk: m.junk,
    kind: m.kind,
    event: m.event && event(m.event),
    subject: m.subject,
    undelivered: m.undelivered,
    text: messageText(m),
    parts: m.parts.map((p) => part(p, style)),
    replyTo: m.replyTo && reply(m.replyTo, iso),
    effect: m.effect,
    isAudioMessage: m.isAudioMessage,
    edited: m.edited,
    problems: m.problems,
    sources: m.sources,
    absentSince: optional(m.absentSince),
  };
}

function person(p: Person): Person {
  return { handle: p.handle, name: p.name, isMe: p.isMe };
}

function event(e: GroupEvent): object {
  return { type: e.type, actor: person(e.actor), target: e.target && person(e.target), name: e.name, description: e.description };
}

/** Every kind's fields in one object literal (absent ones undefined, left out by JSON.stringify): one shape, fast to build. */
function part(p: Part, style: RecordStyle): object {
  return {
    index: p.index,
    kind: p.kind,
    tapbacks: p.tapbacks.length === 0 ? [] : p.tapbacks.map((t) => tapback(t, style)),
    text: p.kind === 'text' ? p.text : undefined,
    spans: p.kind === 'text' ? p.spans : undefined,
    edits: (p.kind === 'text' || p.kind === 'unsent') && p.edits ? edits(p.edits, style.iso) : undefined,
    editedAt: (p.kind === 'text' || p.kind === 'unsent') && p.editedAt ? style.iso(p.editedAt) : undefined,
    unsentAt: p.kind === 'unsent' && p.unsentAt ? style.iso(p.unsentAt) : undefined,
    attachment: p.kind === 'attachment' ? attachment(p.attachment, style) : undefined,
    app: p.kind === 'app' ? app(p.app, style.iso) : undefined,
    attachments: p.kind === 'app' ? p.attachments.map((a) => attachment(a, style)) : undefined,
  };
}

/** A balloon as it is; a poll's people and dates as every record gives them. */
function app(a: AppBalloon, iso: IsoDate): object {
  if (!a.poll) return a;
  const options = a.poll.options.map((o) => ({
    id: o.id, text: o.text, addedBy: o.addedBy && person(o.addedBy), votes: o.votes.map((v) => ({ voter: person(v.voter), date: iso(v.date) })),
  }));
  return { ...a, poll: { question: a.poll.question, options } };
}

function edits(versions: EditVersion[], iso: IsoDate): object[] {
  return versions.map((v) => ({ text: v.text, date: iso(v.date) }));
}

function tapback(t: Tapback, style: RecordStyle): object {
  return {
    kind: t.kind, emoji: t.emoji, sender: person(t.sender), date: style.iso(t.date), sticker: t.sticker && attachment(t.sticker, style),
    removedAt: t.removedAt && style.iso(t.removedAt), absentSince: t.absentSince && style.iso(t.absentSince),
  };
}

/** A file decrypted from a backup only for this export is named by its place in the backup, not its temporary copy. */
function attachment(a: Attachment, style: RecordStyle): object {
  const { transient, fromBackup, path, createdAt, livePhoto, replaced, ...rest } = a;
  return {
    ...rest,
    path: transient || !path ? undefined : style.path(path),
    createdAt: createdAt && style.iso(createdAt),
    livePhoto: livePhoto && attachment(livePhoto, style),
    replaced: replaced && {
      archivedAt: replaced.archivedAt && style.iso(replaced.archivedAt),
      later: replaced.later.map((v) => ({ path: style.path(v.path), size: v.size, foundAt: style.iso(v.foundAt) })),
    },
  };
}

function reply(r: ReplyRef, iso: IsoDate): object {
  const t = r.target;
  return {
    guid: r.guid,
    partIndex: r.partIndex,
    target: t && { sender: person(t.sender), date: iso(t.date), snippet: t.snippet, rowId: t.rowId },
  };
}
