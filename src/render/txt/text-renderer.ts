import { handwritingLines } from '../../decode/handwriting-render.js';
import type { Attachment, Conversation, Drawing, Message, Part, ReplacedFile, TextPart, UnsentPart } from '../../model/types.js';
import type { DateFormatter } from '../dates.js';
import { absenceNote, balloonLines, foundIn, damageLines, selectionLine, describeAttachment, describeKeptOnly, describeSourceCounts, describeOrigin, describeTapbacks, inBackup, laterVersionLabel, NOT_IN_DATABASE, notFound, messageMarks, replacedNote, ownerHandlesLine, personWithHandles, servicesLine, undeliveredNote } from '../describe.js';
import { wasEdited } from '../../model/edits.js';
import { visibleControls } from '../control-pictures.js';
import { FileRenderer } from '../file-renderer.js';
import { archivePath } from '../../output/files.js';
import type { ExportContext, MessageStream } from '../renderer.js';

/** A handwritten message's drawing in characters: at most this tall and wide (two more for its indent). */
const ART_ROWS = 20;
const ART_COLUMNS = 76;

/** One readable .txt transcript per conversation. Message text is written as sent, control characters made visible. */
export class TextRenderer extends FileRenderer {
  readonly format = 'txt';

  protected chunks(conversation: Conversation, messages: MessageStream): Iterable<string> {
    return transcript(conversation, messages, this.ctx);
  }
}

function* transcript(conversation: Conversation, messages: MessageStream, ctx: ExportContext): Generator<string> {
  yield visibleControls(header(conversation, ctx));
  let day = '';
  for (const message of messages()) {
    const when = ctx.dates.at(message.date);
    if (when.dayKey !== day) {
      day = when.dayKey;
      yield `────────── ${ctx.dates.day(message.date)} ──────────\n\n`;
    }
    yield visibleControls(formatMessage(message, ctx, when.dateTime));
  }
}

function header(c: Conversation, ctx: ExportContext): string {
  const who = c.participants.map((p) => personWithHandles(p)).join(', ');
  const mine = ownerHandlesLine(c);
  const range = c.firstDate && c.lastDate ? `, from ${ctx.dates.dateTime(c.firstDate)} to ${ctx.dates.dateTime(c.lastDate)}` : '';
  return [
    `Conversation: ${c.title}`,
    who ? `Participants: ${who}` : undefined,
    mine ? `Me: ${mine}` : undefined,
    c.services.length > 0 ? `Services: ${servicesLine(c)}` : undefined,
    `Messages: ${c.messageCount}${range}`,
    selectionLine(ctx, 'this file'),
    c.sourceCounts ? `Sources: ${describeSourceCounts(c.sourceCounts)}` : undefined,
    `Times are shown in ${ctx.dates.timeZone}.`,
    `Exported ${ctx.dates.dateTime(ctx.exportedAt)} by textkeeper from ${describeOrigin(ctx, (date) => ctx.dates.dateTime(date))}.`,
    ...damageLines(ctx),
    ...keptLines(c, ctx),
    '',
    '',
  ]
    .filter((line) => line !== undefined)
    .join('\n');
}

/** What the archive kept of messages the sources no longer have, and where it read them. */
function keptLines(c: Conversation, ctx: ExportContext): string[] {
  if (!c.keptOnly) return [];
  const { summary, runs } = describeKeptOnly(c.keptOnly, (date) => ctx.dates.dateTime(date));
  return [`Kept by this archive: ${summary}`, ...runs.map((run) => `  ${run}`)];
}

/** A message as lines of text: a heading (sent `when`), its parts in order, then notes about it. */
function formatMessage(m: Message, ctx: ExportContext, when: string): string {
  const dates = ctx.dates;
  if (m.kind === 'event' && m.event) return `[${when}] — ${m.event.description}\n${eventFiles(m, ctx)}${foundInNote(m)}${keptNote(m, ctx)}\n`;
  const marks = messageMarks(m);
  let text = `[${when}] ${m.sender.name}${marks.length > 0 ? ` (${marks.join('; ')})` : ''}:\n`;
  if (m.replyTo) {
    const t = m.replyTo.target;
    text += t ? `  ↪ Replying to ${t.sender.name} (${dates.dateTime(t.date)}): “${t.snippet}”\n` : `  ↪ Replying to a message that is not in this archive\n`;
  }
  if (m.subject) text += `Subject: ${m.subject}\n`;
  for (const part of m.parts) text += formatPart(part, m, ctx);
  if (m.effect) text += `  ✨ Sent with effect: ${m.effect}\n`;
  if (m.undelivered) text += `  ✗ ${undeliveredNote(m.undelivered)}\n`;
  if (m.isFromMe && m.dateDelivered) text += `  ✓ Delivered ${dates.dateTime(m.dateDelivered)}\n`;
  if (m.isFromMe && m.dateRead) text += `  ✓ Read ${dates.dateTime(m.dateRead)}\n`;
  if (!m.isFromMe && m.datePlayed) text += `  ▶ Played ${dates.dateTime(m.datePlayed)}\n`;
  for (const problem of m.problems) text += `  ⚠ ${problem}\n`;
  return `${text}${foundInNote(m)}${keptNote(m, ctx)}\n`;
}

/** The line that names where a message (or event) some source lacks was found. */
function foundInNote(m: Message): string {
  const sources = foundIn(m);
  return sources ? `  ⧉ Found in: ${sources}\n` : '';
}

/** The line that says the archive kept a message (or event) the device no longer has. */
function keptNote(m: Message, ctx: ExportContext): string {
  return m.absentSince ? `  ⌫ Kept by this archive: ${absenceNote(m, (d) => ctx.dates.dayKey(d))}\n` : '';
}

/** The files an event carries (a group photo change, the new photo), a line each. */
function eventFiles(m: Message, ctx: ExportContext): string {
  return m.parts.map((part) => (part.kind === 'attachment' ? `  ${fileLines(part.attachment, 'Attachment', ctx)}` : '')).join('');
}

function formatPart(part: Part, m: Message, ctx: ExportContext): string {
  const { dates } = ctx;
  let text: string;
  switch (part.kind) {
    case 'text':
      text = `${part.text}\n${edits(part, dates)}`;
      break;
    case 'attachment': {
      const a = part.attachment;
      const label = m.isAudioMessage && a.kind === 'audio' ? 'Audio message' : a.isSticker ? 'Sticker' : 'Attachment';
      text = fileLines(a, label, ctx);
      if (a.transcription) text += `  Transcription: “${a.transcription}”\n`;
      break;
    }
    case 'app':
      text = balloonLines(part.app).map((line) => `${line}\n`).join('');
      if (part.app.type === 'handwriting' && part.app.drawing) text += handwritingArt(part.app.drawing);
      for (const a of part.attachments) text += `  ${fileLines(a, 'Attachment', ctx)}`;
      break;
    case 'unsent':
      text = `[This part of the message was unsent${part.unsentAt ? ` at ${dates.dateTime(part.unsentAt)}` : ''}]\n${edits(part, dates)}`;
      break;
  }
  if (part.tapbacks.length > 0) text += `  ${describeTapbacks(part.tapbacks, (d) => dates.dayKey(d))}\n`;
  return text;
}

/** A handwritten message drawn in `*`, indented, small enough for an 80-column terminal. */
function handwritingArt(drawing: Drawing): string {
  return handwritingLines(drawing, ART_ROWS, ART_COLUMNS).map((line) => `  ${line}\n`).join('');
}

/** A file's line, and a Live Photo's movie's on the line after its still's. */
function fileLines(a: Attachment, label: string, ctx: ExportContext): string {
  const { outDir } = ctx;
  const line = `${attachmentLine(a, label, outDir)}\n${a.replaced ? laterVersions(a, a.replaced, ctx) : ''}`;
  return a.livePhoto ? `${line}  ${attachmentLine(a.livePhoto, 'Live Photo, its movie', outDir)}\n` : line;
}

/** What the device's file held after the archive copied it: a line saying so, then each later version where it is. */
function laterVersions(a: Attachment, replaced: ReplacedFile, { outDir, dates }: ExportContext): string {
  const day = (d: Date) => dates.dayKey(d);
  const versions = replaced.later.map((v) => `      ${laterVersionLabel(v, day)} — ${whereIs({ ...a, path: v.path }, outDir)}\n`);
  return `  ⚠ ${replacedNote(replaced, day)}:\n${versions.join('')}`;
}

function attachmentLine(a: Attachment, label: string, outDir: string): string {
  return a.notInDatabase ? `[${NOT_IN_DATABASE}]` : `[${label}: ${describeAttachment(a)} — ${whereIs(a, outDir)}]`;
}

/**
 * Where the file is: in this archive folder (a relative path), elsewhere on this computer, or for a copy
 * decrypted only for this export, where the backup keeps it.
 */
function whereIs(a: Attachment, outDir: string): string {
  if (a.withheld) return a.withheld;
  if (a.missing) return `missing — ${notFound(a)}${a.path && !a.transient ? ` (expected at ${a.path})` : ''}`;
  if (a.transient) return inBackup(a);
  const own = archivePath(outDir, a.path!);
  return own ? `in this archive as ${own}` : a.path!;
}

/** A part's earlier versions: an edited one's under "Edited", else the text a part had when unsent (see `wasEdited`). */
function edits(part: TextPart | UnsentPart, dates: DateFormatter): string {
  if (!part.edits) return '';
  const lines = part.edits.map((v) => `      ${dates.dateTime(v.date)}: “${v.text}”\n`).join('');
  if (!wasEdited(part)) return `  Text before it was unsent:\n${lines}`;
  return `  ✎ Edited${part.editedAt ? ` ${dates.dateTime(part.editedAt)}` : ''}. Earlier versions:\n${lines}`;
}
