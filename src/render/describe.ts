// Plain-language descriptions of model pieces, shared by renderers that write words rather than markup.
import type { ExportContext } from './renderer.js';
import type { AppBalloon, ArchiveRun, Attachment, Ballot, Conversation, FileVersion, Message, Person, Poll, PollOption, RecordedSource, ReplacedFile, SourceHashes, Tapback, TapbackKind } from '../model/types.js';
import type { DateFormatter } from './dates.js';
import { serviceOf } from '../model/services.js';
import { shownHandles } from '../model/people.js';
import { countOf } from '../words/counts.js';

const TAPBACK_VERBS: Record<TapbackKind, string> = {
  love: 'Loved',
  like: 'Liked',
  dislike: 'Disliked',
  laugh: 'Laughed at',
  emphasize: 'Emphasized',
  question: 'Questioned',
  emoji: 'Reacted',
  sticker: 'Sticker',
};

/** Where a missing file was looked for and is not: on this computer, or in the iPhone backup read; and that it is in iCloud, when the database says. */
export function notFound(attachment: Attachment): string {
  if (attachment.missingReason === 'icloud') return `in iCloud only, ${attachment.fromBackup ? 'not in the backup' : 'not downloaded to this computer'}`;
  return attachment.fromBackup ? 'not in the backup' : 'not on this computer';
}

/** "missing", in a cell: and "in iCloud only" when the database says so. */
export function missingShort(attachment: Attachment): string {
  return attachment.missingReason === 'icloud' ? 'missing, in iCloud only' : 'missing';
}

/** Where an encrypted backup keeps a file that was decrypted only while the sources were read. */
export function inBackup(attachment: Attachment): string {
  return `in the backup as ${attachment.storedPath}`;
}

/** 1536 → "1.5 KB" */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/**
 * An attachment's size as shown, when known: a file on this computer may be empty ("0 B"); of one that is not,
 * 0 is all the database says when it does not know.
 */
export function attachmentSize(attachment: Attachment): string | undefined {
  return attachment.size > 0 || !attachment.missing ? formatBytes(attachment.size) : undefined;
}

/**
 * "❤️ Loved by Alice, Bob; 👍 Liked by Me" — one entry per reaction, grouped by kind and emoji; `day` gives
 * the export's day of a date (see tapbackNote).
 */
export function describeTapbacks(tapbacks: Tapback[], day: (date: Date) => string): string {
  const groups = new Map<string, { label: string; names: string[] }>();
  for (const t of tapbacks) {
    const label = t.kind === 'sticker'
      ? `Sticker${t.sticker ? ` (${absentSticker(t.sticker) ?? t.sticker.fileName})` : ''}`
      : `${t.emoji} ${TAPBACK_VERBS[t.kind]}`.trim();
    const group = groups.get(label) ?? { label, names: [] };
    const note = tapbackNote(t, day);
    group.names.push(note ? `${t.sender.name} (${note})` : t.sender.name);
    groups.set(label, group);
  }
  return [...groups.values()].map((g) => `${g.label} by ${g.names.join(', ')}`).join('; ');
}

/** What every format says for an attachment placeholder with no attachment row (Attachment.notInDatabase). */
export const NOT_IN_DATABASE = 'Attachment not in the database (the message shows one, but the database has no record of the file)';

/** Where a sticker came from, in words (`Attachment.stickerSource`; otherwise its app's name). */
const STICKER_SOURCES: Record<string, string> = { genmoji: 'Genmoji', memoji: 'Memoji', user_generated: 'user-made' };

/** "IMG_0001.jpg (image/jpeg, 1.2 MB)" plus a sticker or genmoji note. */
export function describeAttachment(a: Attachment): string {
  const details = [a.mimeType ?? a.kind, attachmentSize(a)].filter(Boolean).join(', ');
  return `${a.fileName} (${details})${stickerNote(a)}`;
}

/**
 * "Live Photo, its movie IMG_2003.MOV" beside a still, and why the movie is not in the archive when it is not (where
 * it is, formats that list files give on its own line).
 */
export function livePhotoNote(movie: Attachment): string {
  return `Live Photo, its movie ${movie.fileName}${movie.missing ? ` (not included: ${movie.withheld ?? notFound(movie)})` : ''}`;
}

/**
 * "The device's file changed since this copy was archived (2026-01-05); both are kept": said beside a file whose
 * device's file held other bytes at a later run (`Attachment.replaced`); `day` as every other day of the export.
 */
export function replacedNote(replaced: ReplacedFile, day: (date: Date) => string): string {
  return `The device's file changed since this copy was archived${replaced.archivedAt ? ` (${day(replaced.archivedAt)})` : ''}; both are kept`;
}

/** `replacedNote` and every later version's label, on one line (where the format names no file's place). */
export function replacedLine(replaced: ReplacedFile, day: (date: Date) => string): string {
  return `⚠ ${replacedNote(replaced, day)}: ${replaced.later.map((version) => laterVersionLabel(version, day)).join(', ')}`;
}

/** "later version, found 2026-06-01 (1.2 MB)": a file's later content (see `replacedNote`). */
export function laterVersionLabel(version: FileVersion, day: (date: Date) => string): string {
  return `later version, found ${day(version.foundAt)} (${formatBytes(version.size)})`;
}

/** " — sticker (Genmoji) — “red heart”": what an attachment is as a sticker, and its description; or nothing. */
export function stickerNote(a: Attachment): string {
  const source = stickerSourceName(a);
  const sticker = a.isSticker ? ` — sticker${source ? ` (${source})` : ''}` : '';
  return `${sticker}${a.description ? ` — “${a.description}”` : ''}`;
}

/** "Genmoji", "Memoji", "user-made" or its app's name: where a sticker came from, when it records that. */
export function stickerSourceName(a: Attachment): string | undefined {
  return a.stickerSource && (STICKER_SOURCES[a.stickerSource] ?? a.stickerSource);
}

/**
 * A sticker reaction's file that is not in the archive, and what it was: "genmoji.png — Genmoji — “red heart” —
 * missing, not on this computer" (`why` words the absence, by default as the txt export does); undefined when
 * the file is there.
 */
export function absentSticker(sticker: Attachment, why: (sticker: Attachment) => string = absenceInText): string | undefined {
  if (!sticker.missing) return undefined;
  const description = sticker.description && `“${sticker.description}”`;
  return [sticker.fileName, stickerSourceName(sticker), description, why(sticker)].filter(Boolean).join(' — ');
}

/** "missing, not on this computer", or why a file on disk was not copied. */
function absenceInText(attachment: Attachment): string {
  return attachment.withheld ?? `missing, ${notFound(attachment)}`;
}

/**
 * An app or link balloon as the txt export writes it, and the data formats' text: "[Link: Title — https://…]";
 * a poll as "[Poll]" (with its question when it has one) and its options a numbered line each.
 */
export function balloonLines(app: AppBalloon): string[] {
  if (!app.poll) return [`[${describeBalloon(app)}]`];
  return [`[Poll${app.poll.question ? `: ${app.poll.question}` : ''}]`, ...pollOptions(app.poll).map((option, i) => `  ${i + 1}. ${option}`)];
}

/** One line for an app or link balloon: "Link: Title — https://… (site)"; a vote with its choices. */
export function describeBalloon(app: AppBalloon): string {
  if (app.ballot) return `Poll vote: ${describeBallot(app.ballot)}`;
  const kind: Record<AppBalloon['type'], string> = {
    link: 'Link',
    music: 'Music',
    place: 'Location',
    'app-store': 'App Store',
    collaboration: 'Shared',
    app: app.appName ?? 'App',
    handwriting: 'Handwritten message',
    'digital-touch': 'Digital Touch',
    unknown: app.appName ?? 'App message',
  };
  const pieces = [app.title, app.subtitle, app.summary, ...app.captions, app.url].filter((p): p is string => Boolean(p));
  const text = [...new Set(pieces)].join(' — ');
  // A title that already names the kind ("Digital Touch: tap") is not prefixed again.
  if (!text || text.startsWith(kind[app.type])) return text || kind[app.type];
  return `${kind[app.type]}: ${text}`;
}

/**
 * Each option of a poll as "Pizza — 2 votes: Ann, Bob", with "(added by Cy)" when someone other than whoever
 * added the first option added it; an option only votes name, as one the archive does not have.
 */
export function pollOptions(poll: Poll, voter: (vote: PollOption['votes'][number]) => string = (vote) => vote.voter.name): string[] {
  const creator = poll.options[0]?.addedBy?.handle;
  return poll.options.map((option) => {
    const added = option.addedBy && option.addedBy.handle !== creator ? ` (added by ${option.addedBy.name})` : '';
    const votes = option.votes.length === 0 ? 'no votes' : `${countOf(option.votes.length, 'vote')}: ${option.votes.map(voter).join(', ')}`;
    return `${option.text ?? UNKNOWN_OPTION}${added} — ${votes}`;
  });
}

/** What a vote on an option of a poll that no version in the database lists says of it. */
export const UNKNOWN_OPTION = 'an option not in the database';

/** "Pizza, Tacos": the options a vote message chooses; "every vote taken back" when none. */
export function describeBallot(ballot: Ballot): string {
  if (ballot.choices.length === 0) return 'every vote taken back';
  return ballot.choices.map((choice) => choice.text ?? UNKNOWN_OPTION).join(', ');
}

/** "700 in every source; chat.db has 778, backup has 700" — what each combined source holds of a conversation. */
export function describeSourceCounts(counts: NonNullable<Conversation['sourceCounts']>): string {
  const each = counts.bySource.map(({ source, messages }) => `${source} has ${messages.toLocaleString('en-US')}`).join(', ');
  return `${counts.inEvery.toLocaleString('en-US')} in every source; ${each}`;
}

/**
 * "709 messages no longer in the sources, first read by the runs of:" and, for each of those runs,
 * when it began and every source it read, with the SHA-256 of its database file.
 */
export function describeKeptOnly(kept: NonNullable<Conversation['keptOnly']>, dateTime: (date: Date) => string): { summary: string; runs: string[] } {
  const count = kept.messages.toLocaleString('en-US');
  const summary = `${count} ${kept.messages === 1 ? 'message' : 'messages'} no longer in the sources, first read by the ${kept.runs.length === 1 ? 'run' : 'runs'} of:`;
  const runs = kept.runs.map(({ startedAt, sources }) => `${dateTime(startedAt)} from ${sources.map((s) => describeRunSource(s, dateTime)).join('; ')}`);
  return { summary, runs };
}

/** A run's source with its SHA-256 (and its -wal's); an archive folder read as one, after the sources it recorded. */
function describeRunSource(s: ArchiveRun['sources'][number], dateTime: (date: Date) => string): string {
  const hashes = describeHashes(s);
  const own = hashes ? `${s.description} (${hashes})` : s.description;
  if (!s.recorded?.length) return own;
  return `${describeRecorded(s.recorded, dateTime)}, through ${own}`;
}

/** What a file made from a damaged source says of it (the PDF cover under the source, txt and HTML headers naming it). */
export const DAMAGE_NOTE = 'a row it could not read is not in this file (the export named each)';

/** "Damaged: the database check of /x/chat.db found damage; …", for each source whose check found damage. */
export function damageLines(ctx: Pick<ExportContext, 'provenance'>): string[] {
  return damagedSources(ctx).map((path) => `Damaged: the database check of ${path} found damage; ${DAMAGE_NOTE}`);
}

/** "Selection: --since … --until … (messages outside it are not in <where>)", when the export is one. */
export function selectionLine(ctx: Pick<ExportContext, 'selection'>, where: string): string | undefined {
  const selected = selectionText(ctx, where);
  return selected && `Selection: ${selected}`;
}

/** "--since … --until … (messages outside it are not in <where>)", when the export is one (the PDF cover's Selection row). */
export function selectionText({ selection }: Pick<ExportContext, 'selection'>, where: string): string | undefined {
  return selection && `${selection.options.join(' ')} (messages outside it are not in ${where})`;
}

/** The paths of the sources whose check found damage (the data formats name them). */
export function damagedSources({ provenance }: Pick<ExportContext, 'provenance'>): string[] {
  return (provenance?.sources ?? []).filter((s) => s.damaged).map((s) => s.path);
}

/**
 * Where the messages came from, as a header's "from …" says it; an archive folder read as a source
 * (`--archive`) adds ", read through the textkeeper archive /a (its store's SHA-256 …), which had them from
 * <what it recorded>".
 */
export function describeOrigin({ sourceDescription, provenance }: Pick<ExportContext, 'sourceDescription' | 'provenance'>, dateTime: (date: Date) => string): string {
  const through = (provenance?.sources ?? []).filter((s) => s.recorded?.length);
  return through.reduce((text, s) =>
    `${text}, read through the textkeeper archive ${s.path} (its store's SHA-256 ${s.sha256}${s.unsealed ? `; ${sealNote(s.unsealed)}` : ''}), which had them from ${describeRecorded(s.recorded!, dateTime)}`, sourceDescription);
}

/** What the files say of an archive read as a source whose store was not the one its last run sealed. */
export function sealNote(unsealed: string): string {
  return `the store did not match the archive's seal: ${unsealed}`;
}

/** "chat.db at /x (SHA-256 …, as read 2026-06-01 12:00)" for each source an archive recorded, joined by "and". */
export function describeRecorded(recorded: RecordedSource[], dateTime: (date: Date) => string): string {
  const one = (r: RecordedSource) => `${r.description} (${[r.device, describeHashes(r), `as read ${dateTime(r.lastRead)}`].filter(Boolean).join(', ')})`;
  return recorded.map(one).join(' and ');
}

/** "SHA-256 … and its -wal's SHA-256 …" (the database file's, and the -wal's when one was read with it); undefined: neither is known. */
function describeHashes({ sha256, walSha256 }: SourceHashes): string | undefined {
  const said = [sha256 && `SHA-256 ${sha256}`, walSha256 && `its -wal's SHA-256 ${walSha256}`].filter(Boolean);
  return said.length > 0 ? said.join(' and ') : undefined;
}

/**
 * "chat.db at …; iPhone backup: …", the sources that hold a message (or event) some source lacks while it held
 * messages from before and after it (see `lackedInItsTime`), which txt, HTML and PDF name under it.
 */
export function foundIn(message: Pick<Message, 'sources' | 'lackedInItsTime'>): string | undefined {
  return message.sources && message.lackedInItsTime ? message.sources.join('; ') : undefined;
}

/**
 * "not on the device since 2026-06-01", for a message an archive kept after the device deleted it; `day`
 * gives the day in the export's time zone, as every other date of the export.
 */
export function absenceNote(message: Pick<Message, 'absentSince'>, day: (date: Date) => string): string | undefined {
  return message.absentSince && `not on the device since ${day(message.absentSince)}`;
}

/**
 * ["Delivered 14:07", "Read 14:10"] for a message from the owner (first "Not Delivered" when sending failed), ["Played 9:12"] for an audio message
 * someone else sent: each time alone when on the message's day (`day`, its dayKey), else with its date.
 */
export function receiptNotes(message: Message, day: string, dates: DateFormatter): string[] {
  const when = (date: Date) => timeOnDay(date, day, dates);
  const notes: string[] = [];
  if (message.undelivered) notes.push(undeliveredNote(message.undelivered));
  if (message.isFromMe) {
    if (message.dateDelivered) notes.push(`Delivered ${when(message.dateDelivered)}`);
    if (message.dateRead) notes.push(`Read ${when(message.dateRead)}`);
  } else if (message.datePlayed) {
    notes.push(`Played ${when(message.datePlayed)}`);
  }
  return notes;
}

/** What Messages says of a message of the owner's that reached no one: it must not read as received. */
export function undeliveredNote(undelivered: NonNullable<Message['undelivered']>): string {
  return { failed: 'Not Delivered', scheduled: 'Scheduled, not sent' }[undelivered];
}

/**
 * What the note beside a message says of how it went and how Messages filed it: its service when not iMessage
 * ("SMS", "RCS"; "SMS, sent after iMessage failed" when Messages fell back to it; "iMessage via satellite"), then
 * "Junk" when Messages filed it as junk.
 */
export function messageMarks(message: Message): string[] {
  const marks = message.junk ? ['Junk'] : [];
  if (message.satellite) return [serviceName(message.service, true), ...marks];
  if (message.service === 'iMessage') return marks;
  return [message.downgraded ? `${message.service}, sent after iMessage failed` : message.service, ...marks];
}

/**
 * A service as the notes beside messages name it: "iMessage via satellite" for one that went over satellite, or
 * a conversation's service as chat.db names it (iMessageLite, SatelliteSMS); any other as it is ("SMS", "RCS").
 */
export function serviceName(name: string, satellite = false): string {
  const read = serviceOf(name);
  return satellite || read.satellite ? `${read.service} via satellite` : read.service;
}

/** A conversation's services, as `serviceName` names each: "iMessage, SMS, iMessage via satellite". */
export function servicesLine(conversation: Conversation): string {
  return [...new Set(conversation.services.map((name) => serviceName(name)))].join(', ');
}

/** A time as a note under a message gives it: alone when on the message's day (`day`, its dayKey), else with its date. */
export function timeOnDay(date: Date, day: string, dates: DateFormatter): string {
  const at = dates.at(date);
  return at.dayKey === day ? at.time : at.dateTime;
}

/** When the message's text took its present wording (or its last, before it was unsent): the latest edit of any of its parts. */
export function lastEdited(message: Message): Date | undefined {
  let last: Date | undefined;
  for (const part of message.parts) {
    if ((part.kind === 'text' || part.kind === 'unsent') && part.editedAt && (!last || part.editedAt > last)) last = part.editedAt;
  }
  return last;
}

/** "Edited 14:09" (with its date when on another day than the message's `day`), or "Edited" when the time is not known. */
export function editedNote(message: Message, day: string, dates: DateFormatter): string | undefined {
  if (!message.edited) return undefined;
  const at = lastEdited(message);
  return at ? `Edited ${timeOnDay(at, day, dates)}` : 'Edited';
}

/** "removed 2026-06-01" or "kept by this archive: not on the device since …", for a reaction an archive kept. */
export function tapbackNote(t: Tapback, day: (date: Date) => string): string | undefined {
  if (t.removedAt) return `removed ${day(t.removedAt)}`;
  return t.absentSince && `kept by this archive: ${absenceNote(t, day)}`;
}

/**
 * The owner's handles the conversation used, as its header gives them under the label "Me" (as Participants lists
 * the others'): "+15555550199, owner@example.com"; empty when none is known (an archive kept by an earlier textkeeper).
 */
export function ownerHandlesLine(conversation: Conversation): string {
  return (conversation.ownerHandles ?? []).join(', ');
}


/**
 * "Mom (+15555550100, mom@example.com)"; a participant without a name, their handles alone; one no longer in the
 * group, with what became of them: "Ann (+15555550101) (left the group)". `name` writes the name (isolated, in a PDF).
 */
export function personWithHandles(person: Person, name: (name: string) => string = (n) => n): string {
  const handles = shownHandles(person).join(', ');
  const named = person.name === person.handle ? handles : `${name(person.name)} (${handles})`;
  return person.former ? `${named} (${formerNote(person.former)})` : named;
}

/** What became of a group's former member: "left the group", "removed from the group". */
export function formerNote(former: NonNullable<Person['former']>): string {
  return { left: 'left the group', removed: 'removed from the group' }[former];
}
