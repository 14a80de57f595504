import { widthRuns } from '../../decode/handwriting-render.js';
import type { Drawing } from '../../model/types.js';
import type { Canvas } from './canvas.js';
import type { Block } from './paginator.js';
import { COLORS } from './theme.js';

const MAX = { width: 220, height: 160 };
const PAD = 6;

/** A handwritten message drawn as vector strokes in a white box, at most MAX in size. */
export function drawingBlock(canvas: Canvas, drawing: Drawing, side: { left: number; right: number; align: string }): Block {
  const scale = Math.min(MAX.width / drawing.width, MAX.height / drawing.height);
  const width = drawing.width * scale + 2 * PAD;
  const height = drawing.height * scale + 2 * PAD;
  const x = side.align === 'right' ? side.right - width : side.left;
  return {
    height,
    spaceBefore: 3,
    draw: (top) => {
      canvas.roundedBox(x, top, width, height, COLORS.box, COLORS.boxStroke);
      drawStrokes(canvas.doc, drawing, x + PAD, top + PAD, scale);
    },
  };
}

/** Each run of equal width as one round-capped polyline, like the Messages app draws it. */
function drawStrokes(doc: PDFKit.PDFDocument, drawing: Drawing, left: number, top: number, scale: number): void {
  doc.save().lineCap('round').lineJoin('round');
  for (const stroke of drawing.strokes) {
    for (const run of widthRuns(stroke)) {
      const [first, ...rest] = run.points;
      doc.moveTo(left + first![0] * scale, top + first![1] * scale);
      for (const [x, y] of rest) doc.lineTo(left + x * scale, top + y * scale);
      doc.lineWidth(run.width * scale).stroke(COLORS.text);
    }
  }
  doc.restore();
}
