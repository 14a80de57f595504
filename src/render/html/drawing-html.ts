import { widthRuns } from '../../decode/handwriting-render.js';
import type { Drawing } from '../../model/types.js';
import { escapeHtml } from './escape.js';

// Widest a drawing is shown, in CSS pixels; narrower screens shrink it.
const MAX_WIDTH = 320;

/**
 * A drawing as inline SVG: its background, its filled shapes, then one round-capped polyline per run
 * of equal stroke width (in the stroke's color, else the text's).
 */
export function drawingSvg(drawing: Drawing, label: string): string {
  const width = Math.min(MAX_WIDTH, drawing.width);
  let svg =
    `<svg class="drawing" role="img" aria-label="${escapeHtml(label)}" viewBox="0 0 ${drawing.width} ${drawing.height}" ` +
    `width="${width}" fill="none" stroke="currentColor" stroke-linecap="round" stroke-linejoin="round">`;
  if (drawing.background) svg += `<rect width="${drawing.width}" height="${drawing.height}" fill="${drawing.background}" stroke="none"/>`;
  for (const fill of drawing.fills ?? []) svg += `<polygon points="${pointList(fill.points)}" fill="${fill.color}" stroke="none"/>`;
  drawing.strokes.forEach((stroke, i) => {
    const color = drawing.strokeColors?.[i] ? ` stroke="${drawing.strokeColors[i]}"` : '';
    for (const run of widthRuns(stroke)) svg += `<polyline points="${pointList(run.points)}" stroke-width="${run.width}"${color}/>`;
  });
  return `${svg}</svg>`;
}

function pointList(points: readonly (readonly number[])[]): string {
  return points.map(([x, y]) => `${x},${y}`).join(' ');
}
