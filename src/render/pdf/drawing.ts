import { widthRuns } from '../../decode/handwriting-render.js';
import type { Drawing } from '../../model/types.js';
import type { Canvas } from './canvas.js';
import type { Block } from './paginator.js';
import type { Tag } from './tagging.js';
import { COLORS } from './theme.js';

const MAX = { width: 220, height: 160 };
const PAD = 6;

/** A drawing (handwriting, Digital Touch) as vector shapes in a box, at most MAX in size and as wide as its side; the content of `figure`. */
export function drawingBlock(canvas: Canvas, drawing: Drawing, side: { left: number; right: number; align: string }, figure: Tag): Block {
  const maxWidth = Math.min(MAX.width, side.right - side.left - 2 * PAD);
  const scale = Math.min(maxWidth / drawing.width, MAX.height / drawing.height);
  const width = drawing.width * scale + 2 * PAD;
  const height = drawing.height * scale + 2 * PAD;
  const x = side.align === 'right' ? side.right - width : side.left;
  return {
    height,
    spaceBefore: 3,
    draw: (top) => {
      canvas.mark(figure);
      canvas.roundedBox(x, top, width, height, drawing.background ?? COLORS.box, COLORS.boxStroke);
      drawShapes(canvas.doc, drawing, x + PAD, top + PAD, scale);
    },
  };
}

/** The filled shapes, then each stroke's runs of equal width as round-capped polylines, like the Messages app draws them. */
function drawShapes(doc: PDFKit.PDFDocument, drawing: Drawing, left: number, top: number, scale: number): void {
  const path = (points: readonly (readonly number[])[]) => {
    const [first, ...rest] = points;
    doc.moveTo(left + first![0]! * scale, top + first![1]! * scale);
    for (const [x, y] of rest) doc.lineTo(left + x! * scale, top + y! * scale);
  };
  doc.save().lineCap('round').lineJoin('round');
  for (const fill of drawing.fills ?? []) {
    path(fill.points);
    doc.closePath().fill(fill.color);
  }
  drawing.strokes.forEach((stroke, i) => {
    for (const run of widthRuns(stroke)) {
      path(run.points);
      doc.lineWidth(run.width * scale).stroke(drawing.strokeColors?.[i] ?? COLORS.text);
    }
  });
  doc.restore();
}
