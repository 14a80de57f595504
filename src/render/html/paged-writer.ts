import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeAtomically, writeWhole } from '../../output/files.js';
import { Utf8Buffer } from '../../output/utf8-buffer.js';
import { secondOf } from './anchors.js';

/** One written page of a conversation, as listed in its pages.js for the page picker. */
export interface PageInfo {
  file: string;
  /** Local days (yyyy-MM-dd) of the first and last message on the page. */
  first: string;
  last: string;
  /** The seconds the first and last message on the page were sent (see `secondOf`): app.js finds a message's page by them. */
  from: number;
  to: number;
  count: number;
}

/** What the page layout is filled with. */
export interface PageContent {
  page: number;
  prev?: string;
  next?: string;
  firstDay: string;
  lastDay: string;
  body: string;
}

export interface PageLimits {
  messages: number;
  /** Bytes of message HTML per page; the layout adds a few kilobytes. */
  bytes: number;
}

export const DEFAULT_PAGE_LIMITS: PageLimits = { messages: 1000, bytes: 900_000 };

export function pageFile(page: number): string {
  return `p${page}.html`;
}

/** Stands for the page's messages in the layout, which is written around them (see write). */
const BODY_MARK = '\u0000textkeeper-page-body\u0000';
const EMPTY_BODY = '<p class="empty">No messages.</p>\n';

/**
 * Splits a conversation's HTML into pages p1.html, p2.html, … of bounded size. Only the page being
 * filled is held in memory, as UTF-8 bytes; it is written when the next message would not fit, so its
 * "Later" link is known to lead somewhere.
 */
export class PagedWriter {
  readonly pages: PageInfo[] = [];
  private readonly body = new Utf8Buffer(1024 * 1024);
  private count = 0;
  private first = '';
  private last = '';
  private from = 0;
  private to = 0;

  constructor(
    private readonly folder: string,
    private readonly layout: (content: PageContent) => string,
    private readonly limits: PageLimits = DEFAULT_PAGE_LIMITS,
    /** Closes what the page's messages left open (their day's list). */
    private readonly bodyEnd = '',
  ) {}

  /** Number of the page being filled (1-based). */
  get page(): number {
    return this.pages.length + 1;
  }

  get isEmpty(): boolean {
    return this.count === 0;
  }

  /** True when another message should start a new page. */
  get isFull(): boolean {
    return this.count >= this.limits.messages || this.body.length >= this.limits.bytes;
  }

  /** A message sent on local day `dayKey`, at `date`. */
  add(html: string, dayKey: string, date: Date): void {
    const second = secondOf(date);
    if (this.count === 0) {
      this.first = dayKey;
      this.from = second;
    }
    this.last = dayKey;
    this.to = second;
    this.count++;
    this.body.append(html);
  }

  /** Writes the page being filled, linking forward to the next one. */
  async nextPage(): Promise<void> {
    await this.write(true);
  }

  /** Writes the last page (an empty one for a conversation without messages). */
  async finish(): Promise<PageInfo[]> {
    await this.write(false);
    await writeAtomically(join(this.folder, 'pages.js'), `window.tkPages = ${JSON.stringify(this.pages)};\n`);
    return this.pages;
  }

  /**
   * Removes the pages written so far (the conversation failed or was interrupted): each links to the
   * next, and the last of them to a page that will never be written.
   */
  async discard(): Promise<void> {
    await Promise.all(this.pages.map((page) => rm(join(this.folder, page.file), { force: true })));
  }

  /** The layout around the page's messages; the messages' bytes are written as they are. */
  private async write(hasNext: boolean): Promise<void> {
    const page = this.page;
    const html = this.layout({
      page,
      prev: page > 1 ? pageFile(page - 1) : undefined,
      next: hasNext ? pageFile(page + 1) : undefined,
      firstDay: this.first,
      lastDay: this.last,
      body: BODY_MARK,
    });
    const at = html.indexOf(BODY_MARK);
    await writeWhole(join(this.folder, pageFile(page)), async (file) => {
      await file.write(html.slice(0, at));
      if (this.count > 0) {
        await this.body.writeTo(file);
        await file.write(this.bodyEnd);
      } else await file.write(EMPTY_BODY);
      await file.write(html.slice(at + BODY_MARK.length));
    });
    this.pages.push({ file: pageFile(page), first: this.first, last: this.last, from: this.from, to: this.to, count: this.count });
    this.count = 0;
  }
}
