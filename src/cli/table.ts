import stringWidth from 'string-width';
import { oneLine } from '../render/control-pictures.js';

export interface Column {
  header: string;
  /** May be cut short (with …) when the table is wider than the terminal. */
  shrinks?: boolean;
  alignRight?: boolean;
}

/**
 * Rows as aligned columns at most `width` display columns wide (wide characters and emoji count
 * double): the shrinkable columns give up space, widest first, down to a few characters each.
 */
export function formatTable(columns: Column[], cells: string[][], width = Infinity): string[] {
  const rows = cells.map((row) => row.map(oneLine));
  const widths = columns.map((column, i) => Math.max(stringWidth(column.header), ...rows.map((row) => stringWidth(row[i]!))));
  const gap = 2;
  let excess = widths.reduce((sum, w) => sum + w, 0) + gap * (columns.length - 1) - width;
  while (excess > 0) {
    const widest = widths.reduce((best, w, i) => (columns[i]!.shrinks && w > MIN_WIDTH && (best < 0 || w > widths[best]!) ? i : best), -1);
    if (widest < 0) break;
    widths[widest]!--;
    excess--;
  }
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => pad(cut(cell, widths[i]!), widths[i]!, columns[i]!.alignRight ?? false))
      .join(' '.repeat(gap))
      .trimEnd();
  return [line(columns.map((c) => c.header)), ...rows.map(line)];
}

const MIN_WIDTH = 8;

function cut(text: string, width: number): string {
  if (stringWidth(text) <= width) return text;
  let kept = '';
  for (const { segment } of new Intl.Segmenter().segment(text)) {
    if (stringWidth(kept + segment) > width - 1) break;
    kept += segment;
  }
  return `${kept}…`;
}

function pad(text: string, width: number, right: boolean): string {
  const space = ' '.repeat(Math.max(0, width - stringWidth(text)));
  return right ? space + text : text + space;
}
