import type { Conversation } from '../../model/types.js';
import type { DateFormatter } from '../dates.js';
import { personWithHandles } from '../describe.js';
import { baselineIn } from './blocks.js';
import type { Canvas } from './canvas.js';
import type { BatesStamp } from './bates.js';
import type { LateText } from './late-text.js';
import { PAGINATION, type Mark } from './tagging.js';
import { isolated, type TextLine } from './text-layout.js';
import { COLORS, MARGIN, TYPE } from './theme.js';

// Baseline of the Bates number (and the time zone) above the page's bottom edge, in points.
const BATES_FROM_BOTTOM = 16;
// Width of a space in Noto Sans, in ems.
const SPACE = 0.26;

/** What every page shows around its messages. */
export interface FrameText {
  title: string;
  participants: string;
  dateRange: string;
  exported: string;
  /** In which zone the page's times are: said on every page, for a page handed over alone or a PDF without its cover. */
  zone: string;
}

export function frameText(conversation: Conversation, dates: DateFormatter, exportedAt: Date): FrameText {
  const { firstDate, lastDate } = conversation;
  const range = firstDate && lastDate ? `${dates.dayKey(firstDate)} – ${dates.dayKey(lastDate)}` : 'No messages';
  const people = conversation.participants.map((p) => personWithHandles(p, isolated));
  return {
    title: conversation.title,
    // Messages without a conversation have no participants, only their own senders.
    participants: people.length ? `With ${people.join(', ')}` : '',
    dateRange: range,
    exported: `Exported ${dates.dateTime(exportedAt)}`,
    zone: `Times in ${dates.timeZone}`,
  };
}

/** What a page's frame shows that is written late: the page total, and a Bates number when asked for. */
export interface FrameStamps {
  total: LateText;
  bates?: BatesStamp;
}

/**
 * Draws the header (title, participants) and footer (date range, page X of Y, export date) of one page,
 * and below the footer the time zone at the left and its Bates number at the right. All of it is pagination
 * but the title when `title` makes it an element (the heading of a PDF without a cover).
 */
export async function drawFrame(
  canvas: Canvas, text: FrameText, page: { width: number; height: number }, pageNumber: number, stamps: FrameStamps, title: Mark = PAGINATION,
): Promise<void> {
  const left = MARGIN.side;
  const right = page.width - MARGIN.side;
  const width = right - left;
  const third = width / 3;
  const footerTop = page.height - MARGIN.bottom + 18;
  const footer = baselineIn(footerTop, TYPE.small);
  const heading = firstLine(canvas, text.title, TYPE.header, width, true);
  const people = firstLine(canvas, text.participants, TYPE.small, width);
  const range = firstLine(canvas, text.dateRange, TYPE.small, third);
  const pages = firstLine(canvas, `Page ${pageNumber} of`, TYPE.small, third);
  // The total is not known yet; it is assumed about as wide as this page's number.
  const numberWidth = firstLine(canvas, String(pageNumber), TYPE.small, third).width;
  const pagesX = left + (width - pages.width - SPACE * TYPE.small - numberWidth) / 2;
  const exported = firstLine(canvas, text.exported, TYPE.small, third);
  const zone = firstLine(canvas, text.zone, TYPE.small, width / 2);
  await canvas.prepare([heading, people]);

  canvas.line(heading, left, baselineIn(26, TYPE.header), TYPE.header, COLORS.text, title);
  canvas.line(people, left, baselineIn(44, TYPE.small), TYPE.small, COLORS.muted, PAGINATION);
  canvas.line(range, left, footer, TYPE.small, COLORS.muted, PAGINATION);
  canvas.line(pages, pagesX, footer, TYPE.small, COLORS.muted, PAGINATION);
  stamps.total.place(pagesX + pages.width + SPACE * TYPE.small, footer);
  canvas.line(exported, right - exported.width, footer, TYPE.small, COLORS.muted, PAGINATION);
  canvas.line(zone, left, page.height - BATES_FROM_BOTTOM, TYPE.small, COLORS.muted, PAGINATION);
  stamps.bates?.place(right, page.height - BATES_FROM_BOTTOM);
  canvas.rule(left, MARGIN.top - 12, right, COLORS.faint);
  canvas.rule(left, footerTop - 6, right, COLORS.faint);
}

/** The text's first line, ending in an ellipsis when the text went on. */
function firstLine(canvas: Canvas, text: string, size: number, width: number, bold = false): TextLine {
  const layout = bold ? canvas.boldLayout : canvas.layout;
  const lines = layout.lines(text, size, width);
  if (lines.length === 1) return lines[0];
  const shortened = layout.lines(text, size, width - size * 1.5)[0];
  const ellipsis = layout.lines('…', size, width)[0];
  return { ...shortened, runs: [...shortened.runs, ...ellipsis.runs], width: shortened.width + ellipsis.width };
}
