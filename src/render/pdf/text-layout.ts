import bidiFactory, { type Bidi } from 'bidi-js';
import { findEmoji } from '../../fonts/emoji.js';
import type { FontChain } from '../../fonts/fonts.js';
import { webLinks, type WebLink } from '../web-links.js';
import { controlPicture, isControl } from '../control-pictures.js';
import { shapedRightToLeft } from './glyph-runs.js';

// bidi-js's module.exports is the factory itself; its typings describe an ES default export.
const bidi = (bidiFactory as unknown as () => Bidi)();

/** Width of `text` drawn in a registered face at a size, in points. */
export type Measure = (face: string, size: number, text: string) => number;

/**
 * A piece of a line in one face, or one emoji (its images side by side); `link` is the URL of the web
 * address it is part of. `actual` is the character a placeholder (U+FFFD) stands for, which no face has,
 * or the one its compatibility form (Ⅿ for M) is drawn for.
 */
export type Run =
  | ({ kind: 'text'; face: string; text: string; width: number; link?: string; actual?: string } & Decoration)
  | ({ kind: 'emoji'; codes: string[]; text: string; width: number; link?: string } & Decoration);

/** Lines drawn with a run: struck through, underlined (the sender's formatting). */
export interface Decoration {
  strike?: boolean;
  underline?: boolean;
}

/** A stretch of a text to draw struck through or underlined, in UTF-16 offsets of the whole text. */
export interface TextMark extends Decoration {
  start: number;
  end: number;
}

/** One laid-out line, its runs in visual order (left to right). */
export interface TextLine {
  runs: Run[];
  width: number;
  /** The paragraph reads right to left: align the line to the right. */
  rtl: boolean;
  /**
   * The line's text as typed, when its glyphs are not drawn in that order (right-to-left runs, scripts
   * whose shaping reorders vowel signs): text extraction, search and copy should get this instead.
   */
  logical?: string;
}

interface LaidOut {
  lines: TextLine[];
  faces: string[];
}

interface Piece {
  kind: 'text' | 'space' | 'emoji';
  text: string;
  face: number;
  level: number;
  /** Ideographs, kana and hangul: a line may break on either side. */
  wide: boolean;
  width: number;
  codes?: string[];
  link?: WebLink;
  mark?: TextMark;
  /** A placeholder's character (see Run). */
  actual?: string;
}

// Scripts whose glyphs may be drawn out of typing order: right to left, and Brahmic scripts (Devanagari to Sinhala, Thai, Lao, Myanmar, Khmer);
// and combining marks, which poppler takes apart from their letter when they are drawn over it (naï ve), as
// Noto Sans draws some letters of Latin Extended Additional (the ọ of Vietnamese học, ṃ) and ǹ, and loses the mark.
const REORDERED = /[\u01f9\u1e00-\u1eff\u0300-\u036f\u0590-\u08ff\u0900-\u0dff\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufb1d-\ufdff\ufe20-\ufe2f\ufe70-\ufeff]|[\ud802\ud803\ud83a\ud83b]/;
// Characters of right-to-left scripts, and the explicit bidi controls that can make text right to left.
const ANY_RTL = /[\u0590-\u08ff\u200f\u202b\u202e\u2067\ufb1d-\ufdff\ufe70-\ufeff]|[\ud802\ud803\ud83a\ud83b]/;
const WIDE = /[\u1100-\u11ff\u2e80-\ua4cf\uac00-\ud7af\uf900-\ufaff\uff00-\uff60]|[\ud840-\ud87f][\udc00-\udfff]/;
const SPACE = /\s/;
const STRONG_RTL_TYPES = new Set(['R', 'AL']);
// What ends a right-to-left stretch for poppler: a left-to-right letter, or a digit and what goes with numbers (+ - , . / : # $ %).
const ENDS_RTL_TYPES = new Set(['L', 'EN', 'AN', 'ES', 'CS', 'ET']);
const LRM = '\u200e';
const RLM = '\u200f';
// Digits, punctuation and spaces stay in the face of the text around them; spaces but U+0020 (no-break,
// thin) go to the first face that has them, as Noto Sans Sinhala's no-break space cannot be read.
const KEEPS_FACE = /[^\p{L}\p{Zs}]| /u;
const EMOJI_PRESENTATION = /\p{Emoji_Presentation}/u;
// Format and control characters and marks no face has; U+FFFC stands where an attachment sat in the text.
const INVISIBLE = /^[\p{Cf}\p{Mn}\p{Cc}]$/u;
// Isolates steer the bidi resolution alone: drawn, their zero-width glyphs would be copied with the text around them.
const ISOLATE_MARK = /^[\u2066-\u2069]$/;
const ISOLATE_MARKS = /[\u2066-\u2069]/g;
const FIRST_STRONG_ISOLATE = '\u2068';
const POP_DIRECTIONAL_ISOLATE = '\u2069';
const OBJECT_REPLACEMENT = '\ufffc';
const PLACEHOLDER = '\ufffd';
export const EMOJI_SCALE = 1.1;
/**
 * Texts whose lines are remembered (all forgotten when there are more), up to REMEMBERED_LENGTH characters long. Page
 * headers and footers, times, names and short replies recur: of a 20k thread's 58,134 texts laid out, 27,370 were
 * distinct (its generated messages repeat as well); of those longer than 64 characters, 1,738 and 1,578. A page lays
 * out a few dozen texts, so its frame's are still remembered on the next. Remembering 2,000 texts of any length
 * raised the thread's peak RSS 216 -> 236 MB (medians of 3).
 */
const REMEMBERED = 200;
const REMEMBERED_LENGTH = 64;

/**
 * Lays out plain text into lines: per-character font fallback, emoji as images,
 * line breaking at spaces and between ideographs (long words break anywhere),
 * and bidi reordering so Hebrew and Arabic read in the right order.
 */
export class TextLayout {
  /** Characters no bundled face can draw, shown as U+FFFD. */
  readonly missing = new Set<string>();
  /** Words the bundled fonts failed to shape (a font's fault), each shown as U+FFFD. */
  readonly unshaped = new Set<string>();
  private readonly remembered = new Map<string, LaidOut>();

  constructor(
    private readonly chain: FontChain,
    private readonly measure: Measure,
  ) {}

  /** Registered names of the faces, in fallback order. */
  get faceNames(): string[] {
    return this.chain.faces.map((face) => face.name);
  }

  /**
   * The text's lines; `marks` (sorted, not overlapping) are drawn struck through or underlined. A text laid out
   * before at the same size and width is not laid out again (see REMEMBERED); its lines are shared, never changed.
   */
  lines(text: string, size: number, maxWidth: number, marks: TextMark[] = []): TextLine[] {
    if (marks.length > 0 || text.length > REMEMBERED_LENGTH) return this.layOut(text, size, maxWidth, marks).lines;
    const key = `${size} ${maxWidth} ${text}`;
    let laidOut = this.remembered.get(key);
    if (laidOut) {
      // Measuring lists a face among the current page's fonts: the page lists what measuring the text would have.
      for (const face of laidOut.faces) this.measure(face, size, '');
      return laidOut.lines;
    }
    laidOut = this.layOut(text, size, maxWidth, marks);
    if (this.remembered.size >= REMEMBERED) this.remembered.clear();
    this.remembered.set(key, laidOut);
    return laidOut.lines;
  }

  /** The text's lines, and the faces its pieces were measured in, in the order first measured. */
  private layOut(text: string, size: number, maxWidth: number, marks: TextMark[]): LaidOut {
    const lines: TextLine[] = [];
    const faces = new Set<string>();
    const breaks = /\r\n|[\r\n\u2028\u2029]/g;
    for (let start = 0; start <= text.length;) {
      const found = breaks.exec(text);
      const end = found ? found.index : text.length;
      const paragraph = text.slice(start, end);
      const { levels, rtl } = embeddingLevels(paragraph);
      const pieces = this.pieces(paragraph, levels, size, marks.length ? marksWithin(marks, start, end) : marks);
      for (const piece of pieces) if (piece.kind !== 'emoji') faces.add(this.chain.faces[piece.face].name);
      for (const line of breakLines(pieces, maxWidth, (p) => this.splitPiece(p, size))) {
        lines.push(this.visualLine(line, rtl));
      }
      if (!found) break;
      start = end + found[0].length;
    }
    return { lines, faces: [...faces] };
  }

  /** Cuts a paragraph into pieces that share one face, one bidi level, one kind and one web address (or none). */
  private pieces(paragraph: string, levels: Uint8Array, size: number, marks: TextMark[]): Piece[] {
    const pieces: Piece[] = [];
    const emoji = findEmoji(paragraph).filter((match) => !this.drawnAsText(paragraph.slice(match.start, match.end)));
    const links = new RangeCursor(webLinks(paragraph));
    const decorations = new RangeCursor(marks);
    let nextEmoji = 0;
    let current: Piece | undefined;
    for (let i = 0; i < paragraph.length; ) {
      const match = emoji[nextEmoji];
      const link = links.at(i);
      const mark = decorations.at(i);
      if (match && match.start === i) {
        const width = size * EMOJI_SCALE * match.codes.length;
        current = { kind: 'emoji', text: paragraph.slice(i, match.end), codes: match.codes, face: 0, level: levels[i], wide: true, width, link, mark };
        pieces.push(current);
        nextEmoji++;
        i = match.end;
        continue;
      }
      if (current?.kind === 'text' && !current.actual && current.face === 0 && !current.wide && current.link === link && current.mark === mark && this.chain.asciiInFirstFace()) {
        const stretchEnd = Math.min(match?.start ?? paragraph.length, links.boundaryAfter(i), decorations.boundaryAfter(i));
        const end = this.plainAscii(paragraph, levels, i, stretchEnd, current.level);
        if (end > i) {
          current.text += paragraph.slice(i, end);
          i = end;
          continue;
        }
      }
      const original = String.fromCodePoint(paragraph.codePointAt(i)!);
      if (isControl(original)) {
        pieces.push(this.controlPicture(original, levels[i], link, mark));
        // What follows takes its own face, not the picture's.
        current = undefined;
        i++;
        continue;
      }
      const char = this.drawable(original);
      if (char === '') {
        i += original.length;
        continue;
      }
      if (char === null) {
        pieces.push((current = { ...this.placeholder(original, levels[i], link), mark }));
        i += original.length;
        continue;
      }
      const codePoint = char.codePointAt(0)!;
      const kind = SPACE.test(char) ? 'space' : 'text';
      const wide = WIDE.test(char);
      const face =
        current && current.kind !== 'emoji' && KEEPS_FACE.test(char) && this.chain.covers(current.face, codePoint)
          ? current.face
          : Math.max(0, this.chain.faceIndexFor(codePoint));
      // A character drawn as its compatibility form (Ⅿ as M) still copies and searches as itself.
      const actual = char !== original && kind === 'text' ? original : undefined;
      if (!actual && current && current.kind === kind && !current.actual && current.face === face && current.level === levels[i] && current.link === link && current.mark === mark && !wide && !current.wide) {
        current.text += char;
      } else {
        current = { kind, text: char, face, level: levels[i], wide, width: 0, link, mark, actual };
        pieces.push(current);
      }
      i += original.length;
    }
    for (const piece of pieces) if (piece.kind !== 'emoji') piece.width = this.shapedWidth(piece, size);
    return pieces;
  }

  /**
   * Where a stretch of printable ASCII other than the space ends, from `start`, before `end`, at this bidi
   * level: such characters go on a text piece of the first face, which draws them (the faster path of `pieces`).
   */
  private plainAscii(paragraph: string, levels: Uint8Array, start: number, end: number, level: number): number {
    let i = start;
    while (i < end) {
      const code = paragraph.charCodeAt(i);
      if (code < 0x21 || code > 0x7e || levels[i] !== level) break;
      i++;
    }
    return i;
  }

  /**
   * Nothing for an isolate mark (see ISOLATE_MARK); the character itself when a bundled face has it; else its compatibility form (Ⅿ → M) when that
   * can be drawn; a plain space for other spaces; nothing for invisible controls and marks; else null (it
   * is drawn as PLACEHOLDER), remembered in `missing` so the export can say so.
   */
  private drawable(char: string): string | null {
    if (char === OBJECT_REPLACEMENT || ISOLATE_MARK.test(char)) return '';
    if (this.chain.faceIndexFor(char.codePointAt(0)!) >= 0) return char;
    if (SPACE.test(char)) return ' ';
    const compatible = char.normalize('NFKC');
    if (compatible !== char && Array.from(compatible).every((c) => this.chain.faceIndexFor(c.codePointAt(0)!) >= 0)) return compatible;
    if (INVISIBLE.test(char)) return '';
    this.missing.add(char);
    return null;
  }

  /** A control character drawn as its picture (ESC → ␛), as txt shows it, in a piece of its own. */
  private controlPicture(control: string, level: number, link: WebLink | undefined, mark: TextMark | undefined): Piece {
    const text = controlPicture(control);
    return { kind: 'text', text, face: Math.max(0, this.chain.faceIndexFor(text.codePointAt(0)!)), level, wide: false, width: 0, link, mark };
  }

  /** U+FFFD standing for a character no face has, in a piece of its own that keeps that character. */
  private placeholder(original: string, level: number, link: WebLink | undefined): Piece {
    // The first face draws its .notdef box when it lacks U+FFFD: visible either way.
    const face = Math.max(0, this.chain.faceIndexFor(PLACEHOLDER.codePointAt(0)!));
    return { kind: 'text', text: PLACEHOLDER, actual: original, face, level, wide: WIDE.test(original), width: 0, link };
  }

  /** Symbols such as © or ↩ without VS16 are text by default; they stay text when a script's face has them. */
  private drawnAsText(emoji: string): boolean {
    const codePoint = emoji.codePointAt(0)!;
    const face = this.chain.faceIndexFor(codePoint);
    return String.fromCodePoint(codePoint) === emoji && !EMOJI_PRESENTATION.test(emoji) && face >= 0 && !this.chain.isLastResort(face);
  }

  private width(piece: Piece, size: number): number {
    return this.measure(this.chain.faces[piece.face].name, size, piece.text);
  }

  /** The piece's width; a piece its face fails to shape becomes the placeholder, standing for its text. */
  private shapedWidth(piece: Piece, size: number): number {
    try {
      return this.width(piece, size);
    } catch {
      const original = piece.actual ?? piece.text;
      this.unshaped.add(original);
      Object.assign(piece, this.placeholder(original, piece.level, piece.link));
      return this.width(piece, size);
    }
  }

  /** A word too wide for any line, cut into single characters. */
  private splitPiece(piece: Piece, size: number): Piece[] {
    if (piece.kind === 'emoji' || piece.actual) return [piece];
    return Array.from(piece.text, (char) => {
      const part = { ...piece, text: char, wide: true };
      part.width = this.shapedWidth(part, size);
      return part;
    });
  }

  private visualLine(pieces: Piece[], rtl: boolean): TextLine {
    const typed = pieces.map((piece) => piece.actual ?? piece.text).join('');
    const logical = ANY_RTL.test(typed) ? forExtraction(typed) : REORDERED.test(typed) ? typed : undefined;
    const ordered = reorder(pieces);
    const runs: Run[] = [];
    let width = 0;
    let last: Run | undefined;
    let lastMergeable = false;
    let lastLink: WebLink | undefined;
    let lastMark: TextMark | undefined;
    for (const piece of ordered) {
      width += piece.width;
      const link = piece.link?.target;
      const decoration = piece.mark && { strike: piece.mark.strike, underline: piece.mark.underline };
      if (piece.kind === 'emoji') {
        last = { kind: 'emoji', codes: piece.codes!, text: piece.text, width: piece.width, link, ...decoration };
        runs.push(last);
        lastMergeable = false;
        continue;
      }
      // Words with Hebrew or Arabic letters come out of shaping in visual order; anything else in a right-to-left
      // level is put in that order here. Brackets in a right-to-left level are mirrored here, as fontkit does not.
      const shapedRtl = shapedRightToLeft(piece.text);
      const drawn = (char: string) => this.chain.covers(piece.face, char.codePointAt(0)!);
      const text = piece.level % 2 === 1 ? mirrored(shapedRtl ? piece.text : reversed(piece.text), drawn) : piece.text;
      const face = this.chain.faces[piece.face].name;
      // pdfkit shapes space-separated words one by one, so only left-to-right text may share a run.
      if (last?.kind === 'text' && lastMergeable && !shapedRtl && !piece.actual && last.face === face && lastLink === piece.link && lastMark === piece.mark) {
        last.text += text;
        last.width += piece.width;
      } else {
        last = { kind: 'text', face, text, width: piece.width, link, actual: piece.actual, ...decoration };
        runs.push(last);
      }
      lastMergeable = !shapedRtl && !piece.actual;
      lastLink = piece.link;
      lastMark = piece.mark;
    }
    return { runs, width, rtl, logical };
  }
}

/**
 * Text a person chose (a name, a group's title) put into a line the export writes, isolated from the line's bidi
 * resolution as HTML's <bdi> isolates it: a right-to-left name keeps the phone number, punctuation and time after it
 * out of its own direction, and does not make the line right to left. The isolate marks are neither drawn nor copied.
 */
export function isolated(text: string): string {
  return `${FIRST_STRONG_ISOLATE}${text}${POP_DIRECTIONAL_ISOLATE}`;
}

/** Text without the marks `isolated` put in it, for where it is not laid out (the document's metadata). */
export function withoutIsolates(text: string): string {
  return text.replace(ISOLATE_MARKS, '');
}

/** The range (a web address, a mark), if any, at each position of a paragraph, asked for in increasing order. */
class RangeCursor<T extends { start: number; end: number }> {
  private next = 0;

  constructor(private readonly links: T[]) {}

  at(i: number): T | undefined {
    while (this.links[this.next] && this.links[this.next]!.end <= i) this.next++;
    const link = this.links[this.next];
    return link && link.start <= i ? link : undefined;
  }

  /** Where the stretch holding position i (in a link or between links) ends; call `at(i)` first. */
  boundaryAfter(i: number): number {
    const link = this.links[this.next];
    return !link ? Infinity : link.start <= i ? link.end : link.start;
  }
}

/** Runs side by side in a line that are part of one web address, or of none, in visual order. */
export function linkStretches(runs: Run[]): Run[][] {
  const stretches: Run[][] = [];
  for (const [i, run] of runs.entries()) {
    if (i > 0 && run.link === runs[i - 1]!.link) stretches.at(-1)!.push(run);
    else stretches.push([run]);
  }
  return stretches;
}

/** The marks over [start, end) of a text, in offsets from `start`. */
function marksWithin(marks: TextMark[], start: number, end: number): TextMark[] {
  return marks.filter((m) => m.end > start && m.start < end).map((m) => ({ ...m, start: Math.max(m.start, start) - start, end: Math.min(m.end, end) - start }));
}

/**
 * What text extraction should be handed for a line with right-to-left text so that it reads it back as
 * typed. pdftotext and other poppler-based tools take the text as placed left to right and reverse each
 * stretch that starts at a right-to-left letter and runs to the next left-to-right letter, digit or number
 * sign (spaces, brackets, other punctuation and marks included); so each stretch of right-to-left text is
 * handed over reversed, and they turn it back.
 */
function forExtraction(typed: string): string {
  const chars = Array.from(typed);
  const types = chars.map((char) => bidi.getBidiCharTypeName(char));
  let result = '';
  for (let i = 0; i < chars.length; ) {
    if (!STRONG_RTL_TYPES.has(types[i]!)) {
      result += chars[i++];
      continue;
    }
    // The stretch ends at its last right-to-left letter or the marks on it; what follows stays in place.
    let end = i;
    for (let j = i + 1; j < chars.length && !ENDS_RTL_TYPES.has(types[j]!); j++) {
      if (STRONG_RTL_TYPES.has(types[j]!) || (types[j] === 'NSM' && end === j - 1)) end = j;
    }
    // A reversed stretch that starts with a mark would leave the mark out of it; a right-to-left mark opens it.
    if (types[end] === 'NSM') result += RLM;
    result += chars.slice(i, end + 1).reverse().join('');
    i = end + 1;
    // Anything that does not end a stretch would be taken into it; a left-to-right mark keeps it apart.
    if (i < chars.length && !ENDS_RTL_TYPES.has(types[i]!)) result += LRM;
  }
  return result;
}

/** Bidi levels per UTF-16 unit; text without right-to-left characters is all level 0. */
function embeddingLevels(paragraph: string): { levels: Uint8Array; rtl: boolean } {
  if (!ANY_RTL.test(paragraph)) return { levels: new Uint8Array(paragraph.length), rtl: false };
  const { levels, paragraphs } = bidi.getEmbeddingLevels(paragraph);
  return { levels, rtl: (paragraphs[0]?.level ?? 0) % 2 === 1 };
}

/** Greedy line filling over unbreakable words; trailing spaces do not count. */
function breakLines(pieces: Piece[], maxWidth: number, split: (piece: Piece) => Piece[]): Piece[][] {
  const lines: Piece[][] = [];
  let line: Piece[] = [];
  let lineWidth = 0;
  const flush = () => {
    while (line.length && line[line.length - 1].kind === 'space') line.pop();
    lines.push(line);
    line = [];
    lineWidth = 0;
  };
  const add = (piece: Piece) => {
    if (piece.kind === 'space' && line.length === 0 && lines.length > 0) return;
    line.push(piece);
    lineWidth += piece.width;
  };
  for (const word of words(pieces)) {
    const inked = word.reduce((sum, p) => sum + (p.kind === 'space' ? 0 : p.width), 0);
    if (line.length && lineWidth + inked > maxWidth) flush();
    if (inked <= maxWidth) {
      word.forEach(add);
      continue;
    }
    for (const part of word.flatMap(split)) {
      if (line.length && part.kind !== 'space' && lineWidth + part.width > maxWidth) flush();
      add(part);
    }
  }
  if (line.length || lines.length === 0) flush();
  return lines;
}

/** Groups pieces into words: the pieces between break opportunities, with their trailing spaces. */
function words(pieces: Piece[]): Piece[][] {
  const result: Piece[][] = [];
  let word: Piece[] = [];
  pieces.forEach((piece, i) => {
    const previous = pieces[i - 1];
    const breakBefore = previous && piece.kind !== 'space' && (previous.kind === 'space' || piece.wide || previous.wide);
    if (breakBefore && word.length) {
      result.push(word);
      word = [];
    }
    word.push(piece);
  });
  if (word.length) result.push(word);
  return result;
}

/** Unicode bidi rule L2: reverse every run at or above each odd level, highest first. */
function reorder(pieces: Piece[]): Piece[] {
  const result = [...pieces];
  const levels = result.map((p) => p.level);
  const highest = Math.max(0, ...levels);
  const lowestOdd = Math.min(...levels.filter((l) => l % 2 === 1));
  for (let level = highest; level >= lowestOdd; level--) {
    for (let i = 0; i < result.length; i++) {
      if (result[i].level < level) continue;
      let end = i;
      while (end + 1 < result.length && result[end + 1].level >= level) end++;
      const reversed = result.slice(i, end + 1).reverse();
      result.splice(i, reversed.length, ...reversed);
      i = end;
    }
  }
  return result;
}

const reversed = (text: string): string => Array.from(text).reverse().join('');

/** Text with each character that has a mirror image the face draws (`drawn`) replaced by it. */
function mirrored(text: string, drawn: (char: string) => boolean): string {
  return Array.from(text)
    .map((char) => {
      const mirror = bidi.getMirroredCharacter(char);
      return mirror && drawn(mirror) ? mirror : char;
    })
    .join('');
}
