import type { Message, Part, TextPart } from '../../model/types.js';

/** Text laid out at once: a part longer than this is drawn as several bubbles, one after the other. */
const PIECE_CHARS = 4000;
/** Combining marks kept on one character; no script needs more, and each one is a glyph to place. */
const MAX_MARKS = 32;
const MARK_RUN = new RegExp(`(\\p{M}{${MAX_MARKS}})\\p{M}+`, 'gu');
const HAS_MARK_RUN = new RegExp(MARK_RUN.source, 'u');

/** A message to lay out: a whole one, or one piece of a message cut for length. */
export interface Piece {
  message: Message;
  /** It goes on from the piece before: part of the same message, not a new one. */
  continued: boolean;
  /** The message goes on in the next piece. */
  continues: boolean;
}

/**
 * The messages, with enormous ones cut into a series of pieces of bounded text (the first keeping the
 * reply and subject, the last the reactions and problems), and pathological runs of combining marks
 * capped with a note: laying out a message holds all its lines, so one message of a million characters
 * would otherwise need memory in proportion.
 */
export function* inPieces(messages: Iterable<Message>): Generator<Piece> {
  for (const message of messages) {
    const capped = capMarks(message);
    if (!capped.parts.some((part) => part.kind === 'text' && part.text.length > PIECE_CHARS)) yield { message: capped, continued: false, continues: false };
    else yield* cut(capped);
  }
}

function capMarks(message: Message): Message {
  let dropped = 0;
  const parts = message.parts.map((part): Part => {
    if (part.kind !== 'text' || !HAS_MARK_RUN.test(part.text)) return part;
    const text = part.text.replace(MARK_RUN, '$1');
    dropped += part.text.length - text.length;
    return { ...part, text, spans: [] };
  });
  if (dropped === 0) return message;
  return { ...message, parts, problems: [...message.problems, `${dropped.toLocaleString('en-US')} combining marks stacked beyond ${MAX_MARKS} on one character are left out of the PDF.`] };
}

function* cut(message: Message): Generator<Piece> {
  let pending: Part[] = [];
  let first = true;
  const emit = (parts: Part[], last = false): Piece => {
    const piece: Piece = {
      message: { ...message, parts, ...(first ? {} : { replyTo: undefined, subject: undefined }), problems: last ? message.problems : [] },
      continued: !first,
      continues: !last,
    };
    first = false;
    return piece;
  };
  for (const part of message.parts) {
    if (part.kind !== 'text' || part.text.length <= PIECE_CHARS) {
      pending.push(part);
      continue;
    }
    const slices = slicesOf(part);
    for (const [i, slice] of slices.entries()) {
      pending.push(slice);
      if (i < slices.length - 1) {
        yield emit(pending);
        pending = [];
      }
    }
  }
  yield emit(pending, true);
}

/** A text part as consecutive parts of at most PIECE_CHARS, cut at a line break or space where there is one near. */
function slicesOf(part: TextPart): TextPart[] {
  const slices: TextPart[] = [];
  for (let start = 0; start < part.text.length;) {
    const end = cutPoint(part.text, start);
    const last = end >= part.text.length;
    // The line breaks a cut falls after would end the piece's bubble in empty lines: the cut itself breaks the line.
    const drawn = last ? end : start + trimmedEnd(part.text.slice(start, end));
    slices.push({
      ...part,
      text: part.text.slice(start, drawn),
      spans: part.spans.filter((s) => s.end > start && s.start < drawn).map((s) => ({ ...s, start: Math.max(s.start, start) - start, end: Math.min(s.end, drawn) - start })),
      tapbacks: last ? part.tapbacks : [],
      edits: last ? part.edits : undefined,
    });
    start = end;
  }
  return slices;
}

/** The length of `text` without the line breaks it ends in; all of it when it is nothing else. */
function trimmedEnd(text: string): number {
  return text.replace(/[\r\n\u2028\u2029]+$/, '').length || text.length;
}

function cutPoint(text: string, start: number): number {
  const limit = start + PIECE_CHARS;
  if (limit >= text.length) return text.length;
  const window = text.slice(limit - PIECE_CHARS / 4, limit);
  const newline = window.lastIndexOf('\n');
  const space = window.lastIndexOf(' ');
  const at = newline >= 0 ? newline : space;
  if (at >= 0) return limit - PIECE_CHARS / 4 + at + 1;
  // No break near: cut between characters, never inside a surrogate pair or before a combining mark.
  let end = limit;
  while (end > start + 1 && (/[\uDC00-\uDFFF]/.test(text[end]!) || /\p{M}/u.test(text[end]!))) end--;
  return end;
}
