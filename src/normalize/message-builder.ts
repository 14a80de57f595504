import type { AppBalloon, AppPart, Attachment, EditVersion, Message, Part, Person, ReplyRef, ReplyTarget, TextSpan } from '../model/types.js';
import type { AttachmentRow, MessageRow } from '../read/rows.js';
import { bodyComponents, decodeAttributedBody, legacyBodyText, legacyComponents, type BodyComponent, type PartStatus, type TextRange } from '../decode/attributed-body.js';
import { decodeSummaryInfo, type SummaryInfo } from '../decode/summary-info.js';
import { decodeBalloonReport, URL_BALLOON } from '../decode/payload.js';
import { toAttachment, unlistedAttachment, type AttachmentFiles } from './attachments.js';
import { APPLE_EPOCH, appleDate } from './dates.js';
import { checkAttachmentRow, checkMessageRow, UNREADABLE } from './odd-values.js';
import { effectName } from './effects.js';
import { groupEvent } from './events.js';
import { serviceOf } from '../model/services.js';
import { hasEdits } from '../model/edits.js';
import { attachTapbacks, type TapbackIndex } from './tapbacks.js';

const SNIPPET_LENGTH = 120;

/** What a message builder needs from its surroundings. */
export interface BuildContext {
  me: Person;
  /** See PeopleDirectory.ownerHandle. */
  ownerHandle(callerId: string | null, account: string | null): string | undefined;
  person(handleRowId: number): Person | undefined;
  /** Who sent a message whose handle is 0 or unknown (the other person of a one-to-one chat). */
  fallbackSender: Person;
  attachmentFiles: AttachmentFiles;
  tapbacks: TapbackIndex;
  /** A poll's balloon with its options and votes, or a vote's on its own (undefined for any other row: see PollIndex). */
  pollBalloon(row: MessageRow): AppBalloon | undefined;
  /** The GUIDs of the rows read as part of a poll this row shows (see Message.folds). */
  pollFolds(row: MessageRow): string[] | undefined;
  /** The message a reply points at, when the database has it. */
  messageByGuid(guid: string): MessageRow | undefined;
  /** A column of a message's row as chat.db stores it, shown as SQL writes it (undefined when it cannot be read). */
  storedValue(rowId: number, column: string): string | undefined;
  /** Messages built lately, by GUID: most replies point at one of them, so the database is asked less. */
  recent: RecentMessages;
}

/** What a reply shows of the message it answers: who sent it, when, and a label for each part. */
interface Answered {
  sender: Person;
  date: Date;
  rowId: number;
  labels: { index: number; label: string }[];
}

/**
 * What replies need of the last few hundred messages built, by GUID (oldest forgotten first, so memory
 * stays bounded). Only that little is kept: whole messages kept this long made garbage collection slow.
 */
export class RecentMessages {
  private readonly byGuid = new Map<string, Answered>();
  /**
   * The GUIDs in the order they were first remembered, a ring: the oldest is found here, not as the Map's
   * first key, which a Map finds by stepping over every entry deleted before it (a tenth of buildMessage).
   */
  private readonly order: string[] = [];
  private oldest = 0;

  constructor(private readonly capacity = 300) {}

  get(guid: string): Answered | undefined {
    return this.byGuid.get(guid);
  }

  remember(message: Message): void {
    const known = this.byGuid.has(message.guid);
    this.byGuid.set(message.guid, answered(message));
    if (known) return;
    if (this.order.length < this.capacity) {
      this.order.push(message.guid);
      return;
    }
    this.byGuid.delete(this.order[this.oldest]!);
    this.order[this.oldest] = message.guid;
    this.oldest = (this.oldest + 1) % this.capacity;
  }
}

function answered(message: Message): Answered {
  const labels = message.parts.map((part) => ({ index: part.index, label: partLabel(part) }));
  if (labels.length === 0) labels.push({ index: 0, label: message.event?.description ?? '' });
  return { sender: message.sender, date: message.date, rowId: message.rowId, labels };
}

function partLabel(part: Part): string {
  switch (part.kind) {
    case 'text':
      return part.text;
    case 'attachment':
      return `[${part.attachment.fileName}]`;
    case 'unsent':
      return '[unsent]';
    case 'app':
      if (part.app.poll) return `[Poll: ${part.app.poll.question ?? part.app.poll.options.map((o) => o.text ?? '?').join(' / ')}]`;
      return `[${part.app.title ?? part.app.url ?? part.app.appName ?? 'app message'}]`;
  }
}

interface DecodedBody {
  components: BodyComponent[];
  summary?: SummaryInfo;
  problems: string[];
}

/** Turns one message row (with its attachment rows) into the model's Message. */
export function buildMessage(row: MessageRow, attachmentRows: AttachmentRow[], ctx: BuildContext): Message {
  const oddValues = row.unreadable ? [`Part of this message could not be read from the damaged database (${row.unreadable.join(', ')}); it is shown without it.`] : [];
  oddValues.push(...checkMessageRow(row, (column) => ctx.storedValue(row.rowId, column)));
  for (const a of attachmentRows) {
    if (a.unreadable) oddValues.push(`Part of an attachment's record could not be read from the damaged database (${a.unreadable.join(', ')}); it is shown without it.`);
    oddValues.push(...checkAttachmentRow(a));
  }
  const sender = senderOf(row, ctx);
  const body = decodeBody(row);
  const attachments = attachmentRows.map((a) => toAttachment(a, ctx.attachmentFiles));
  const parts = row.balloonBundleId || isBareLinkPreview(row, body.components)
    ? [balloonPart(row, body, attachments, ctx)]
    : partsFrom(body, attachments, appleDate(row.dateRetracted));
  attachTapbacks(parts, ctx.tapbacks.get(row.guid));
  const { service, satellite } = serviceOf(row.service || 'iMessage');
  const date = appleDate(row.date);
  const message: Message = {
    rowId: row.rowId,
    guid: row.guid,
    date: date ?? APPLE_EPOCH,
    dateNanos: date && row.dateNanos ? row.dateNanos : undefined,
    dateRead: appleDate(row.dateRead),
    dateDelivered: appleDate(row.dateDelivered),
    datePlayed: appleDate(row.datePlayed),
    sender,
    isFromMe: Boolean(row.isFromMe) || sharedByOwner(row),
    ownerHandle: ctx.ownerHandle(row.destinationCallerId, row.account),
    service,
    downgraded: row.wasDowngraded && service !== 'iMessage' ? true : undefined,
    satellite,
    junk: row.isSpam ? true : undefined,
    kind: row.itemType === 0 ? 'message' : 'event',
    subject: row.subject || undefined,
    undelivered: undelivered(row),
    parts,
    replyTo: row.threadOriginatorGuid ? replyRef(row.threadOriginatorGuid, row.threadOriginatorPart, ctx) : undefined,
    effect: effectName(row.effectId),
    isAudioMessage: Boolean(row.isAudioMessage),
    edited: hasEdits(parts),
    problems: [...oddValues, ...body.problems],
  };
  if (message.kind === 'event') {
    const target = row.otherHandle ? ctx.person(row.otherHandle) : undefined;
    message.event = groupEvent(row, sender, target);
  }
  const removals = ctx.tapbacks.removals(row.guid);
  if (removals) message.tapbackRemovals = removals;
  const folds = ctx.pollFolds(row);
  if (folds) message.folds = folds;
  ctx.recent.remember(message);
  return message;
}

function senderOf(row: MessageRow, ctx: BuildContext): Person {
  if (row.isFromMe || sharedByOwner(row)) return ctx.me;
  return ctx.person(row.handleId) ?? ctx.fallbackSender;
}

/** Why a message of the owner's reached no one, if it did not: sending failed, or it waits to be sent later. */
function undelivered(row: MessageRow): Message['undelivered'] {
  if (!row.isFromMe || row.itemType !== 0) return undefined;
  if (row.error !== 0) return 'failed';
  return row.scheduleType === 2 && row.isSent === 0 ? 'scheduled' : undefined;
}

/** A location share the owner began or ended with other_handle, which the row may store as received (share_direction 0). */
function sharedByOwner(row: MessageRow): boolean {
  return row.itemType === 4 && row.otherHandle !== 0 && row.shareDirection === 0;
}

function decodeBody(row: MessageRow): DecodedBody {
  const problems: string[] = [];
  let summary: SummaryInfo | undefined;
  if (row.summaryInfo && (row.dateEdited || row.dateRetracted)) {
    try {
      summary = decodeSummaryInfo(row.summaryInfo);
    } catch (error) {
      problems.push(`Edit history could not be read (${(error as Error).message}).`);
    }
  }
  const statuses = summary ? partStatuses(summary) : undefined;
  if (row.attributedBody && row.attributedBody.length > 0) {
    try {
      return { components: bodyComponents(decodeAttributedBody(row.attributedBody), statuses), summary, problems };
    } catch (error) {
      const recovered = legacyBodyText(row.attributedBody) ?? row.text ?? undefined;
      problems.push(recovered === undefined
        ? `Message body could not be decoded (${(error as Error).message}); its text is lost.`
        : `Message body was damaged (${(error as Error).message}); text recovered by a fallback reader.`);
      return { components: legacyComponents(recovered ?? '', statuses), summary, problems };
    }
  }
  return { components: legacyComponents(plainText(row, problems), statuses), summary, problems };
}

/**
 * The text column, where U+FFFD marks an app balloon's place; in a message that has none, it stands where
 * SQLite's text held bytes that are not UTF-8 (which would otherwise read as balloons that are not there).
 */
function plainText(row: MessageRow, problems: string[]): string {
  const text = row.text ?? '';
  if (row.balloonBundleId || !text.includes('\ufffd')) return text;
  problems.push(`The message's text holds bytes that are not UTF-8, shown as ${UNREADABLE}.`);
  return text.replaceAll('\ufffd', UNREADABLE);
}

function partStatuses(summary: SummaryInfo): PartStatus[] {
  const statuses: PartStatus[] = [];
  for (const [index, part] of summary.parts) statuses[index] = part.status;
  for (let i = 0; i < statuses.length; i++) statuses[i] ??= 'original';
  return statuses;
}

function partsFrom(body: DecodedBody, attachments: Attachment[], unsentAt: Date | undefined): Part[] {
  const unused = [...attachments];
  const parts: Part[] = body.components.map((component, index): Part => {
    switch (component.type) {
      case 'text': {
        const edits = earlierVersions(body.summary, index);
        return { kind: 'text', index, tapbacks: [], ...textOf(component.ranges), edits, editedAt: edits && lastVersion(body.summary, index)?.date };
      }
      case 'attachment':
        return { kind: 'attachment', index, tapbacks: [], attachment: takeAttachment(unused, component.guid, component) };
      case 'retracted': {
        const edits = earlierVersions(body.summary, index, true);
        return { kind: 'unsent', index, tapbacks: [], edits, editedAt: edits && lastVersion(body.summary, index)?.date, unsentAt };
      }
      case 'app':
        return { kind: 'app', index, tapbacks: [], app: { type: 'unknown', captions: [] }, attachments: [] };
    }
  });
  for (const attachment of unused) parts.push({ kind: 'attachment', index: parts.length, tapbacks: [], attachment });
  // Unsent (its date says so) with no body left and no summary naming its parts: the whole message.
  if (parts.length === 0 && unsentAt) parts.push({ kind: 'unsent', index: 0, tapbacks: [], unsentAt });
  return parts;
}

function takeAttachment(pool: Attachment[], guid: string | undefined, component: Extract<BodyComponent, { type: 'attachment' }>): Attachment {
  let at = guid ? pool.findIndex((a) => a.guid === guid) : -1;
  if (at < 0 && !guid) at = 0;
  const attachment = at >= 0 && at < pool.length ? pool.splice(at, 1)[0]! : unlistedAttachment(guid, component.name);
  // Filled in place (the message's own attachments are made for it): a spread copy cost 6 µs each.
  attachment.width ??= component.width;
  attachment.height ??= component.height;
  attachment.transcription ??= component.transcription;
  return attachment;
}

function textOf(ranges: TextRange[]): { text: string; spans: TextSpan[] } {
  const offset = ranges[0]?.start ?? 0;
  let text = '';
  const spans: TextSpan[] = [];
  for (const range of ranges) {
    text += range.text;
    const span: TextSpan = { start: range.start - offset, end: range.end - offset };
    for (const effect of range.effects) {
      if (effect.type === 'mention') span.mention = effect.handle;
      else if (effect.type === 'link') span.link = effect.url;
      else if (effect.type === 'animation') span.animation = effect.name;
      else if (effect.type === 'styles') span.styles = effect.styles as TextSpan['styles'];
    }
    if (span.mention || span.link || span.animation || span.styles) spans.push(span);
  }
  return { text, spans };
}

/** Versions of a part before its current one (all of them for an unsent part), oldest first. */
function earlierVersions(summary: SummaryInfo | undefined, index: number, includeLast = false): EditVersion[] | undefined {
  const history = summary?.parts.get(index)?.history;
  if (!history || history.length === 0) return undefined;
  const versions = includeLast ? history : history.slice(0, -1);
  return versions.length > 0 ? versions.map((e) => ({ text: e.text, date: e.date })) : undefined;
}

/** The version a part shows now, as its edit history records it (with the time it was written). */
function lastVersion(summary: SummaryInfo | undefined, index: number): { date: Date } | undefined {
  return summary?.parts.get(index)?.history?.at(-1);
}

/** A message with a plain link and a preview payload but no balloon id is shown as a link preview. */
function isBareLinkPreview(row: MessageRow, components: BodyComponent[]): boolean {
  if (!row.payloadData || components.length !== 1) return false;
  const only = components[0]!;
  return only.type === 'text' && only.ranges.length === 1 && only.ranges[0]!.effects.some((e) => e.type === 'link');
}

function balloonPart(row: MessageRow, body: DecodedBody, attachments: Attachment[], ctx: BuildContext): AppPart {
  const poll = ctx.pollBalloon(row);
  if (poll) return { kind: 'app', index: 0, tapbacks: [], app: poll, attachments };
  const { balloon: app, problem } = decodeBalloonReport(row.payloadData ?? undefined, row.balloonBundleId ?? URL_BALLOON);
  if (problem) body.problems.push(problem);
  // The balloon's placeholder (U+FFFC, what the text column of a balloon holds) says nothing.
  const text = body.components.flatMap((c) => (c.type === 'text' ? c.ranges.map((r) => r.text) : [])).join('').replaceAll('\ufffc', '').trim();
  if (app.type === 'link' && !app.url && text) app.url = text;
  // Whatever the balloon's data lost, the message's own text still says.
  else if (problem && text) app.captions.push(text);
  return { kind: 'app', index: 0, tapbacks: [], app, attachments };
}

function replyRef(guid: string, partSpec: string | null, ctx: BuildContext): ReplyRef {
  const partIndex = Number(partSpec?.split(':')[0] ?? 0) || 0;
  let original = ctx.recent.get(guid);
  if (!original) {
    const row = ctx.messageByGuid(guid);
    if (!row) return { guid, partIndex };
    original = answered(buildMessage({ ...row, threadOriginatorGuid: null }, [], ctx));
  }
  return { guid, partIndex, target: targetOf(original, partIndex) };
}

/** What a reply to one part of `original` shows of it. */
export function replyTarget(original: Message, partIndex: number): ReplyTarget {
  return targetOf(answered(original), partIndex);
}

function targetOf(original: Answered, partIndex: number): ReplyTarget {
  return { sender: original.sender, date: original.date, snippet: snippetOf(original, partIndex), rowId: original.rowId };
}

/** A short plain-text preview of one part of a message, for "replying to …". */
function snippetOf(original: Answered, partIndex: number): string {
  const text = (original.labels.find((l) => l.index === partIndex) ?? original.labels[0]!).label.replace(/\s+/g, ' ').trim();
  // No more characters than UTF-16 units: a short text is kept whole without splitting it.
  if (text.length <= SNIPPET_LENGTH) return text;
  const chars = Array.from(text);
  return chars.length > SNIPPET_LENGTH ? `${chars.slice(0, SNIPPET_LENGTH).join('')}…` : text;
}
