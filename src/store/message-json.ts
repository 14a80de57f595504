import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { attachmentsOf } from '../model/attachments.js';
import type { AppBalloon, Attachment, FileVersion, Message, Part, Reactions, Tapback, TapbackRemoval } from '../model/types.js';
import { cutToSecond, firstKnownReceipts, slotOf, toldCopy, withVersionsOf, writtenAfter } from '../normalize/merge-copies.js';
import { serviceOf } from '../model/services.js';
import { peopleOf } from '../model/people.js';
import { hasEdits, storedAsEdited } from '../model/edits.js';
import { reworded } from '../normalize/events.js';
import { tapbackKey } from '../normalize/tapbacks.js';

/** Model fields holding dates: JSON keeps them as ms since 1970 (an older store's messages as ISO strings), read back as Dates. */
const DATE_FIELDS = new Set(['date', 'dateRead', 'dateDelivered', 'datePlayed', 'createdAt', 'firstDate', 'lastDate', 'removedAt', 'absentSince', 'lastRead', 'editedAt', 'unsentAt', 'archivedAt', 'foundAt']);

export function toJson(value: unknown): string {
  return JSON.stringify(value);
}

/** A message's row: its JSON comes without what these columns hold. */
export interface MessageColumns {
  guid: string;
  /** ms since 1970 */
  date: number;
  /** The message's `rowId`. */
  seq: number;
}

/**
 * A message's JSON for the store (see `compactJson`): its dates as ms since 1970, without what its row's
 * columns hold (guid, rowId, date) nor what the store keeps apart (sources, absentSince), only compares with
 * (tapbackRemovals) or forgets (folds).
 */
export function messageJson(message: Message): string {
  // Left out of the message itself for the while rather than of a copy: JSON.stringify of a copy with them
  // undefined took 40 % longer (3.3 against 2.3 µs a message, on 60k of the 200k bench archive's).
  const { rowId, guid, date, sources, absentSince, tapbackRemovals, folds } = message;
  const shown = message as Partial<Message>;
  shown.rowId = shown.guid = shown.date = undefined;
  if (sources) shown.sources = undefined;
  if (absentSince) shown.absentSince = undefined;
  if (tapbackRemovals) shown.tapbackRemovals = undefined;
  if (folds) shown.folds = undefined;
  try {
    return withTimes(() => JSON.stringify(message));
  } finally {
    message.rowId = rowId;
    message.guid = guid;
    message.date = date;
    if (sources) message.sources = sources;
    if (absentSince) message.absentSince = absentSince;
    if (tapbackRemovals) message.tapbackRemovals = tapbackRemovals;
    if (folds) message.folds = folds;
  }
}

/** What `write` returns, its JSON written with dates as ms since 1970. */
function withTimes<T>(write: () => T): T {
  const proto = Date.prototype as { toJSON: unknown };
  const toIso = proto.toJSON;
  // A Date's toJSON (an ISO string) costs JSON.stringify half its time on a message; a number is also shorter.
  proto.toJSON = Date.prototype.getTime;
  try {
    return write();
  } finally {
    proto.toJSON = toIso;
  }
}

/** What a source holds of a message's reactions, as the store keeps it while it lacks the message (`waiting_reactions`). */
export function reactionsJson({ tapbacks, removals }: Reactions): string {
  return withTimes(() => JSON.stringify({ tapbacks: tapbacks && [...tapbacks], removals }));
}

/** Reactions as `reactionsJson` wrote them. */
export function reactionsFromJson(json: string): Reactions {
  const { tapbacks, removals } = fromJson<{ tapbacks?: [part: number, tapbacks: Tapback[]][]; removals?: TapbackRemoval[] }>(json);
  return { tapbacks: tapbacks && new Map(tapbacks), removals };
}

/**
 * What nearly every message has (no tapbacks, plain text, not from me, …) left out of `messageJson`'s text:
 * JSON escapes every quote inside a string, so `,"` always begins a key. `messageFromJson` puts it back.
 */
const DEFAULTS = /,"(?:tapbacks|spans|problems)":\[\]|,"(?:isFromMe|isAudioMessage|edited|isMe)":false|,"kind":"message"|,"service":"iMessage"/g;

export function compactJson(json: string): string {
  return json.replace(DEFAULTS, '');
}

/**
 * Every person's name in a message's JSON: a Person is written handle first, then name (JSON escapes quotes
 * inside strings, so each ends at the first bare one). A group's name in an event or an app's are not people's.
 */
const NAMES = /("handle":"(?:[^"\\]|\\.)*","name":")(?:[^"\\]|\\.)*"/g;

/** Two JSONs of a message that differ in people's names alone (as contacts named them). */
export function sameButNames(a: string, b: string): boolean {
  return a.replace(NAMES, '$1"') === b.replace(NAMES, '$1"');
}

/**
 * Two JSONs of a message that differ in people's names and in where its attachments' files lie alone: a chat.db
 * copied into another folder (each quarter's copy in a folder of its own) changes the path of every missing
 * file, which says where this run looked, and a Mac and an iPhone store the same file under their own folders
 * (`~/Library/Messages/Attachments/…`, `~/Library/SMS/Attachments/…`; an encrypted backup's is decrypted into a
 * `transient` copy): none of it is what the message is.
 */
export function sameButNamesAndPlaces(a: string, b: string): boolean {
  // In any order of keys: what the archive kept of the message (receipts, reactions) is merged into this run's.
  return sameButNames(a, b) || sameButNames(inKeyOrder(withoutPlaces(a)), inKeyOrder(withoutPlaces(b)));
}

function withoutPlaces(json: string): string {
  return JSON.stringify(JSON.parse(json), (_, value: unknown) => {
    if (value === null || typeof value !== 'object' || !('storedPath' in value || 'missing' in value)) return value;
    const attachment = value as Attachment;
    // A path into the folder names the archive's copy (by its content); any other, where the device keeps the file.
    const place = attachment.missing === true || (attachment.path !== undefined && isAbsolute(attachment.path));
    // A copy's size is its content's, which its path names (an older textkeeper showed the row's total_bytes).
    return { ...attachment, storedPath: undefined, transient: undefined, fromBackup: undefined, path: place ? undefined : attachment.path, size: place || attachment.path === undefined ? attachment.size : undefined };
  });
}

/** What this textkeeper reads of a message that an older one did not: its coming is no change on the device. */
const READ_SINCE = ['editedAt', 'unsentAt', 'junk', 'satellite', 'ownerHandle', 'livePhoto', 'dateNanos', 'missingReason'];

/**
 * The stored JSON of a message and this run's that differ only in what textkeeper makes of the same row: what
 * an older one did not read (the time of an edit, of an unsending, a poll or a vote, the owner's handle, a Live
 * Photo's movie, a date's nanoseconds, that a missing file is in iCloud, a junk mark unless `junkRead`: the stored JSON was written by a run that read junk marks) or how it words a group event, which
 * the device never changes; and besides, as `sameButNamesAndPlaces` allows, in people's names and where files lie
 * (the first run that reads more of every message may well be one whose contacts name someone anew). The message
 * is the same, and the store keeps this run's JSON.
 */
export function sameButReadAnew(body: string, stored: string, junkRead: boolean): boolean {
  const unread = new Set(READ_SINCE.filter((key) => !stored.includes(`"${key}":`) && !(junkRead && key === 'junk')));
  unread.add('event');
  const pollsUnread = !stored.includes('"poll":') && !stored.includes('"ballot":');
  const comparable = (json: string) => JSON.stringify(JSON.parse(json), (key, value: unknown) =>
    (unread.has(key) ? undefined : pollsUnread ? withoutPollReading(value) : value));
  return sameButNamesAndPlaces(comparable(body), comparable(stored));
}

/** A Polls balloon without what a textkeeper that did not read polls made of it otherwise (its payload's caption, no options nor votes). */
function withoutPollReading(value: unknown): unknown {
  if ((value as AppBalloon | null)?.appName !== 'Polls') return value;
  return { ...(value as AppBalloon), title: undefined, captions: undefined, poll: undefined, ballot: undefined };
}

/**
 * Two JSONs of a message that say the same in another order of keys: a file's copy merged into what a run
 * without copies read (`mergeRevision`) gets keys the JSON it was read from had left out.
 */
export function sameInAnyOrder(a: string, b: string): boolean {
  return inKeyOrder(a) === inKeyOrder(b);
}

function inKeyOrder(json: string): string {
  return JSON.stringify(JSON.parse(json), (_, value: unknown) =>
    value !== null && typeof value === 'object' && !Array.isArray(value) ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1))) : value);
}

/** A message as the store keeps it (any version's JSON) with its row's columns. */
export function messageFromJson(json: string, row: MessageColumns): Message {
  const message = withDates(JSON.parse(json)) as Message;
  message.rowId = row.seq;
  message.guid = row.guid;
  message.date = new Date(row.date);
  message.isFromMe ??= false;
  // An older textkeeper kept a satellite service's own name (iMessageLite): read as this one names it.
  const { service, satellite } = serviceOf(message.service ?? 'iMessage');
  message.service = service;
  if (satellite) message.satellite = satellite;
  message.kind ??= 'message';
  message.isAudioMessage ??= false;
  message.edited = storedAsEdited({ ...message, edited: message.edited ?? false });
  message.problems ??= [];
  for (const part of message.parts) {
    part.tapbacks ??= [];
    if (part.kind === 'text') part.spans ??= [];
  }
  for (const person of peopleOf(message)) person.isMe ??= false;
  return message;
}

/**
 * A stored message with its people named as `names` says (by handle), in today's JSON (an event's sentence
 * too, see `reworded`); undefined when it names them so already.
 */
export function namedAnew(json: string, row: MessageColumns, names: Map<string, string>): string | undefined {
  const message = messageFromJson(json, row);
  const event = message.event && { ...message.event, actor: { ...message.event.actor }, target: message.event.target && { ...message.event.target } };
  let renamed = false;
  for (const person of peopleOf(message)) {
    const name = names.get(person.handle);
    if (name === undefined || name === person.name) continue;
    person.name = name;
    renamed = true;
  }
  if (!renamed) return undefined;
  if (event) message.event = reworded(event, message.event!);
  return storedJson(message);
}

/** The message in today's JSON (`compactJson` of `messageJson`); of a message read back with `messageFromJson`, the very JSON it was read from. */
export function storedJson(message: Message): string {
  return compactJson(messageJson(message));
}

/** A stored message's JSON with its row's date (ms since 1970), as `message_history` keeps it when a run gave the message another. */
export function withStoredDate(json: string, date: number): string {
  return `{"date":${date},${json.slice(1)}`;
}

/**
 * Parsed, then walked once to turn dates back into Dates: a reviver does the same but costs V8 a call
 * per value (9 µs a message against 3 µs, on the 200k bench archive; every message is read per format).
 */
export function fromJson<T>(text: string): T {
  return withDates(JSON.parse(text)) as T;
}

function withDates(value: unknown): unknown {
  if (Array.isArray(value)) {
    for (const item of value) if (item !== null && typeof item === 'object') withDates(item);
  } else if (value !== null && typeof value === 'object') {
    const fields = value as Record<string, unknown>;
    for (const key in fields) {
      const field = fields[key];
      if (typeof field === 'string' || typeof field === 'number') {
        if (DATE_FIELDS.has(key)) fields[key] = new Date(field);
      } else if (field !== null && typeof field === 'object') withDates(field);
    }
  }
  return value;
}

/** What the run knows of reactions the source no longer has (see `keepTapbacks`). */
export interface LostTapbacks {
  /** The source's removals of the message's reactions. */
  removals?: TapbackRemoval[];
  /** The run's start, when it read its sources whole: a reaction lost without a removal is marked absent since then. */
  since?: Date;
}

/**
 * A message seen again, merged with what the archive had: an archived text that the source now shows
 * changed or unsent, and that its edit history lacks, is kept as an earlier version (so are the earlier
 * versions the archive kept of a part now unsent); a part the archive has in a later state than the source
 * (see `writtenAfter`) stays as the archive has it, and the text the source shows of a part the archive has as
 * unsent becomes its earlier version (as in a run that reads both); so does a file it has (see `keepsFile`: its copies lie in
 * `kept.folder`), also when the device's file now holds other bytes (see `withLaterCopy`), and a reaction (see `keepTapbacks`).
 * Without `keepsTexts` (a store another program changed: its texts may be forged), the texts are the source's alone.
 */
export function mergeRevision(archived: Message, seen: Message, lost: LostTapbacks = {}, kept?: KeptFiles, keepsTexts = true): Message {
  const parts = seen.parts.map((part, index) => {
    if (!keepsTexts || (part.kind !== 'unsent' && part.kind !== 'text')) return part;
    const before = archived.parts.find((p) => p.index === part.index) ?? archived.parts[index];
    if (before && writtenAfter(before, part, seen.date)) return { ...withVersionsOf(before, part, seen.date), tapbacks: part.tapbacks };
    return withVersionsOf(part, before, archived.date);
  });
  keepTapbacks(archived.parts, parts, lost);
  const files = new Map(attachmentsOf(archived).map((a) => [a.guid, a]));
  // A reply whose original the source lost still quotes it, and one the source reads as no reply (a Mac before
  // macOS 11 keeps no thread_originator_guid) is still one: the archive keeps what it replies to.
  const keptReply = seen.replyTo ? !seen.replyTo.target && archived.replyTo?.guid === seen.replyTo.guid : archived.replyTo !== undefined;
  const merged = { ...seen, parts, ...(keptReply ? { replyTo: archived.replyTo } : {}), ...firstKnownReceipts([archived, seen]), edited: hasEdits(parts) };
  // An archive folder an earlier textkeeper wrote, read as a source, does not say which of the owner's handles it used.
  if (!seen.ownerHandle && archived.ownerHandle) merged.ownerHandle = archived.ownerHandle;
  for (const attachment of attachmentsOf(merged)) {
    const before = files.get(attachment.guid);
    if (before && keepsFile(before, attachment, kept?.folder)) Object.assign(attachment, { path: before.path, missing: false, missingReason: undefined, transient: false, size: before.size, withheld: undefined, replaced: before.replaced });
    else if (before && kept && otherContent(before, attachment)) Object.assign(attachment, withLaterCopy(before, attachment, kept));
    else if (before?.replaced && inFolder(attachment)) attachment.replaced = before.replaced;
    // A Live Photo's movie the source no longer has beside its still stays as the archive has it.
    const movie = before?.livePhoto;
    if (movie && !attachment.livePhoto && keepsFile(movie, { ...movie, path: undefined, missing: true, withheld: undefined }, kept?.folder)) attachment.livePhoto = movie;
  }
  return merged;
}

/**
 * Whether the archive's file of an attachment stays: its copy (while it is in `folder`: one removed since, whose
 * original this run could not copy again, is not there to show), when the source lost the file or this run copies
 * none; the device's file it names (with --attachments link or none), while that is there, when the source read
 * now lacks it (an iPhone that keeps only recent files beside the Mac that has them).
 */
function keepsFile(archived: Attachment, seen: Attachment, folder: string | undefined): boolean {
  if (inFolder(archived)) return !inFolder(seen) && (folder === undefined || existsSync(join(folder, archived.path!)));
  return seen.missing && !seen.withheld && !archived.missing && archived.path !== undefined && existsSync(archived.path);
}

/** What `mergeRevision` knows of the archive's copies. */
export interface KeptFiles {
  /** The archive folder, which its copies lie in. */
  folder: string;
  /** When this run began: a file the device replaced is found then. */
  now: Date;
  /** When the copy of this content (by its SHA-256) was first archived, and its size, as the store knows. */
  archived(sha256: string): { at: Date; size: number } | undefined;
}

/** Copies in the folder, as in `attachments/<2 hex>/<sha256>/<name>`: the SHA-256 is the content. */
const COPY_CONTENT = /^attachments\/[0-9a-f]{2}\/([0-9a-f]{64})\//;

/** The content of a copy in the archive folder: its SHA-256. */
function contentOf(path: string): string | undefined {
  return COPY_CONTENT.exec(path)?.[1];
}

/** Both are copies in the archive folder, of other bytes: the device's file was replaced after the archive copied it. */
function otherContent(archived: Attachment, seen: Attachment): boolean {
  if (!inFolder(archived) || !inFolder(seen)) return false;
  const before = contentOf(archived.path!);
  return before !== undefined && contentOf(seen.path!) !== undefined && contentOf(seen.path!) !== before;
}

/**
 * The archive's copy stays the message's file, as first archived: the device's new content is kept beside it as
 * a later version (a content seen before, the first archived or a later one, is not added again).
 */
function withLaterCopy(archived: Attachment, seen: Attachment, kept: KeptFiles): Pick<Attachment, 'path' | 'size' | 'replaced'> {
  const first = kept.archived(contentOf(archived.path!)!);
  const later = archived.replaced?.later ?? [];
  const known = [archived.path!, ...later.map((v) => v.path)].some((path) => contentOf(path) === contentOf(seen.path!));
  const version: FileVersion = { path: seen.path!, size: seen.size, foundAt: kept.now };
  const replaced = known ? archived.replaced : { archivedAt: archived.replaced?.archivedAt ?? first?.at, later: [...later, version] };
  return { path: archived.path, size: first?.size ?? archived.size, replaced };
}

/** How many later versions of files a message keeps (see `Attachment.replaced`). */
export function laterVersions(message: Message): number {
  return attachmentsOf(message).reduce((sum, a) => sum + (a.replaced?.later.length ?? 0), 0);
}

/** The attachment is a copy in the archive folder (its path relative to the folder). */
function inFolder(attachment: Attachment): boolean {
  return !attachment.missing && attachment.path !== undefined && !isAbsolute(attachment.path);
}

/**
 * Reactions the archive had that the source lost are kept on their part (after the source's own): marked
 * removed when a removal by their sender explains it, else absent since a run that read its sources whole
 * (any other run keeps them as they were). A reaction kept with a mark keeps it. Of a person's reactions on a
 * part the latest placed wins (see `latestPlaced`).
 */
function keepTapbacks(archived: Part[], parts: Part[], lost: LostTapbacks): void {
  for (const before of archived) {
    const index = parts.findIndex((p) => p.index === before.index);
    const part = parts[index] ?? parts[0];
    if (!part) return;
    const { tapbacks, replaced } = latestPlaced(before.tapbacks, stillRemoved(before.tapbacks, finerDated(before.tapbacks, part.tapbacks)));
    const current = new Set(tapbacks.map(tapbackKey));
    const gone = before.tapbacks.filter((t) => !current.has(tapbackKey(t)));
    if (gone.length === 0 && tapbacks === part.tapbacks) continue;
    const marked = [...gone.map((t) => markLost(t, before.index, tapbacks, lost)), ...replaced];
    // In the order they were placed, those marked last, whichever device showed which: runs of each in turn keep one order.
    const kept = [...tapbacks, ...marked].sort((a, b) => Number(unmarked(b)) - Number(unmarked(a)) || +a.date - +b.date);
    parts[index >= 0 ? index : 0] = { ...part, tapbacks: kept };
  }
}

/**
 * The source's reactions, each that the archive has a later one of its sender in place of (a device that stopped
 * getting messages shows what they placed before, another device what replaced it) as the archive has it: the one
 * it replaced is `replaced`, taken back then (unless the archive has it already), as a run of that device before
 * the other's would have left it; one placed again shows once, at its new time.
 */
function latestPlaced(archived: Tapback[], seen: Tapback[]): { tapbacks: Tapback[]; replaced: Tapback[] } {
  const latest = new Map<string, Tapback>();
  for (const t of archived.filter(placed)) if (+t.date > +(latest.get(slotOf(t))?.date ?? -Infinity)) latest.set(slotOf(t), t);
  const known = new Set(archived.map(tapbackKey));
  const replaced: Tapback[] = [];
  const tapbacks = seen.map((t) => {
    const later = placed(t) ? latest.get(slotOf(t)) : undefined;
    if (!later || +later.date <= +t.date) return t;
    if (!known.has(tapbackKey(t))) replaced.push({ ...t, removedAt: later.date });
    return later;
  });
  return replaced.length > 0 || tapbacks.some((t, i) => t !== seen[i]) ? { tapbacks, replaced } : { tapbacks: seen, replaced };
}

/** A classic or emoji reaction shown as placed (its sender has one such on a part; stickers are not replaced). */
function placed(t: Tapback): boolean {
  return t.kind !== 'sticker' && unmarked(t);
}

function unmarked(t: Tapback): boolean {
  return !t.removedAt && !t.absentSince;
}

/**
 * The source's reactions, those the archive knows were taken back after they were placed kept as taken back: a
 * device that stopped getting messages before the removal (an old Mac) still shows them. One placed again is
 * newer than its removal.
 */
function stillRemoved(archived: Tapback[], seen: Tapback[]): Tapback[] {
  const removed = new Map(archived.filter((t) => t.removedAt).map((t) => [tapbackKey(t), t]));
  if (removed.size === 0) return seen;
  return seen.map((t) => {
    const known = removed.get(tapbackKey(t));
    return known && unmarked(t) && +t.date <= +known.removedAt! ? known : t;
  });
}

/** The source's reactions, those the archive dates finer than the source (an older macOS keeps seconds) dated as it does. */
function finerDated(archived: Tapback[], seen: Tapback[]): Tapback[] {
  const known = new Map(archived.map((t) => [tapbackKey(t), t.date]));
  let refined = false;
  const dated = seen.map((t) => {
    const date = known.get(tapbackKey(t));
    if (!date || !cutToSecond(t.date, date)) return t;
    refined = true;
    return { ...t, date };
  });
  return refined ? dated : seen;
}

/**
 * The message with what a source that no longer has it holds of its reactions (see `History.reactionsOfMissing`):
 * those it holds are on it, those it took back marked so, the others kept as they were (see `keepTapbacks`);
 * `foundIn`: the message was found in that source.
 */
export function withReactions(message: Message, reactions: Reactions, foundIn: boolean): Message {
  const told = toldCopy(message, reactions);
  return mergeRevision(message, foundIn ? told : heldApart(told, message), { removals: reactions.removals });
}

/**
 * The told copy with the reactions the archive has as it has them (a sticker with the archive's file, where the
 * device keeps its own), and the others marked held apart (see `Tapback.heldApart`).
 */
function heldApart(told: Message, archived: Message): Message {
  const known = archived.parts.flatMap((p) => p.tapbacks);
  const kept = (t: Tapback) => known.find((k) => tapbackKey(k) === tapbackKey(t) && (+k.date === +t.date || cutToSecond(t.date, k.date)));
  return { ...told, parts: told.parts.map((part) => ({ ...part, tapbacks: part.tapbacks.map((t) => kept(t) ?? { ...t, heldApart: true }) })) };
}

/** A reaction the source lacks, marked taken back when a removal by its sender, or a later reaction of theirs among `current` in its place, says so. */
function markLost(t: Tapback, part: number, current: Tapback[], { removals = [], since }: LostTapbacks): Tapback {
  if (!unmarked(t)) return t;
  const sticker = t.kind === 'sticker';
  const takenBack = [
    ...removals.filter((r) => r.part === part && r.handle === t.sender.handle && r.sticker === sticker).map((r) => r.date),
    ...(placed(t) ? current.filter((c) => placed(c) && slotOf(c) === slotOf(t)).map((c) => c.date) : []),
  ].filter((date) => +date > +t.date);
  if (takenBack.length > 0) return { ...t, removedAt: takenBack.reduce((first, date) => (+date < +first ? date : first)) };
  // A reaction only a source that lacks the message held is not one the message's sources lose.
  return since && !t.heldApart ? { ...t, absentSince: since } : t;
}
