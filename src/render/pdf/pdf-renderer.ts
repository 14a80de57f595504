import { once } from 'node:events';
import { rm, writeFile } from 'node:fs/promises';
import { stringify } from 'csv-stringify/sync';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { endsTheRun } from '../../errors.js';
import { EMOJI_CREDIT } from '../../fonts/emoji.js';
import { startHeicThread, stopHeicThread } from '../../media/image.js';
import { attachmentsOf } from '../../model/attachments.js';
import type { Conversation, Message } from '../../model/types.js';
import { AtomicFile } from '../../output/files.js';
import { csvCells } from '../../output/spreadsheet-cell.js';
import { batchOutput, compressPageFast } from './pdfkit-internals.js';
import type { ExportContext, MessageStream, RenderedConversation, Renderer } from '../renderer.js';
import { textBox } from './blocks.js';
import { readSubsetOutlines } from './glyph-runs.js';
import { Canvas, createDocument } from './canvas.js';
import { ChatLayout } from './chat-layout.js';
import { Outline } from './outline.js';
import { drawFrame, frameText } from './page-frame.js';
import { BatesStamp, inBatesOrder, numberPages } from './bates.js';
import { coverBlocks, coverFacts, factsText, factsWithoutCover, lateAttachmentCount, selectionNote, type CoverFacts } from './cover.js';
import { AttachmentCount } from './describe.js';
import { oneLine } from '../control-pictures.js';
import { LateText } from './late-text.js';
import { Paginator, type Block } from './paginator.js';
import { settled, unwrap } from './settled.js';
import { COLORS, MARGIN, PAGE_SIZES, TYPE } from './theme.js';
import { TranscriptLayout } from './transcript-layout.js';
import { PAGINATION, tag } from './tagging.js';
import { inPieces, type Piece } from './long-messages.js';
import { LateChart } from './activity-chart.js';
import { countedPeople, personLabels } from '../../stats/person-labels.js';
import { StatsCollector } from '../../stats/collector.js';

// Messages whose images are decoded ahead of placing them, so that decoding overlaps with drawing. Photos come
// in bursts: with 64, a 20,000-message thread waited for thumbnails about 0.4 s (2 % of its run), with 256
// hardly at all; peak RSS of a 50,000-message thread stayed 285 MB.
const IMAGES_AHEAD = 256;
// Messages laid out ahead of placing. Laid out 256 ahead (with their images), the lines and glyphs of all
// of them outlived the young generation: collecting it took 0.58 s of a 20,000-message thread's main thread.
const LAYOUTS_AHEAD = 8;
// Bytes collected before one write to the file.
const WRITE_BATCH = 256 * 1024;
// Bytes given to the file and not yet written before drawing waits for them: a few batches, so drawing
// goes on while the disk writes (waiting for every batch left the thread idle about a tenth of the time).
const MAX_UNWRITTEN = 4 * WRITE_BATCH;
/** Characters without a glyph that the warning names; "…" says there are more. */
const NAMED_MISSING = 8;

interface MessageLayout {
  /** Height each page reserves above its messages (the transcript's column headings). */
  readonly pageTop: number;
  drawPageTop?(top: number): Promise<void>;
  blocks(piece: Piece): Promise<Block[]>;
  /** Begins what the piece's layout will wait for (decoding its images). */
  prefetch?(piece: Piece): void;
}

/**
 * One PDF per conversation, in the chat look or as a transcript table, drawn in a single pass
 * over the messages with pages streaming to disk as they are finished.
 */
export class PdfRenderer implements Renderer {
  readonly format = 'pdf';
  private ctx!: ExportContext;

  async start(ctx: ExportContext): Promise<void> {
    this.ctx = ctx;
    startHeicThread();
  }

  async finishShard(): Promise<void> {
    await stopHeicThread();
  }

  async abandon(): Promise<void> {
    await stopHeicThread();
  }

  async renderConversation(conversation: Conversation, messages: MessageStream, baseName: string): Promise<RenderedConversation> {
    const file = `${baseName}.pdf`;
    const out = new AtomicFile(join(this.ctx.outDir, file));
    const facts = coverFacts(conversation, this.ctx);
    const { cover } = this.ctx.pdf;
    const info = {
      Title: oneLine(conversation.title),
      Subject: oneLine(`Messages${withWhom(conversation)}${cover ? ` from ${this.ctx.sourceDescription}` : ''}`),
      Creator: 'textkeeper',
      Producer: 'textkeeper (pdfkit)',
      CreationDate: this.ctx.exportedAt,
      Keywords: EMOJI_CREDIT,
    };
    const doc = createDocument(info, this.ctx.pdf.standard);
    batchOutput(doc, WRITE_BATCH);
    doc.on('data', (chunk: Buffer) => out.stream.write(chunk));
    try {
      const canvas = new Canvas(doc);
      const attachments = await this.draw(conversation, messages, canvas, out.stream, facts);
      // The information dictionary and XMP are written when the document ends, so they can hold the count.
      Object.assign(doc.info, { Subject: `${info.Subject} | ${oneLine(factsText(cover ? facts : factsWithoutCover(facts, this.ctx), attachments))}` });
      this.warnGlyphs(file, canvas);
      const ended = once(doc, 'end');
      readSubsetOutlines(doc);
      doc.end();
      await ended;
      await out.commit();
    } catch (error) {
      doc.removeAllListeners('data');
      await out.abandon();
      throw error;
    }
    return { conversation, file };
  }

  /** A visible note standing for a message whose layout failed, said in a warning too. */
  private unlaidNote(canvas: Canvas, column: { left: number; right: number }, message: Message, error: Error): Block[] {
    const which = `message from ${message.sender.name} of ${this.ctx.dates.toTheSecond().dateTime(message.date)}`;
    this.ctx.warn(`PDF: a ${which} could not be laid out; a note stands in its place (${error.message})`);
    const note = { text: `⚠ This ${which} could not be laid out: ${error.message}`, size: TYPE.small, color: COLORS.alert, tag: tag('P') };
    return textBox(canvas, [note], { ...column, align: 'left', maxWidth: column.right - column.left, padX: 4, spaceBefore: 6 });
  }

  /** Says which characters and words the PDF shows as �. */
  private warnGlyphs(file: string, canvas: Canvas): void {
    const missing = [...new Set([...canvas.layout.missing, ...canvas.boldLayout.missing])];
    if (missing.length) {
      this.ctx.warn(`PDF ${file}: ${missing.length === 1 ? '1 kind of character has' : `${missing.length} kinds of character have`} no glyph in the bundled fonts or emoji and show${missing.length === 1 ? 's' : ''} as �, copied and searched as themselves (${firstOf(missing)})`);
    }
    const unshaped = [...new Set([...canvas.layout.unshaped, ...canvas.boldLayout.unshaped])];
    if (unshaped.length) {
      this.ctx.warn(`PDF ${file}: ${unshaped.length === 1 ? '1 word' : `${unshaped.length} words`} the bundled fonts could not shape show${unshaped.length === 1 ? 's' : ''} as �, copied and searched as ${unshaped.length === 1 ? 'itself' : 'themselves'} (${firstOf(unshaped)})`);
    }
  }

  /**
   * Numbers the pages of all PDFs of the run, in order of conversation title (before the run's SHA256SUMS is
   * written). Without --bates, an earlier run's bates.csv goes: the PDFs written now carry no numbers.
   */
  async finish(rendered: RenderedConversation[]): Promise<void> {
    const { bates } = this.ctx.pdf;
    if (!bates) return rm(join(this.ctx.outDir, 'bates.csv'), { force: true });
    const ordered = inBatesOrder(rendered, (r) => r.conversation.title, (r) => r.file);
    const ranges = await numberPages(ordered.map((r) => join(this.ctx.outDir, r.file)), bates);
    const cells = csvCells(this.ctx.csv.formulas);
    const rows = ranges.map((range, i) => cells([ordered[i]!.file, range.first, range.last]));
    await writeFile(join(this.ctx.outDir, 'bates.csv'), stringify([['file', 'first', 'last'], ...rows]));
  }

  /** Draws the cover and the messages; returns the count of the messages' attachments, as the cover says it. */
  private async draw(conversation: Conversation, messages: MessageStream, canvas: Canvas, out: Writable, facts: CoverFacts): Promise<string> {
    const { pdf } = this.ctx;
    const dates = this.ctx.dates.toTheSecond();
    const page = PAGE_SIZES[pdf.pageSize];
    const column = { left: MARGIN.side, right: page.width - MARGIN.side };
    const outline = new Outline(canvas.doc, dates);
    const layout: MessageLayout =
      pdf.style === 'transcript'
        ? new TranscriptLayout(canvas, dates, outline, column)
        : new ChatLayout(canvas, conversation, dates, outline, column, (m) => this.ctx.warn(m));
    const frame = frameText(conversation, dates, this.ctx.exportedAt);
    const late = (name: string, size: number, color: string) => new LateText(canvas.doc, name, { face: canvas.layout.faceNames[0]!, size, color, width: size * 8 });
    const stamps = { total: late('PageTotal', TYPE.small, COLORS.muted), bates: pdf.bates && new BatesStamp(canvas, pdf.bates) };
    const area = { top: MARGIN.top + layout.pageTop, bottom: page.height - MARGIN.bottom };
    let onCover = pdf.cover ?? false;
    const paginator = new Paginator(area, canvas, async (pageNumber) => {
      canvas.structure.pageEnding();
      await keepPace(out);
      canvas.doc.addPage({ size: [page.width, page.height], margin: 0 });
      compressPageFast(canvas.doc);
      canvas.pageStarted(pageNumber);
      // Without a cover, the first page's title is the document's heading.
      await drawFrame(canvas, frame, page, pageNumber, stamps, pageNumber === 1 && !pdf.cover ? tag('H1') : PAGINATION);
      if (!onCover) await layout.drawPageTop?.(MARGIN.top);
    });
    const countShown = lateAttachmentCount(canvas, column);
    const chart = onCover ? new LateChart(canvas, column.right - column.left) : undefined;
    if (onCover) {
      await paginator.newPage();
      await paginator.place([...coverBlocks(canvas, conversation, facts, column, countShown), chart!.block(column.left)]);
      onCover = false;
    }
    await paginator.newPage();
    if (!pdf.cover) await paginator.place(selectionNote(canvas, this.ctx, column));

    const activity = new StatsCollector(dates);
    const attachments = new AttachmentCount();
    const unlaid = (piece: Piece, error: Error) => this.unlaidNote(canvas, column, piece.message, error);
    if (!await placeMessages(inPieces(adding(messages(), activity)), layout, paginator, attachments, unlaid)) {
      const note = { text: 'No messages in this conversation.', size: TYPE.body, color: COLORS.muted, tag: tag('P') };
      await paginator.place(textBox(canvas, [note], { ...column, align: 'center', maxWidth: column.right - column.left, spaceBefore: 24 }));
    }
    canvas.structure.end();
    stamps.total.finish(String(paginator.pageCount));
    countShown.finish(String(attachments));
    const { months, people, events } = activity.result();
    await chart?.finish(months, personLabels(countedPeople(conversation.participants, people)), events);
    return String(attachments);
  }
}

/**
 * Places the messages' blocks, each laid out a few messages ahead of its placing (a photo's layout waits for
 * its decoding), counting their attachments; returns whether there was a message. A message whose layout
 * fails is placed as `unlaid` makes it (what ends the run, an interrupt or a full disk, still does).
 */
async function placeMessages(pieces: Iterable<Piece>, layout: MessageLayout, paginator: Paginator, attachments: AttachmentCount, unlaid: (piece: Piece, error: Error) => Block[]): Promise<boolean> {
  // Layouts update their running state (day, sender) before their first await, so order holds.
  const laidOut: Promise<Block[] | Error>[] = [];
  const layOut = async (piece: Piece) => {
    const blocks = settled(layout.blocks(piece)).then((found) => (found instanceof Error && !endsTheRun(found) ? unlaid(piece, found) : found));
    laidOut.push(settled(blocks.then(unwrap)));
    if (laidOut.length > LAYOUTS_AHEAD) await paginator.place(unwrap(await laidOut.shift()!));
  };
  const prefetched: Piece[] = [];
  let any = false;
  for (const piece of pieces) {
    any = true;
    for (const attachment of attachmentsOf(piece.message)) attachments.add(attachment);
    layout.prefetch?.(piece);
    prefetched.push(piece);
    if (prefetched.length > IMAGES_AHEAD) await layOut(prefetched.shift()!);
  }
  for (const piece of prefetched) await layOut(piece);
  for (const blocks of laidOut) await paginator.place(unwrap(await blocks));
  return any;
}

/** The messages as they come, each also counted for the activity chart (before long ones are cut into pieces). */
function* adding(messages: Iterable<Message>, activity: StatsCollector): Generator<Message> {
  for (const message of messages) {
    activity.add(message);
    yield message;
  }
}

/** The first characters of `missing`, and "…" when there are more. */
function firstOf(missing: string[]): string {
  return [...missing.slice(0, NAMED_MISSING), ...(missing.length > NAMED_MISSING ? ['…'] : [])].join(' ');
}

/** " with Alice, Bob" for the document's subject; nothing when no participant is known. */
function withWhom(conversation: Conversation): string {
  return conversation.participants.length ? ` with ${conversation.participants.map((p) => p.name).join(', ')}` : '';
}

/** Lets finished pages reach the file before drawing more, so memory stays flat. */
async function keepPace(out: Writable): Promise<void> {
  await nextTurn();
  if (out.writableLength > MAX_UNWRITTEN) await once(out, 'drain');
}
