// Renders a fitted handwritten message as SVG or as ASCII art (fixtures SCHEMA.md §4.8). Both
// outputs match the reference exporter's byte for byte.

import { decodeHandwriting, type Handwriting, type HandwritingPoint } from './handwriting.js';

const SVG_STYLE = `<style>
    .line {
        fill: none;
        stroke: black;
        stroke-linecap: round;
        stroke-linejoin: round;
    }
</style>
`;

/** Decodes a handwriting payload and renders it as SVG; throws DecodeError when it is malformed. */
export function handwritingSvg(payload: Uint8Array): string {
  return renderHandwritingSvg(decodeHandwriting(payload));
}

export function renderHandwritingSvg(drawing: Handwriting): string {
  const id = escapeXml(drawing.id);
  const parts = [
    '\n',
    `<svg viewBox="0 0 ${drawing.width} ${drawing.height}" preserveAspectRatio="xMidYMid meet" width="100%" height="100%" xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">\n`,
    `<title>${id}</title>\n`,
    `<metadata>\n<id>${id}</id>\n<createdAt>${drawing.createdAt}</createdAt>\n</metadata>\n`,
    SVG_STYLE,
  ];
  for (const stroke of drawing.strokes) {
    for (const run of widthRuns(stroke)) {
      parts.push(`<polyline class="line" points="${run.points.map(([x, y]) => `${x},${y}`).join(' ')}" stroke-width="${run.width}" />\n`);
    }
  }
  parts.push('</svg>\n');
  return parts.join('');
}

/**
 * Splits a stroke into polylines of equal width. The point where the width changes ends the
 * previous polyline and starts the next, so the line stays connected; the last polyline repeats
 * its final point (which also gives a one-point stroke a drawable line).
 */
export function widthRuns(stroke: HandwritingPoint[]): { width: number; points: HandwritingPoint[] }[] {
  if (stroke.length === 0) return [];
  const runs = [{ width: stroke[0][2], points: [stroke[0]] }];
  for (const point of stroke.slice(1)) {
    const current = runs[runs.length - 1];
    current.points.push(point);
    if (point[2] !== current.width) runs.push({ width: point[2], points: [point] });
  }
  const last = runs[runs.length - 1];
  last.points.push(last.points[last.points.length - 1]);
  return runs;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** What drawing it in characters needs: the strokes and the space they are in. */
type Strokes = Pick<Handwriting, 'width' | 'height' | 'strokes'>;

/**
 * The drawing as rows of `*` for plain text: as many rows as `maxRows` allows while no wider than
 * `maxColumns`, without trailing spaces or empty rows above and below; none for an empty drawing or
 * one too wide for a single row.
 */
export function handwritingLines(drawing: Strokes, maxRows: number, maxColumns: number): string[] {
  if (drawing.width <= 0 || drawing.height <= 0) return [];
  const rows = Math.min(maxRows, Math.floor((maxColumns * drawing.height) / drawing.width));
  if (rows < 1) return [];
  const lines = renderHandwritingAscii(drawing, rows).split('\n').slice(0, -1).map((line) => line.trimEnd());
  while (lines.at(-1) === '') lines.pop();
  return lines.slice(lines.findIndex((line) => line !== ''));
}

/** Renders the drawing as rows of `*` at most `maxHeight` rows tall, each row ending in "\n". */
export function renderHandwritingAscii(drawing: Strokes, maxHeight: number): string {
  const rows = Math.min(maxHeight, drawing.height);
  const columns = drawing.height > 0 ? Math.floor((drawing.width * rows) / drawing.height) : 0;
  const grid = Array.from({ length: rows }, () => new Array<string>(columns).fill(' '));
  // x is scaled by the row count and y by the column count, as the reference renderer does.
  const scaleX = (x: number): number => (drawing.height > 0 ? Math.floor((x * rows) / drawing.height) : 0);
  const scaleY = (y: number): number => (drawing.width > 0 ? Math.floor((y * columns) / drawing.width) : 0);
  const plot = (x: number, y: number): void => {
    if (y >= 0 && y < rows && x >= 0 && x < columns) grid[y][x] = '*';
  };
  for (const stroke of drawing.strokes) {
    for (let i = 1; i < stroke.length; i++) {
      drawLine(scaleX(stroke[i - 1][0]), scaleY(stroke[i - 1][1]), scaleX(stroke[i][0]), scaleY(stroke[i][1]), plot);
    }
  }
  return grid.map((row) => `${row.join('')}\n`).join('');
}

/** Bresenham's line from (x0, y0) to (x1, y1), both ends included. */
function drawLine(x0: number, y0: number, x1: number, y1: number, plot: (x: number, y: number) => void): void {
  const dx = Math.abs(x1 - x0);
  const dy = -Math.abs(y1 - y0);
  const stepX = x0 < x1 ? 1 : -1;
  const stepY = y0 < y1 ? 1 : -1;
  let error = dx + dy;
  for (;;) {
    plot(x0, y0);
    if (x0 === x1 && y0 === y1) return;
    const doubled = 2 * error;
    if (doubled >= dy) {
      error += dy;
      x0 += stepX;
    }
    if (doubled <= dx) {
      error += dx;
      y0 += stepY;
    }
  }
}
