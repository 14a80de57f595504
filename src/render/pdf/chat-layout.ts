import type { Attachment, Conversation, Message, Part, Tapback } from '../../model/types.js';
import { filesOf } from '../../model/attachments.js';
import { isYou } from '../../model/owner.js';
import type { DateFormatter } from '../dates.js';
import { inBackup, livePhotoNote, NOT_IN_DATABASE, receiptNotes, replacedLine, timeOnDay } from '../describe.js';
import { baselineIn, drawLine, layLines, textBox, type BoxStyle, type Styled } from './blocks.js';
import type { Canvas } from './canvas.js';
import { alertingNotes, appLines, archiveNotes, attachmentDetails, eventLine, messageNotes, missingNote, replyLine, tapbackSummary, textMarks } from './describe.js';
import { drawingBlock } from './drawing.js';
import type { Piece } from './long-messages.js';
import { ThumbnailsAhead, type Thumbnail } from './images.js';
import type { Outline } from './outline.js';
import type { Block } from './paginator.js';
import { tag, type Tag } from './tagging.js';
import { isolated, withoutIsolates } from './text-layout.js';
import { COLORS, lineHeight, TYPE } from './theme.js';

export interface Column {
  left: number;
  right: number;
}

const BUBBLE_SHARE = 0.7;
const PAD_X = 9;
const PAD_Y = 5;
const IMAGE_MAX = { width: 220, height: 240 };
const STICKER_MAX = 110;
const TAPBACK_STICKER = 28;
const TAPBACK_GAP = 4;

/** Turns messages into blocks in the Messages look: bubbles, day separators, inline images. */
export class ChatLayout {
  readonly pageTop = 0;
  private lastDay?: string;
  private lastSender?: string;
  /** The day's section, and the message's element (a long message's pieces share one). */
  private section?: Tag;
  private group?: Tag;
  /** A date's day in the export's time zone, for notes that date what an archive kept. */
  private readonly day = (date: Date) => this.dates.dayKey(date);
  private readonly images = new ThumbnailsAhead();

  constructor(
    private readonly canvas: Canvas,
    private readonly conversation: Conversation,
    private readonly dates: DateFormatter,
    private readonly outline: Outline,
    private readonly column: Column,
    private readonly warn: (message: string) => void,
  ) {}

  /** Begins decoding the piece's images, which its layout takes a while later. */
  prefetch({ message }: Piece): void {
    for (const part of message.parts) {
      for (const attachment of filesOf(part)) {
        const max = maxSize(attachment);
        if (drawable(attachment)) this.images.begin(attachment.path!, Math.min(max.width, this.maxWidth()), max.height);
      }
      for (const { sticker } of part.tapbacks) {
        if (sticker && drawable(sticker)) this.images.begin(sticker.path!, Math.min(TAPBACK_STICKER, this.maxWidth()), TAPBACK_STICKER);
      }
    }
  }

  async blocks(piece: Piece): Promise<Block[]> {
    const { message } = piece;
    const separator: Block[] = [];
    const day = this.dates.dayKey(message.date);
    if (day !== this.lastDay) {
      this.lastDay = day;
      this.lastSender = undefined;
      this.section = tag('Sect');
      separator.push(...this.daySeparator(message.date, this.section));
    }
    if (!piece.continued) this.group = tag('Div', this.section);
    const blocks = await this.messageBlocks(piece, this.group!);
    const context = () => this.context(message);
    for (const block of blocks) block.context ??= context;
    return [...separator, ...blocks];
  }

  /** The piece's blocks, their content in `group` (each paragraph or image an element of its own). */
  private async messageBlocks({ message, continued, continues }: Piece, group: Tag): Promise<Block[]> {
    if (message.kind === 'event') {
      this.lastSender = undefined;
      const text = [eventLine(message), this.dates.time(message.date), ...archiveNotes(message, this.dates)].join('  ·  ');
      const blocks = this.note(text, 'center', 8, group);
      // A group photo change carries the new photo.
      for (const part of message.parts) if (part.kind === 'attachment') blocks.push(...(await this.attachment(part.attachment, message.isFromMe, group)));
      return blocks;
    }
    const blocks: Block[] = [];
    const mine = message.isFromMe;
    if (this.named(message) && message.sender.handle !== this.lastSender) {
      const name = this.senderName(message, group);
      for (const block of name) block.context = () => this.dayHeading(message.date, undefined);
      blocks.push(...name);
    } else if (!continued) {
      blocks.push(this.unseenSender(message, group));
    }
    this.lastSender = message.sender.handle;
    if (continued) blocks.push(...this.note('continued', mine ? 'right' : 'left', 1, undefined).map((block) => ({ ...block, keepWithNext: true })));
    if (message.replyTo) {
      blocks.push(...textBox(this.canvas, [{ text: replyLine(message.replyTo), size: TYPE.small, color: COLORS.muted, tag: tag('P', group) }], {
        ...this.side(mine), fill: COLORS.quote, stroke: COLORS.faint, padX: PAD_X, padY: 3, spaceBefore: 4, keepWithNext: true,
      }));
    }
    let subject = message.subject;
    for (const part of message.parts) {
      const partBlocks = await this.part(message, part, subject, group);
      if (part.kind === 'text') subject = undefined;
      if (partBlocks.length) partBlocks[0].spaceBefore = Math.max(partBlocks[0].spaceBefore ?? 0, 3);
      blocks.push(...partBlocks);
      blocks.push(...(await this.tapbacks(part.tapbacks, mine, group)));
    }
    if (subject) blocks.push(...this.bubble(message, [{ text: subject, size: TYPE.body, color: '', bold: true }], group));
    if (!continues) {
      const receipts = receiptNotes(message, this.dates.dayKey(message.date), this.dates);
      const notes = [this.dates.time(message.date), ...receipts, ...messageNotes(message, this.dates)].join('  ·  ');
      // The time goes to the next page with the end of its message rather than alone.
      const last = blocks.at(-1);
      if (last) last.keepWithNext = true;
      blocks.push(...this.note(notes, mine ? 'right' : 'left', 2, group, alertingNotes(message) ? COLORS.alert : COLORS.muted));
    }
    for (const problem of message.problems) blocks.push(...this.note(`⚠ ${problem}`, mine ? 'right' : 'left', 0, group));
    return blocks;
  }

  private async part(message: Message, part: Part, subject: string | undefined, group: Tag): Promise<Block[]> {
    const mine = message.isFromMe;
    switch (part.kind) {
      case 'text': {
        const content: Styled[] = [];
        if (subject) content.push({ text: subject, size: TYPE.body, color: '', bold: true });
        content.push({ text: part.text, size: TYPE.body, color: '', marks: textMarks(part.spans) });
        const blocks = this.bubble(message, content, group);
        for (const edit of part.edits ?? []) {
          blocks.push(...this.note(`Earlier version (${this.dates.dateTime(edit.date)}): ${isolated(edit.text)}`, mine ? 'right' : 'left', 1, group));
        }
        return blocks;
      }
      case 'unsent': {
        const when = part.unsentAt ? ` at ${timeOnDay(part.unsentAt, this.dates.dayKey(message.date), this.dates)}` : '';
        const blocks = this.note(`${isYou(message.sender) ? 'You' : isolated(message.sender.name)} unsent a message${when}`, mine ? 'right' : 'left', 2, group);
        for (const edit of part.edits ?? []) blocks.push(...this.note(`Before it was unsent (${this.dates.dateTime(edit.date)}): ${isolated(edit.text)}`, mine ? 'right' : 'left', 1, group));
        return blocks;
      }
      case 'attachment':
        return this.attachment(part.attachment, mine, group);
      case 'app': {
        const [label, ...rest] = appLines(part.app);
        const blocks = this.fileBox([{ text: label, size: TYPE.small, color: COLORS.muted, bold: true }, ...rest.map((text) => ({ text, size: TYPE.body, color: COLORS.text }))], mine, group);
        if (part.app.drawing) {
          for (const block of blocks) block.keepWithNext = true; // the card's facts stay above their drawing
          blocks.push(drawingBlock(this.canvas, part.app.drawing, this.side(mine), tag('Figure', group, label)));
        }
        for (const attachment of part.attachments) blocks.push(...(await this.attachment(attachment, mine, group)));
        return blocks;
      }
    }
  }

  /** Reactions as one line of emoji and names; a sticker whose image can be read is drawn small beside its line. */
  private async tapbacks(tapbacks: Tapback[], mine: boolean, group: Tag): Promise<Block[]> {
    const drawn: Block[] = [];
    const listed: Tapback[] = [];
    for (const tapback of tapbacks) {
      const thumbnail = tapback.sticker && (await this.thumbnail(tapback.sticker, TAPBACK_STICKER, TAPBACK_STICKER));
      if (thumbnail) drawn.push(this.stickerTapback(thumbnail, tapbackSummary([tapback], this.day), mine, group));
      else listed.push(tapback);
    }
    const summary = listed.length ? this.note(tapbackSummary(listed, this.day), mine ? 'right' : 'left', 1, group) : [];
    return [...summary, ...drawn];
  }

  /**
   * The sticker's image with its words ("Sticker from Me") to its right, the pair at the message's side:
   * a figure, the image's alternative text being the words.
   */
  private stickerTapback(thumbnail: Thumbnail, label: string, mine: boolean, group: Tag): Block {
    const figure = tag('Figure', group, withoutIsolates(label));
    const text = { text: label, size: TYPE.small, color: COLORS.muted, tag: figure };
    const lines = layLines(this.canvas, [text], this.maxWidth() - thumbnail.width - TAPBACK_GAP);
    const textWidth = Math.max(...lines.map((l) => l.line.width));
    const textHeight = lines.length * lineHeight(TYPE.small);
    const height = Math.max(thumbnail.height, textHeight);
    const x = mine ? this.column.right - 4 - textWidth - TAPBACK_GAP - thumbnail.width : this.column.left + 4;
    return {
      height,
      spaceBefore: 2,
      draw: async (top) => {
        this.canvas.mark(figure);
        this.canvas.image(thumbnail.data, x, top + (height - thumbnail.height) / 2, thumbnail.width, thumbnail.height);
        let lineTop = top + (height - textHeight) / 2;
        for (const line of lines) {
          await drawLine(this.canvas, line, x + thumbnail.width + TAPBACK_GAP, lineTop, textWidth);
          lineTop += lineHeight(TYPE.small);
        }
      },
    };
  }

  /** A thumbnail of an image attachment on disk; undefined when there is none or it cannot be read (a warning then). */
  private async thumbnail(attachment: Attachment, maxWidth: number, maxHeight: number): Promise<Thumbnail | undefined> {
    if (!drawable(attachment)) return undefined;
    try {
      return await this.images.take(attachment.path!, Math.min(maxWidth, this.maxWidth()), maxHeight);
    } catch {
      this.warn(`PDF: could not read image ${attachment.path}; drew a placeholder`);
      return undefined;
    }
  }

  private async attachment(attachment: Attachment, mine: boolean, group: Tag): Promise<Block[]> {
    const max = maxSize(attachment);
    const thumbnail = await this.thumbnail(attachment, max.width, max.height);
    // The file's name under a photo, to find it among the archive's files (SHA256SUMS) as the text file names it; a
    // sticker's is a GUID that tells a reader nothing.
    const caption = attachment.livePhoto ? `${attachment.fileName} · ${livePhotoNote(attachment.livePhoto)}` : attachment.fileName;
    const name = attachment.isSticker ? [] : this.note(caption, mine ? 'right' : 'left', 1, group);
    // The copy first archived is drawn; the device's later file is said under it.
    if (attachment.replaced) name.push(...this.note(replacedLine(attachment.replaced, this.day), mine ? 'right' : 'left', 1, group));
    if (thumbnail) return [this.imageBlock(thumbnail, mine, tag('Figure', group, imageAlt(attachment))), ...name];
    const unreadable = drawable(attachment);
    if (attachment.notInDatabase) return this.fileBox([{ text: NOT_IN_DATABASE, size: TYPE.small, color: COLORS.alert }], mine, group);
    const lines: Styled[] = [
      { text: attachment.fileName, size: TYPE.body, color: COLORS.text, bold: true },
      { text: attachmentDetails(attachment), size: TYPE.small, color: COLORS.muted },
    ];
    if (attachment.description) lines.push({ text: attachment.description, size: TYPE.small, color: COLORS.muted });
    if (attachment.transcription) lines.push({ text: `“${attachment.transcription}”`, size: TYPE.body, color: COLORS.text });
    if (attachment.livePhoto) lines.push({ text: livePhotoNote(attachment.livePhoto), size: TYPE.small, color: COLORS.muted });
    if (attachment.replaced) lines.push({ text: replacedLine(attachment.replaced, this.day), size: TYPE.small, color: COLORS.alert });
    if (attachment.missing) lines.push({ text: attachment.withheld ? `Not included: ${attachment.withheld}` : missingNote(attachment), size: TYPE.small, color: COLORS.alert });
    if (unreadable) lines.push({ text: 'The image could not be read', size: TYPE.small, color: COLORS.alert });
    if (attachment.transient && !attachment.missing) lines.push({ text: `Not in this archive: ${inBackup(attachment)}`, size: TYPE.small, color: COLORS.muted });
    return this.fileBox(lines, mine, group);
  }

  private imageBlock(thumbnail: Thumbnail, mine: boolean, figure: Tag): Block {
    const x = mine ? this.column.right - thumbnail.width : this.column.left;
    return {
      height: thumbnail.height,
      spaceBefore: 3,
      keepWithNext: true,
      draw: (top) => {
        this.canvas.mark(figure);
        this.canvas.image(thumbnail.data, x, top, thumbnail.width, thumbnail.height);
      },
    };
  }

  /** A bubble of text: one paragraph of `group`. */
  private bubble(message: Message, content: Styled[], group: Tag): Block[] {
    const mine = message.isFromMe;
    const fill = mine ? (message.service === 'iMessage' ? COLORS.imessage : COLORS.sms) : COLORS.received;
    const color = mine ? COLORS.onColor : COLORS.text;
    const paragraph = tag('P', group);
    return textBox(this.canvas, content.map((c) => ({ ...c, color, tag: paragraph })), { ...this.side(mine), fill, padX: PAD_X, padY: PAD_Y, minWidth: 28 });
  }

  /** A box of facts about a file or an app's message: one paragraph of `group`. */
  private fileBox(content: Styled[], mine: boolean, group: Tag): Block[] {
    const paragraph = tag('P', group);
    return textBox(this.canvas, content.map((c) => ({ ...c, tag: paragraph })), { ...this.side(mine), fill: COLORS.box, stroke: COLORS.boxStroke, padX: PAD_X, padY: PAD_Y });
  }

  /** A small line: a paragraph of `group`, or with none an artifact. */
  private note(text: string, align: 'left' | 'right' | 'center', spaceBefore: number, group: Tag | undefined, color: string = COLORS.muted): Block[] {
    const padX = align === 'center' ? 0 : 4;
    return textBox(this.canvas, [{ text, size: TYPE.small, color, tag: group && tag('P', group) }], {
      ...this.column, align, maxWidth: align === 'center' ? this.column.right - this.column.left : this.maxWidth(), padX, spaceBefore,
    });
  }

  /**
   * The day and, in a group, the sender, restated above a message that goes on at the top of a page; the sender a
   * paragraph of `group` when the message begins there.
   */
  private context(message: Message, group?: Tag): Block[] {
    const blocks = this.dayHeading(message.date, undefined);
    if (this.named(message)) blocks.push(...this.senderName(message, group));
    return blocks;
  }

  /**
   * Whether the message is shown under its sender's name: one from someone else in a group, or in a
   * conversation with no known participants (messages without a conversation), whose senders vary.
   */
  private named(message: Message): boolean {
    const sendersVary = this.conversation.isGroup || this.conversation.participants.length === 0;
    return sendersVary && !message.isFromMe && message.kind !== 'event';
  }

  /** The sender's name above their messages: a paragraph of `group`; with none (restated above a message going on at a page's top), an artifact. */
  private senderName(message: Message, group: Tag | undefined): Block[] {
    return textBox(this.canvas, [{ text: message.sender.name, size: TYPE.name, color: COLORS.muted, bold: true, tag: group && tag('P', group) }], {
      ...this.side(false), padX: PAD_X, spaceBefore: 6, keepWithNext: true,
    });
  }

  /**
   * The sender's name where the page shows who wrote the message only by its side and colour: invisible text
   * taking no room above it, a paragraph of `group`, which text extraction, search and a screen reader read.
   * It spans the width the message's side may take, above all of the message, so extraction reads it first.
   * At the top of a page that restates the sender, the name drawn there is the paragraph instead.
   */
  private unseenSender(message: Message, group: Tag): Block {
    const paragraph = tag('P', group);
    const width = this.maxWidth();
    const x = message.isFromMe ? this.column.right - width : this.column.left;
    let restated = false;
    return {
      height: 0,
      keepWithNext: true,
      context: () => {
        restated = this.named(message);
        return this.context(message, group);
      },
      draw: (top) => {
        if (!restated) this.canvas.unseenText(message.sender.name, x, baselineIn(top, TYPE.name), TYPE.name, width, paragraph);
      },
    };
  }

  /** The day as the heading of its section; restated at a page's top (no section), "(continued)", an artifact. */
  private dayHeading(date: Date, section: Tag | undefined): Block[] {
    const text = `${this.dates.day(date)}${section ? '' : ' (continued)'}`;
    return textBox(this.canvas, [{ text, size: TYPE.name, color: COLORS.muted, bold: true, tag: section && tag('H2', section) }], {
      ...this.column, align: 'center', maxWidth: this.column.right - this.column.left, spaceBefore: 14, keepWithNext: true,
    });
  }

  private daySeparator(date: Date, section: Tag): Block[] {
    const blocks = this.dayHeading(date, section);
    const draw = blocks[0].draw;
    blocks[0].draw = (top) => {
      this.outline.mark(date);
      return draw?.(top);
    };
    return blocks;
  }

  private side(mine: boolean): BoxStyle {
    return { ...this.column, align: mine ? 'right' : 'left', maxWidth: this.maxWidth() };
  }

  private maxWidth(): number {
    return (this.column.right - this.column.left) * BUBBLE_SHARE;
  }
}

/** What a drawn image shows, for a screen reader: its description (a sticker's, a genmoji's) or its file's name. */
function imageAlt(attachment: Attachment): string {
  return attachment.description ? `${attachment.description} (${attachment.fileName})` : attachment.fileName;
}

/** An image whose file is on disk: drawn as a thumbnail (or a note that it could not be read). */
function drawable(attachment: Attachment): boolean {
  return attachment.kind === 'image' && !attachment.missing && !attachment.transient && !!attachment.path;
}

function maxSize(attachment: Attachment): { width: number; height: number } {
  return attachment.isSticker ? { width: STICKER_MAX, height: STICKER_MAX } : IMAGE_MAX;
}
