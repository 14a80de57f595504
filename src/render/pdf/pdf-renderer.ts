import { once } from 'node:events';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { EMOJI_CREDIT } from '../../fonts/emoji.js';
import type { Conversation, Message } from '../../model/types.js';
import { AtomicFile } from '../../output/files.js';
import type { ExportContext, MessageStream, RenderedConversation, Renderer } from '../renderer.js';
import { textBox } from './blocks.js';
import { Canvas, createDocument } from './canvas.js';
import { ChatLayout } from './chat-layout.js';
import { ImageSource } from './images.js';
import { Outline } from './outline.js';
import { drawFrame, frameText } from './page-frame.js';
import { Paginator, type Block } from './paginator.js';
import { COLORS, MARGIN, PAGE_SIZES, TYPE } from './theme.js';
import { TranscriptLayout } from './transcript-layout.js';

interface MessageLayout {
  /** Height each page reserves above its messages (the transcript's column headings). */
  readonly pageTop: number;
  drawPageTop?(top: number): Promise<void>;
  blocks(message: Message): Promise<Block[]>;
}

/**
 * One PDF per conversation, in the chat look or as a transcript table. Pages stream to disk as
 * they are drawn; a first pass over the messages only counts pages so every footer can say "page X of Y".
 */
export class PdfRenderer implements Renderer {
  readonly format = 'pdf';
  private ctx!: ExportContext;

  async start(ctx: ExportContext): Promise<void> {
    this.ctx = ctx;
  }

  async renderConversation(conversation: Conversation, messages: MessageStream, baseName: string): Promise<RenderedConversation> {
    const file = `${baseName}.pdf`;
    const out = new AtomicFile(join(this.ctx.outDir, file));
    const doc = createDocument({
      Title: conversation.title,
      Subject: `Messages with ${conversation.participants.map((p) => p.name).join(', ')} from ${this.ctx.sourceDescription}`,
      Creator: 'textkeeper',
      Producer: 'textkeeper (pdfkit)',
      CreationDate: this.ctx.exportedAt,
      Keywords: EMOJI_CREDIT,
      Credits: EMOJI_CREDIT,
    });
    doc.on('data', (chunk: Buffer) => out.stream.write(chunk));
    try {
      const canvas = new Canvas(doc);
      const images = new ImageSource();
      const pageCount = await this.layOut(conversation, messages, canvas, images, undefined);
      await this.layOut(conversation, messages, canvas, images, { pageCount, out: out.stream });
      const missing = [...new Set([...canvas.layout.missing, ...canvas.boldLayout.missing])];
      if (missing.length) {
        this.ctx.warn(`PDF ${file}: ${missing.length} kinds of character have no glyph in the bundled fonts and show as � (${missing.slice(0, 8).join(' ')})`);
      }
      const ended = once(doc, 'end');
      doc.end();
      await ended;
      await out.commit();
    } catch (error) {
      await out.abandon();
      throw error;
    }
    return { conversation, file };
  }

  async finish(): Promise<void> {}

  /** Places every message; draws only when given the page count and the output to keep pace with. */
  private async layOut(
    conversation: Conversation,
    messages: MessageStream,
    canvas: Canvas,
    images: ImageSource,
    drawing: { pageCount: number; out: Writable } | undefined,
  ): Promise<number> {
    const { dates, pdf } = this.ctx;
    const page = PAGE_SIZES[pdf.pageSize];
    const column = { left: MARGIN.side, right: page.width - MARGIN.side };
    const outline = new Outline(canvas.doc, dates);
    const layout: MessageLayout =
      pdf.style === 'transcript'
        ? new TranscriptLayout(canvas, dates, outline, column)
        : new ChatLayout(canvas, conversation, dates, images, outline, column, (m) => this.ctx.warn(m));
    const frame = frameText(conversation, dates, this.ctx.exportedAt);
    const area = { top: MARGIN.top + layout.pageTop, bottom: page.height - MARGIN.bottom };
    const paginator = new Paginator(area, drawing && canvas, async (pageNumber) => {
      if (!drawing) return;
      await keepPace(drawing.out);
      canvas.doc.addPage({ size: [page.width, page.height], margin: 0 });
      await drawFrame(canvas, frame, page, pageNumber, drawing.pageCount);
      await layout.drawPageTop?.(MARGIN.top);
    });
    await paginator.newPage();
    let empty = true;
    for (const message of messages()) {
      empty = false;
      await paginator.place(await layout.blocks(message));
    }
    if (empty) {
      const note = { text: 'No messages in this conversation.', size: TYPE.body, color: COLORS.muted };
      await paginator.place(textBox(canvas, [note], { ...column, align: 'center', maxWidth: column.right - column.left, spaceBefore: 24 }));
    }
    return paginator.pageCount;
  }
}

/** Lets written pages reach the file before drawing more, so memory stays flat. */
async function keepPace(out: Writable): Promise<void> {
  await nextTurn();
  if (out.writableNeedDrain) await once(out, 'drain');
}
