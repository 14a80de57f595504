import type { Canvas, Color } from './canvas.js';
import type { Block, Bubble } from './paginator.js';
import { PAGINATION, type Tag } from './tagging.js';
import type { TextLine, TextMark } from './text-layout.js';
import { lineHeight } from './theme.js';

/** A paragraph of one size, colour and weight. */
export interface Styled {
  text: string;
  size: number;
  color: Color;
  bold?: boolean;
  /** Stretches of the text struck through or underlined. */
  marks?: TextMark[];
  /** The structure element the paragraph is content of; none: it restates what a page starts in (an artifact). */
  tag?: Tag;
}

export interface BoxStyle {
  /** Where the box sits between the column edges; lines inside follow their own direction unless centered. */
  align: 'left' | 'right' | 'center';
  left: number;
  right: number;
  maxWidth: number;
  fill?: Color;
  stroke?: Color;
  padX?: number;
  padY?: number;
  spaceBefore?: number;
  keepWithNext?: boolean;
  minWidth?: number;
}

export interface StyledLine {
  line: TextLine;
  styled: Styled;
}

/** Lays paragraphs out into lines no wider than `width`, each line keeping its paragraph's style. */
export function layLines(canvas: Canvas, content: Styled[], width: number): StyledLine[] {
  return content.flatMap((styled) =>
    (styled.bold ? canvas.boldLayout : canvas.layout).lines(styled.text, styled.size, width, styled.marks).map((line) => ({ line, styled })),
  );
}

/** Draws a laid-out line in a line box starting at `top`, aligned to its direction within `width`. */
export async function drawLine(canvas: Canvas, { line, styled }: StyledLine, x: number, top: number, width: number): Promise<void> {
  await canvas.prepare([line]);
  canvas.line(line, line.rtl ? x + width - line.width : x, baselineIn(top, styled.size), styled.size, styled.color, styled.tag ?? PAGINATION);
}

/** Lays paragraphs out in a box (a bubble when it has a fill), one block per line. */
export function textBox(canvas: Canvas, content: Styled[], style: BoxStyle): Block[] {
  const padX = style.padX ?? 0;
  const inner = style.maxWidth - 2 * padX;
  const placed = layLines(canvas, content, inner);
  if (placed.length === 0) return [];
  const innerWidth = Math.max(...placed.map((p) => p.line.width), (style.minWidth ?? 0) - 2 * padX);
  const width = innerWidth + 2 * padX;
  const x =
    style.align === 'left' ? style.left : style.align === 'right' ? style.right - width : (style.left + style.right - width) / 2;
  const bubble: Bubble | undefined =
    style.fill || style.stroke ? { x, width, fill: style.fill ?? '#ffffff', stroke: style.stroke, padding: style.padY ?? 0 } : undefined;
  const centered = style.align === 'center' && !bubble;
  return placed.map((placedLine, i) => ({
    height: lineHeight(placedLine.styled.size),
    bubble,
    spaceBefore: i === 0 ? style.spaceBefore : 0,
    keepWithNext: style.keepWithNext,
    draw: (top: number) => {
      const lineX = centered ? x + padX + (innerWidth - placedLine.line.width) / 2 : x + padX;
      return drawLine(canvas, placedLine, lineX, top, centered ? placedLine.line.width : innerWidth);
    },
  }));
}

/** Baseline of text set at `size` in a line box starting at `top`. */
export function baselineIn(top: number, size: number): number {
  return top + size * 1.06;
}
