import { widthRuns } from '../../decode/handwriting-render.js';
import type { Drawing } from '../../model/types.js';

// Widest a drawing is shown, in CSS pixels; narrower screens shrink it.
const MAX_WIDTH = 320;

/** A handwritten message as inline SVG: one round-capped polyline per run of equal stroke width. */
export function drawingSvg(drawing: Drawing): string {
  const width = Math.min(MAX_WIDTH, drawing.width);
  let svg =
    `<svg class="drawing" role="img" aria-label="Handwritten message" viewBox="0 0 ${drawing.width} ${drawing.height}" ` +
    `width="${width}" style="max-width:100%;height:auto" fill="none" stroke="currentColor" stroke-linecap="round" stroke-linejoin="round">`;
  for (const stroke of drawing.strokes) {
    for (const run of widthRuns(stroke)) {
      svg += `<polyline points="${run.points.map(([x, y]) => `${x},${y}`).join(' ')}" stroke-width="${run.width}"/>`;
    }
  }
  return `${svg}</svg>`;
}
