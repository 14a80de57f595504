import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Attachment, Conversation, Message } from '../../model/types.js';
import { attachmentsOf } from '../../model/attachments.js';
import { MediaArchive, type PlacedAttachment } from '../../media/media-archive.js';
import { writeAtomically } from '../../output/files.js';
import type { ExportContext, MessageStream, RenderedConversation, Renderer } from '../renderer.js';
import { mergeMonths, StatsCollector, type MonthStats, type Stats } from '../../stats/collector.js';
import { countedPeople, personLabels, type Named } from '../../stats/person-labels.js';
import { activitySvg } from './activity-svg.js';
import { escapeHtml, hrefPath, isolate, isolateWithin } from './escape.js';
import { damageLines, selectionLine, describeKeptOnly, describeOrigin, describeSourceCounts, formerNote, inBackup, ownerHandlesLine, personWithHandles, servicesLine } from '../describe.js';
import { visibleControls } from '../control-pictures.js';
import { shownHandles } from '../../model/people.js';
import { messageHtml, type MessageContext } from './message-html.js';
import { PagedWriter, pageFile, type PageLimits, DEFAULT_PAGE_LIMITS } from './paged-writer.js';
import { PageStarts } from './page-starts.js';
import { MessageAnchors } from './anchors.js';
import { SearchRowsWriter, messageWords, writeSearchIndex, type SearchConversation, type SearchRows, removeRowParts } from './search-index.js';
import { loadTemplates, type PageTemplates } from './templates.js';
import { STATIC_ASSETS } from './template-files.js';
import { refreshAssets } from './assets.js';

/** What the index shows for a conversation beyond the model's own fields. */
interface ConversationSummary {
  preview: string;
  photoCount: number;
  /** Messages per month by sender, and who the senders are, for the index's activity chart. */
  months: MonthStats[];
  people: Named[];
  /** Group events, which the chart does not count (the conversation's message count does). */
  events: number;
}

/** Where page 1 of a conversation longer than one page gets its chart once every message has been read. */
const ACTIVITY_MARK = '<!--activity-->';

/** A conversation as one thread wrote it: what the index and the search data need of it. */
interface HtmlRendered extends RenderedConversation {
  summary: ConversationSummary;
  search: SearchConversation & { rows: SearchRows };
}

/** Closes a day's list of messages, opened under its heading: a screen reader goes from message to message, and says how many a day has. */
const DAY_END = '</ol>\n';

const PAGE_ROOT = '../../';
/** Messages read ahead of the one written: enough to keep the image threads busy, few enough to hold. */
const PLACED_AHEAD = 32;

type Placed = [Attachment, PlacedAttachment][];

/** A message read, and where its attachments are: `places` once they are made. */
interface Placing {
  message: Message;
  placing?: Promise<Placed>;
  places?: Placed;
}
const PREVIEW_LENGTH = 120;

/**
 * The browsable archive: index.html, one folder of pages per conversation under conversations/,
 * attachments and thumbnails, and a search index that search.html loads on demand. Conversations may be
 * rendered on several threads; the main thread's `finish` merges their search rows and writes the index.
 */
export class HtmlRenderer implements Renderer {
  readonly format = 'html';
  private ctx!: ExportContext;
  private templates!: PageTemplates;
  private media!: MediaArchive;
  private searchRows!: SearchRowsWriter;

  constructor(private readonly pageLimits: PageLimits = DEFAULT_PAGE_LIMITS) {}

  async start(ctx: ExportContext): Promise<void> {
    this.ctx = ctx;
    this.templates = loadTemplates();
    this.media = new MediaArchive(ctx.outDir, ctx.attachments, (message) => ctx.warn(message), ctx.imageThreads);
    this.searchRows = new SearchRowsWriter(ctx.outDir);
    await this.searchRows.start();
  }

  async renderConversation(conversation: Conversation, messages: MessageStream, baseName: string): Promise<HtmlRendered> {
    const folder = `conversations/${baseName}`;
    await mkdir(join(this.ctx.outDir, folder), { recursive: true });
    this.searchRows.beginConversation();
    let chart: string | undefined;
    const pages = new PagedWriter(join(this.ctx.outDir, folder), (content) => this.templates.conversation({
      ...this.pageHeader(conversation),
      // Its search box searches it alone (search.js finds it by its folder).
      within: folder,
      // The number of pages is not known yet: app.js adds it ("page 3 of 18").
      title: content.prev || content.next ? `${visibleControls(conversation.title)} — page ${content.page}` : visibleControls(conversation.title),
      page: content.page,
      prev: content.prev,
      next: content.next,
      pageFirst: content.firstDay,
      pageLast: content.firstDay === content.lastDay ? undefined : content.lastDay,
      activity: content.page === 1 ? (chart ?? ACTIVITY_MARK) : '',
      body: content.body,
    }), this.pageLimits, DAY_END);
    const summary: ConversationSummary = { preview: '', photoCount: 0, months: [], people: [], events: 0 };
    try {
      const { months, people, events } = await this.writeMessages(conversation, messages, pages, summary);
      Object.assign(summary, { months, people: countedPeople(conversation.participants, people), events });
      chart = activitySvg(months, personLabels(summary.people), events);
      await pages.finish();
      if (pages.pages.length > 1) await fillMark(join(this.ctx.outDir, folder, pageFile(1)), chart);
    } catch (error) {
      await pages.discard();
      throw error;
    }
    const search = { title: conversation.title, folder, people: conversation.participants.map((p) => personWithHandles(p)).join(', '), rows: this.searchRows.endConversation() };
    return { conversation, file: `${folder}/${pageFile(1)}`, summary, search };
  }

  /**
   * Each message onto its page, into the search rows and the index's summary; what the activity chart shows.
   * Messages are read a few ahead of the one written, their attachments placed: a page shows a picture once its
   * thumbnail is made (or says it cannot be shown), and the image threads make the next ones meanwhile.
   */
  private async writeMessages(conversation: Conversation, messages: MessageStream, pages: PagedWriter, summary: ConversationSummary): Promise<Stats> {
    const activity = new StatsCollector(this.ctx.dates);
    // So that replies can link back to the message they quote (always an earlier one).
    const pageStarts = new PageStarts();
    const anchors = new MessageAnchors();
    const settled = new Map<Attachment, PlacedAttachment>();
    const context = this.messageContext(conversation, pageStarts, anchors, settled);
    let previousDay = '';
    let previousSender = '';
    const write = (message: Message, places: Placed) => {
      settled.clear();
      for (const [attachment, place] of places) settled.set(attachment, place);
      const at = this.ctx.dates.at(message.date);
      let html = '';
      const newDay = pages.isEmpty || at.dayKey !== previousDay;
      // A page that begins inside the day the page before ended in says so.
      const continued = pages.isEmpty && at.dayKey === previousDay ? ' (continued)' : '';
      if (newDay) html += `${pages.isEmpty ? '' : DAY_END}<h2 class="day" id="d-${at.dayKey}"><span>${escapeHtml(this.ctx.dates.day(message.date))}${continued}</span></h2>\n<ol>\n`;
      const sender = message.kind === 'event' ? '' : message.sender.handle;
      const anchor = anchors.next(message.guid, message.date);
      html += messageHtml(message, anchor, at, newDay || sender !== previousSender, context);
      pages.add(html, at.dayKey, message.date);
      pageStarts.add(pages.page, { date: message.date.getTime(), rowId: message.rowId, guid: message.guid });
      previousDay = at.dayKey;
      previousSender = sender;

      const words = messageWords(message);
      this.searchRows.add(pages.page, anchor, message, at.dateTime, words);
      if (words.current) summary.preview = words.current.slice(0, PREVIEW_LENGTH);
      summary.photoCount += countPhotos(message);
      activity.add(message, at.dayKey);
    };
    // A message is written as soon as it and those before it are placed; one with no attachment waits for nothing
    // (an await a message made an HTML export without attachments 3 % slower).
    const ahead: Placing[] = [];
    const read = messages()[Symbol.iterator]();
    try {
      for (let done = false; !done || ahead.length > 0; ) {
        const next = done ? undefined : read.next();
        if (next?.done) done = true;
        else if (next) ahead.push(this.placeAll(next.value));
        while (ahead.length > 0 && (ahead[0]!.places || done || ahead.length > PLACED_AHEAD)) {
          const item = ahead.shift()!;
          const places = item.places ?? (await item.placing!);
          if (pages.isFull) await pages.nextPage();
          write(item.message, places);
        }
      }
    } finally {
      // As a for…of loop would: the stream's query is ended.
      read.return?.();
    }
    return activity.result();
  }

  /** Where a message's attachments are, once their files are made (placed at once: a run that must stop stops here). */
  private placeAll(message: Message): Placing {
    const attachments = attachmentsOf(message);
    if (attachments.length === 0) return { message, places: [] };
    const placed = attachments.map((attachment) => [attachment, this.place(attachment)] as const);
    const item: Placing = { message, placing: Promise.all(placed.map(async ([attachment, place]): Promise<[Attachment, PlacedAttachment]> => [attachment, await this.media.settle(place)])) };
    // A failure is thrown where the message is written.
    item.placing!.then((places) => (item.places = places), () => {});
    return item;
  }

  /** A file decrypted from an encrypted backup was removed with it (--attachments link or none): nothing to show. */
  private place(attachment: Attachment): PlacedAttachment {
    return attachment.transient && !attachment.missing ? { unavailable: 'withheld', reason: inBackup(attachment) } : this.media.place(attachment);
  }

  /** `settled`: the placed attachments of the message being written. */
  private messageContext(conversation: Conversation, pageStarts: PageStarts, anchors: MessageAnchors, settled: Map<Attachment, PlacedAttachment>): MessageContext {
    return {
      root: PAGE_ROOT,
      dates: this.ctx.dates,
      // "Unknown sender", and anyone in "Messages without a conversation", which has no participants.
      namesSender: (sender) => conversation.isGroup || !conversation.participants.some((p) => p.handle === sender.handle || p.name === sender.name),
      placeAttachment: (attachment: Attachment) => settled.get(attachment) ?? this.place(attachment),
      messageHref: (reply) => {
        const { date, rowId } = reply.target!;
        const page = pageStarts.pageOf({ date: date.getTime(), rowId, guid: reply.guid });
        return page === undefined ? undefined : `${pageFile(page)}#${anchors.of(reply.guid, date)}`;
      },
    };
  }

  async finishShard(): Promise<void> {
    this.searchRows.close();
    await this.media.finish();
  }

  /** Undoes what was begun; start() may have failed part-way (a templates folder missing), leaving less to undo. */
  async abandon(): Promise<void> {
    await this.searchRows?.discard();
    await this.media?.cancel();
    if (this.ctx) await removeRowParts(this.ctx.outDir);
  }

  async finish(all: RenderedConversation[]): Promise<void> {
    const rendered = all as HtmlRendered[];
    const inRenderingOrder = [...rendered].sort((a, b) => a.sequence! - b.sequence!);
    await writeSearchIndex(this.ctx.outDir, inRenderingOrder.map((r) => r.search));
    await this.writeSearchPage();
    await refreshAssets(this.ctx.outDir, STATIC_ASSETS);
    // Last: an archive with an index is a finished one.
    await this.writeIndex(rendered);
  }

  private pageHeader(conversation: Conversation) {
    const range = this.dayRange(conversation);
    return {
      title: visibleControls(conversation.title),
      root: PAGE_ROOT,
      conversation: visibleControls(conversation.title),
      // A conversation with one person whom no contact names has that person's number for its title already.
      participants: conversation.isGroup || !onlyHandles(conversation) ? participantsHtml(conversation, true) : '',
      owner: ownerHandlesLine(conversation),
      messageCount: conversation.messageCount,
      selection: selectionLine(this.ctx, 'these pages'),
      services: servicesLine(conversation),
      sourceCounts: conversation.sourceCounts ? describeSourceCounts(conversation.sourceCounts) : '',
      keptOnly: conversation.keptOnly ? describeKeptOnly(conversation.keptOnly, (date) => this.ctx.dates.dateTime(date)) : undefined,
      damage: damageLines(this.ctx),
      firstDay: range?.first ?? '',
      lastDay: range?.last ?? '',
      exportedAt: this.ctx.dates.at(this.ctx.exportedAt).dateTime,
      source: describeOrigin(this.ctx, (date) => this.ctx.dates.dateTime(date)),
      timeZone: this.ctx.dates.timeZone,
    };
  }

  private dayRange(conversation: Conversation): { first: string; last: string } | undefined {
    if (!conversation.firstDate || !conversation.lastDate) return undefined;
    return { first: this.ctx.dates.at(conversation.firstDate).dayKey, last: this.ctx.dates.at(conversation.lastDate).dayKey };
  }

  private async writeIndex(rendered: HtmlRendered[]): Promise<void> {
    const byRecent = [...rendered].sort((a, b) => (b.conversation.lastDate?.getTime() ?? 0) - (a.conversation.lastDate?.getTime() ?? 0));
    const conversations = byRecent.map(({ conversation, file, summary }) => {
      const range = this.dayRange(conversation);
      return {
        title: visibleControls(conversation.title),
        titleHtml: indexTitle(conversation),
        href: hrefPath(file),
        participants: indexParticipants(conversation),
        preview: visibleControls(summary.preview),
        messageCount: conversation.messageCount,
        photoCount: summary.photoCount,
        keptOnly: conversation.keptOnly?.messages.toLocaleString('en-US'),
        range: range ? (range.first === range.last ? range.first : `${range.first} – ${range.last}`) : '',
        lastTime: conversation.lastDate?.getTime() ?? 0,
      };
    });
    const total = rendered.reduce((sum, r) => sum + r.conversation.messageCount, 0);
    const keptOnly = rendered.reduce((sum, r) => sum + (r.conversation.keptOnly?.messages ?? 0), 0);
    await writeAtomically(join(this.ctx.outDir, 'index.html'), this.templates.index({
      title: 'Messages archive',
      root: '',
      conversations,
      conversationCount: rendered.length,
      messageCount: total,
      selection: selectionLine(this.ctx, 'these pages'),
      keptOnly: keptOnly > 0 ? keptOnly.toLocaleString('en-US') : undefined,
      activity: activitySvg(mergeMonths(rendered.map((r) => r.summary.months)), personLabels(rendered.flatMap((r) => r.summary.people)), rendered.reduce((sum, r) => sum + r.summary.events, 0)),
      exportedAt: this.ctx.dates.at(this.ctx.exportedAt).dateTime,
      source: describeOrigin(this.ctx, (date) => this.ctx.dates.dateTime(date)),
      timeZone: this.ctx.dates.timeZone,
    }));
  }

  private async writeSearchPage(): Promise<void> {
    await writeAtomically(join(this.ctx.outDir, 'search.html'), this.templates.search({ title: 'Search messages', root: '' }));
  }
}

/**
 * The participants' names, each isolated from the commas between them, and with `handles` their phone numbers or
 * emails; a group's former member with what became of them (left, removed).
 */
function participantsHtml(conversation: Conversation, handles: boolean): string {
  return conversation.participants.map((p) => isolate(p.name) + (handles && p.handle !== p.name ? ` (${escapeHtml(shownHandles(p).join(', '))})` : '')
    + (p.former ? ` (${formerNote(p.former)})` : '')).join(', ');
}

/** A conversation's title in the index; an unnamed group's is its members' names, each isolated from the commas between them. */
function indexTitle(conversation: Conversation): string {
  return conversation.isGroup && !conversation.groupName ? isolateWithin(conversation.title, conversation.participants.map((p) => p.name)) : escapeHtml(conversation.title);
}

/**
 * What the index says under a title: a named group's members, or the phone number or email of the person a
 * conversation is with, so that two people of the same name are told apart (an unnamed group's title is its members).
 */
function indexParticipants(conversation: Conversation): string {
  if (conversation.groupName) return participantsHtml(conversation, false);
  if (conversation.isGroup || onlyHandles(conversation)) return '';
  return escapeHtml(conversation.participants.flatMap(shownHandles).join(', '));
}

function onlyHandles(conversation: Conversation): boolean {
  return conversation.participants.every((p) => p.handle === p.name);
}

function countPhotos(message: Message): number {
  let photos = 0;
  for (const part of message.parts) {
    if (part.kind === 'attachment' && part.attachment.kind === 'image' && !part.attachment.isSticker) photos++;
  }
  return photos;
}

/**
 * Puts the activity chart in place of its mark on a page written before the chart was known, in the page's
 * bytes: decoding the pages (up to 900 KB each) as text and encoding them again took 0.3 s of a 200k export.
 */
async function fillMark(path: string, chart: string): Promise<void> {
  const page = await readFile(path);
  const at = page.indexOf(ACTIVITY_MARK);
  if (at < 0) return;
  const filled = Buffer.concat([page.subarray(0, at), Buffer.from(chart), page.subarray(at + ACTIVITY_MARK.length)]);
  await writeAtomically(path, filled);
}
