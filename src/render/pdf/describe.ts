import type { AppBalloon, Attachment, Message, ReplyRef, Tapback, TextSpan } from '../../model/types.js';
import { isolated, type TextMark } from './text-layout.js';
import { eventNames, isolateNames } from '../isolate.js';
import { absenceNote, absentSticker, attachmentSize, describeBallot, editedNote, foundIn, messageMarks, notFound, pollOptions, stickerSourceName, tapbackNote } from '../describe.js';
import type { DateFormatter } from '../dates.js';

/** Short wordings both PDF styles use for things that are not plain text. */

/** "Image · JPEG · 2.1 MB", "Sticker (Memoji) · image/heic": what an attachment is without its name. */
export function attachmentDetails(attachment: Attachment): string {
  const kind = attachment.isSticker ? stickerKind(attachment) : { image: 'Image', video: 'Video', audio: 'Audio', file: 'File' }[attachment.kind];
  const type = attachment.mimeType ?? attachment.uti;
  return [kind, type, attachmentSize(attachment)].filter(Boolean).join(' · ');
}

/** "Sticker (Memoji)", as the txt export says where a sticker came from; "Sticker" when it does not record that. */
function stickerKind(sticker: Attachment): string {
  const source = stickerSourceName(sticker);
  return source ? `Sticker (${source})` : 'Sticker';
}

export function missingNote(attachment: Attachment): string {
  return `Missing: the file is ${notFound(attachment)}`;
}

/** A PDF's attachments as its cover counts them: how many, and of those whose file is not in it, what their pages say. */
export class AttachmentCount {
  private total = 0;
  private readonly absent = new Map<string, number>();

  add(attachment: Attachment): void {
    this.total++;
    const why = absence(attachment);
    if (why) this.absent.set(why, (this.absent.get(why) ?? 0) + 1);
  }

  /** "80", or "80 (1 missing: not on this computer; 2 not included)". */
  toString(): string {
    const absent = [...this.absent].map(([why, n]) => `${n.toLocaleString('en-US')} ${why}`);
    return `${this.total.toLocaleString('en-US')}${absent.length ? ` (${absent.join('; ')})` : ''}`;
  }
}

/** Why an attachment's file is not in the PDF, as its page says it (a withheld file is "Not included: <why>"). */
function absence(attachment: Attachment): string | undefined {
  if (attachment.notInDatabase) return 'not in the database';
  if (attachment.withheld) return 'not included';
  return attachment.missing ? `missing: ${notFound(attachment)}` : undefined;
}

/**
 * "❤️ Alice   Sticker from Me": each reaction's emoji (or that it is a sticker, and what became of its file when it
 * is not in the archive) and who gave it; `day` as tapbackNote's.
 */
export function tapbackSummary(tapbacks: Tapback[], day: (date: Date) => string): string {
  return tapbacks.map((t) => {
    const note = tapbackNote(t, day);
    return `${t.kind === 'sticker' ? stickerLabel(t) : `${t.emoji} ${isolated(t.sender.name)}`}${note ? ` (${note})` : ''}`;
  }).join('   ');
}

function stickerLabel(tapback: Tapback): string {
  const absent = tapback.sticker && absentSticker(tapback.sticker, absenceOnPage);
  return `Sticker from ${isolated(tapback.sender.name)}${absent ? ` (${absent})` : ''}`;
}

/** "missing: not on this computer", "not included: <why>": a sticker reaction's absent file in the words the cover counts it by. */
function absenceOnPage(sticker: Attachment): string {
  const why = absence(sticker)!;
  return sticker.withheld ? `${why}: ${sticker.withheld}` : why;
}

export function replyLine(reply: ReplyRef): string {
  if (!reply.target) return 'In reply to a message that is not in this archive';
  const snippet = reply.target.snippet.length > 160 ? `${reply.target.snippet.slice(0, 160)}…` : reply.target.snippet;
  return `In reply to ${isolated(reply.target.sender.name)}: “${isolated(snippet)}”`;
}

/** An event's sentence, the names of people and of the group in it isolated. */
export function eventLine(message: Message): string {
  const event = message.event;
  return event ? isolateNames(event.description, eventNames(event), isolated) : 'Conversation event';
}

const APP_LABELS: Record<AppBalloon['type'], string> = {
  link: 'Link',
  music: 'Music',
  place: 'Location',
  'app-store': 'App Store',
  collaboration: 'Shared document',
  app: 'App message',
  handwriting: 'Handwritten message',
  'digital-touch': 'Digital Touch',
  unknown: 'App message',
};

/** The lines an app balloon shows: its kind, then whatever text it carries; a poll's options a numbered line each, with their voters. */
export function appLines(app: AppBalloon): string[] {
  if (app.poll) return ['Poll', ...(app.poll.question ? [app.poll.question] : []), ...pollOptions(app.poll).map((option, i) => `${i + 1}. ${option}`)];
  if (app.ballot) return ['Poll vote', describeBallot(app.ballot), 'The poll is not among these messages'];
  const label = app.appName && app.type !== 'link' && app.appName !== APP_LABELS[app.type] ? `${APP_LABELS[app.type]} · ${app.appName}` : APP_LABELS[app.type];
  const lines = [label, app.title, app.subtitle, app.summary, ...app.captions, app.url];
  return lines.filter((line, i): line is string => !!line && lines.indexOf(line) === i);
}

/** Whether the line of a message's notes is in the alert colour: one that did not go out, or filed as junk, must not read as an ordinary message. */
export function alertingNotes(message: Message): boolean {
  return message.undelivered !== undefined || message.junk === true;
}

/** "14:07 · SMS · Junk · sent with Slam · Edited 14:09", the small line under a message. */
export function messageNotes(message: Message, dates: DateFormatter): string[] {
  const day = (date: Date) => dates.dayKey(date);
  const notes: string[] = [];
  notes.push(...messageMarks(message));
  if (message.effect) notes.push(`sent with ${message.effect}`);
  if (message.isAudioMessage) notes.push('audio message');
  const edited = editedNote(message, day(message.date), dates);
  if (edited) notes.push(edited);
  notes.push(...archiveNotes(message, dates));
  return notes;
}

/**
 * Where the message (or event) was found, when some source lacks it, and that only the archive keeps it: the notes
 * beside it, worded as in every format.
 */
export function archiveNotes(message: Message, dates: DateFormatter): string[] {
  const sources = foundIn(message);
  const kept = message.absentSince && `Kept by this archive: ${absenceNote(message, (date) => dates.dayKey(date))}`;
  return [sources && `found in ${sources}`, kept].filter((note): note is string => typeof note === 'string' && note !== '');
}

/** The sender's strikethrough and underline over a text part: words struck through must not read as plain ones. */
export function textMarks(spans: TextSpan[]): TextMark[] | undefined {
  const marks: TextMark[] = [];
  for (const { start, end, styles } of spans) {
    const strike = styles?.includes('strikethrough');
    const underline = styles?.includes('underline');
    if (strike || underline) marks.push({ start, end, strike, underline });
  }
  return marks.length ? marks.sort((a, b) => a.start - b.start) : undefined;
}
