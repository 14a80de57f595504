import { filesOf } from '../../model/attachments.js';
import type { Message } from '../../model/types.js';
import type { DateFormatter } from '../dates.js';
import { livePhotoNote, missingShort, NOT_IN_DATABASE, receiptNotes, replacedLine, undeliveredNote } from '../describe.js';
import { drawLine, layLines, textBox, type Styled, type StyledLine } from './blocks.js';
import type { Canvas } from './canvas.js';
import type { Column } from './chat-layout.js';
import { drawingBlock } from './drawing.js';
import type { Piece } from './long-messages.js';
import { appLines, archiveNotes, attachmentDetails, eventLine, messageNotes, replyLine, tapbackSummary, textMarks } from './describe.js';
import type { Outline } from './outline.js';
import type { Block } from './paginator.js';
import { tag, type Tag } from './tagging.js';
import { isolated } from './text-layout.js';
import { COLORS, lineHeight, TYPE } from './theme.js';

const GAP = 8;
const HEADINGS = ['Date and time', 'Sender', 'Message', 'Attachments'];

/** Turns messages into table rows: date and time, sender, message, attachments. */
export class TranscriptLayout {
  readonly pageTop = lineHeight(TYPE.table) + 6;
  private readonly columns: Column[];
  private lastDay?: string;
  /** The day's section, and the message's element (a long message's pieces share one). */
  private section?: Tag;
  private group?: Tag;
  /** A date's day in the export's time zone, for notes that date what an archive kept. */
  private readonly day = (date: Date) => this.dates.dayKey(date);

  constructor(
    private readonly canvas: Canvas,
    private readonly dates: DateFormatter,
    private readonly outline: Outline,
    private readonly column: Column,
  ) {
    const width = column.right - column.left;
    const fixed = [62, 92, 0, 118];
    const message = width - fixed.reduce((a, b) => a + b) - GAP * (fixed.length - 1);
    let left = column.left;
    this.columns = fixed.map((w) => {
      const right = left + (w || message);
      const cell = { left, right };
      left = right + GAP;
      return cell;
    });
  }

  /** The column headings, repeated on every page. */
  async drawPageTop(top: number): Promise<void> {
    for (const [i, heading] of HEADINGS.entries()) {
      const [line] = layLines(this.canvas, [{ text: heading, size: TYPE.table, color: COLORS.text, bold: true }], this.width(i));
      await this.drawCell(line, i, top);
    }
    this.canvas.rule(this.column.left, top + this.pageTop - 3, this.column.right, COLORS.muted, 0.8);
  }

  async blocks({ message, continued, continues }: Piece): Promise<Block[]> {
    const blocks: Block[] = [];
    const day = this.dates.dayKey(message.date);
    if (day !== this.lastDay) {
      this.lastDay = day;
      this.section = tag('Sect');
      const band = this.dayBand(message.date, this.section);
      const draw = band[0].draw;
      band[0].draw = (top) => {
        this.outline.mark(message.date);
        return draw?.(top);
      };
      blocks.push(...band);
    }
    const sender = message.kind === 'event' ? '' : message.sender.name;
    // A piece going on from the one before continues its row: no rule, no date and sender again.
    if (!continued) this.group = tag('Div', this.section);
    const group = this.group!;
    // An event has no sender: no empty paragraph stands for one.
    const heading = continued ? [[], []] : [this.whenCell(message), sender ? [this.bold(sender)] : []];
    const rows = this.rows([...heading, this.messageCell(message, !continues), this.attachmentCell(message)], !continued, group);
    // Handwriting and Digital Touch are drawn below their row, in the message column.
    const messageColumn = { ...this.columns[2]!, align: 'left' };
    for (const part of message.parts) {
      if (part.kind === 'app' && part.app.drawing) rows.push(drawingBlock(this.canvas, part.app.drawing, messageColumn, tag('Figure', group, appLines(part.app)[0])));
    }
    const continuedRow = () => [...this.dayBand(message.date, undefined), ...this.besideNext(this.rows([[this.plain(this.dates.time(message.date))], [this.bold(`${sender} (cont.)`.trim())]]))];
    for (const row of rows) row.context = continuedRow;
    if (!continued) rows[0]!.context = () => this.dayBand(message.date, undefined);
    return [...blocks, ...rows];
  }

  /** Lines whose last is drawn beside the line after them, not above it: a continued row's time and sender beside its text. */
  private besideNext(lines: Block[]): Block[] {
    lines.at(-1)!.height = 0;
    return lines;
  }

  /**
   * One block per line of a table row whose cells hold these paragraphs, each cell a paragraph of `group` (none: the
   * row restates what a page starts in, an artifact); a row that opens draws a rule above itself.
   */
  private rows(cellContents: Styled[][], opens = true, group?: Tag): Block[] {
    const tagged = (content: Styled[]) => {
      if (!group) return content;
      const cell = tag('P', group);
      return content.map((styled) => ({ ...styled, tag: cell }));
    };
    const cells = cellContents.map((content, i) => layLines(this.canvas, tagged(content), this.width(i)));
    const count = Math.max(...cells.map((c) => c.length));
    return Array.from({ length: count }, (_, row) => {
      const line = cells.map((c) => c[row]);
      return {
        height: Math.max(...line.map((l) => (l ? lineHeight(l.styled.size) : 0))),
        spaceBefore: row === 0 && opens ? 5 : 0,
        // The date, time and receipts of a long row stay on one page.
        keepWithNext: row < cells[0]!.length - 1,
        draw: async (top: number) => {
          if (row === 0 && opens) this.canvas.rule(this.column.left, top - 2.5, this.column.right, COLORS.faint);
          for (const [i, cellLine] of line.entries()) if (cellLine) await this.drawCell(cellLine, i, top);
        },
      };
    });
  }

  /**
   * The date and time, and under them when the message was delivered, read or played, small; that it did not go
   * out in the alert colour, as in the chat style.
   */
  private whenCell(message: Message): Styled[] {
    const receipts = receiptNotes(message, this.dates.dayKey(message.date), this.dates);
    const alert = message.undelivered && undeliveredNote(message.undelivered);
    const when = this.plain(this.dates.dateTime(message.date).replace(' ', '\n'));
    return [when, ...receipts.map((note) => ({ ...this.muted(note), size: TYPE.small, ...(note === alert ? { color: COLORS.alert } : {}) }))];
  }

  /** The day as the heading of its section; restated at a page's top (no section), "(continued)", an artifact. */
  private dayBand(date: Date, section: Tag | undefined): Block[] {
    const text = `${this.dates.day(date)}${section ? '' : ' (continued)'}`;
    return textBox(this.canvas, [{ ...this.bold(text), tag: section && tag('H2', section) }], {
      ...this.column, align: 'left', maxWidth: this.column.right - this.column.left, minWidth: this.column.right - this.column.left,
      fill: COLORS.band, padX: 4, padY: 2, spaceBefore: 8, keepWithNext: true,
    });
  }

  private drawCell(line: StyledLine, column: number, top: number): Promise<void> {
    return drawLine(this.canvas, line, this.columns[column].left, top, this.width(column));
  }

  private width(column: number): number {
    return this.columns[column].right - this.columns[column].left;
  }

  private plain(text: string): Styled {
    return { text, size: TYPE.table, color: COLORS.text };
  }

  private bold(text: string): Styled {
    return { ...this.plain(text), bold: true };
  }

  private muted(text: string): Styled {
    return { text, size: TYPE.table, color: COLORS.muted };
  }

  /** The message column's paragraphs; the notes (edited, effect, …) only where the message ends. */
  private messageCell(message: Message, ends: boolean): Styled[] {
    if (message.kind === 'event') return [this.muted(eventLine(message)), ...archiveNotes(message, this.dates).map((note) => this.muted(`(${note})`))];
    const content: Styled[] = [];
    if (message.replyTo) content.push(this.muted(replyLine(message.replyTo)));
    if (message.subject) content.push({ ...this.plain(message.subject), bold: true });
    for (const part of message.parts) {
      if (part.kind === 'text') {
        content.push({ ...this.plain(part.text), marks: textMarks(part.spans) });
        for (const edit of part.edits ?? []) content.push(this.muted(`Earlier version (${this.dates.dateTime(edit.date)}): ${isolated(edit.text)}`));
      } else if (part.kind === 'unsent') {
        content.push(this.muted(part.unsentAt ? `[Unsent ${this.dates.dateTime(part.unsentAt)}]` : '[Unsent message]'));
        for (const edit of part.edits ?? []) content.push(this.muted(`Before it was unsent (${this.dates.dateTime(edit.date)}): ${isolated(edit.text)}`));
      } else if (part.kind === 'app') {
        content.push(this.plain(appLines(part.app).join('\n')));
      }
      if (part.tapbacks.length) content.push(this.muted(`Reactions: ${tapbackSummary(part.tapbacks, this.day)}`));
    }
    const notes = ends ? messageNotes(message, this.dates) : [];
    if (notes.length) content.push({ ...this.muted(`(${notes.join(', ')})`), ...(message.junk ? { color: COLORS.alert } : {}) });
    for (const problem of message.problems) content.push(this.muted(`⚠ ${problem}`));
    return content;
  }

  private attachmentCell(message: Message): Styled[] {
    const attachments = message.parts.flatMap(filesOf);
    return attachments.flatMap((a) => a.notInDatabase ? [this.muted(NOT_IN_DATABASE)] : [
      this.plain(a.fileName),
      this.muted(`${attachmentDetails(a)}${a.withheld ? ` · ${a.withheld}` : a.missing ? ` · ${missingShort(a)}` : ''}`),
      // What the chat style shows under a file: a genmoji's or sticker's description, a voice message's transcription,
      // a Live Photo's movie (listed next, as a file of its own).
      ...(a.description ? [this.muted(a.description)] : []),
      ...(a.transcription ? [this.plain(`“${a.transcription}”`)] : []),
      ...(a.livePhoto ? [this.muted(livePhotoNote(a.livePhoto))] : []),
      ...(a.replaced ? [this.muted(replacedLine(a.replaced, this.day))] : []),
    ]);
  }
}
