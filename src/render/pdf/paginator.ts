import type { Canvas, Color } from './canvas.js';
import { ORNAMENT } from './tagging.js';

/** A background shared by consecutive blocks (a message bubble, a file box). */
export interface Bubble {
  x: number;
  width: number;
  fill: Color;
  stroke?: Color;
  padding: number;
}

/** A vertical slice of content that is never split across pages. */
export interface Block {
  height: number;
  /** Space above the block unless it starts a page. */
  spaceBefore?: number;
  bubble?: Bubble;
  /** Do not leave this block last on a page (day separators, sender names). */
  keepWithNext?: boolean;
  /** Blocks that restate where this block belongs (its day, sender, table row) when a page starts with it. */
  context?(): Block[];
  draw?(top: number): void | Promise<void>;
}

export interface PageArea {
  top: number;
  bottom: number;
}

// Messages no taller than this share a page rather than split across two.
const KEEP_TOGETHER_SHARE = 0.35;

/** Places blocks top to bottom, page by page, drawing each page's share as soon as it is known. */
export class Paginator {
  pageCount = 0;
  private y = 0;
  private firstOnPage = true;
  /** Whether a page break may come before the next block: not on a page holding nothing or only restated context. */
  private breakable = false;

  constructor(
    private readonly area: PageArea,
    private readonly canvas: Canvas,
    private readonly startPage: (pageNumber: number) => Promise<void>,
  ) {}

  async newPage(): Promise<void> {
    this.pageCount++;
    this.y = this.area.top;
    this.firstOnPage = true;
    this.breakable = false;
    await this.startPage(this.pageCount);
  }

  /** Places one message's blocks, keeping a short message on one page. */
  async place(blocks: Block[]): Promise<void> {
    if (blocks.length === 0) return;
    const bodyHeight = this.area.bottom - this.area.top;
    const total = this.extent(blocks, 0, blocks.length, false);
    if (this.breakable && total <= bodyHeight * KEEP_TOGETHER_SHARE && this.y + total > this.area.bottom) {
      await this.breakBefore(blocks[0]);
    }
    let segmentStart = 0;
    const tops: number[] = [];
    for (let i = 0; i < blocks.length; i++) {
      let need = this.need(blocks, i, i > segmentStart);
      // A run of keep-with-next blocks moves to the next page together with the block that ends it.
      for (let j = i; blocks[j].keepWithNext && j + 1 < blocks.length; j++) need += this.need(blocks, j + 1, true);
      if (this.breakable && this.y + need > this.area.bottom) {
        await this.drawSegment(blocks, segmentStart, i, tops);
        await this.breakBefore(blocks[i]);
        segmentStart = i;
      }
      const block = blocks[i];
      if (!this.firstOnPage) this.y += block.spaceBefore ?? 0;
      if (block.bubble && (i === segmentStart || blocks[i - 1].bubble !== block.bubble)) this.y += block.bubble.padding;
      tops[i] = this.y;
      this.y += block.height;
      if (block.bubble && blocks[i + 1]?.bubble !== block.bubble) this.y += block.bubble.padding;
      this.firstOnPage = false;
      this.breakable = true;
    }
    await this.drawSegment(blocks, segmentStart, blocks.length, tops);
  }

  /** Starts a new page for `block`, and restates its context at the top. */
  private async breakBefore(block: Block): Promise<void> {
    await this.newPage();
    const context = block.context?.() ?? [];
    if (context.length === 0) return;
    await this.place(context);
    this.breakable = false;
  }

  /** Height block i needs here, with its bubble's padding. */
  private need(blocks: Block[], i: number, continuesSegment: boolean): number {
    const block = blocks[i];
    let need = block.height + (this.firstOnPage && !continuesSegment ? 0 : (block.spaceBefore ?? 0));
    if (block.bubble) {
      if (!continuesSegment || blocks[i - 1].bubble !== block.bubble) need += block.bubble.padding;
      need += block.bubble.padding;
    }
    return need;
  }

  private extent(blocks: Block[], from: number, to: number, startsPage: boolean): number {
    let height = 0;
    for (let i = from; i < to; i++) {
      const block = blocks[i];
      if (i > from || !startsPage) height += block.spaceBefore ?? 0;
      height += block.height;
      if (block.bubble && blocks[i - 1]?.bubble !== block.bubble) height += block.bubble.padding;
      if (block.bubble && blocks[i + 1]?.bubble !== block.bubble) height += block.bubble.padding;
    }
    return height;
  }

  /** Draws the blocks from..to-1 of one page: bubble backgrounds first, then contents. */
  private async drawSegment(blocks: Block[], from: number, to: number, tops: number[]): Promise<void> {
    const canvas = this.canvas;
    if (from >= to) return;
    for (let i = from; i < to; i++) {
      const bubble = blocks[i].bubble;
      if (!bubble || (i > from && blocks[i - 1].bubble === bubble)) continue;
      let last = i;
      while (last + 1 < to && blocks[last + 1].bubble === bubble) last++;
      const top = tops[i] - bubble.padding;
      const bottom = tops[last] + blocks[last].height + bubble.padding;
      canvas.mark(ORNAMENT);
      canvas.roundedBox(bubble.x, top, bubble.width, bottom - top, bubble.fill, bubble.stroke);
    }
    for (let i = from; i < to; i++) await blocks[i].draw?.(tops[i]);
  }
}
