import stringWidth from 'string-width';
import { oneLine } from '../render/control-pictures.js';

export interface Column {
  header: string;
  /** May be cut short (with …) when the table is wider than the terminal. */
  shrinks?: boolean;
  alignRight?: boolean;
  /** Left out, lowest first, while the table is wider than the terminal even with every shrinkable column cut short. */
  dropOrder?: number;
  /** Not cut below this width (or its natural one) while a droppable column can be left out instead. */
  keeps?: number;
}

const GAP = 2;

/**
 * Rows as aligned columns at most `width` display columns wide (wide characters and emoji count
 * double): the shrinkable columns give up space, widest first, down to a few characters each; if that
 * is not enough, or would cut a column below what it keeps, the droppable columns are left out, so that no
 * row wraps.
 */
export function formatTable(columns: Column[], cells: string[][], width = Infinity): string[] {
  const rows = cells.map((row) => row.map(oneLine));
  const natural = columns.map((column, i) => Math.max(stringWidth(column.header), ...rows.map((row) => stringWidth(row[i]!))));
  const droppable = columns.flatMap((c, i) => (c.dropOrder === undefined ? [] : [i])).sort((a, b) => columns[a]!.dropOrder! - columns[b]!.dropOrder!);
  let shown = columns.map((_, i) => i);
  let widths = shrunk(shown, columns, natural, width);
  const squeezed = () => shown.some((i, k) => widths[k]! < Math.min(natural[i]!, columns[i]!.keeps ?? 0));
  while ((overflows(widths, width) || squeezed()) && droppable.length > 0) {
    const dropped = droppable.shift();
    shown = shown.filter((i) => i !== dropped);
    widths = shrunk(shown, columns, natural, width);
  }
  const line = (cells: string[]) =>
    shown
      .map((i, k) => pad(cut(cells[i]!, widths[k]!), widths[k]!, columns[i]!.alignRight ?? false))
      .join(' '.repeat(GAP))
      .trimEnd();
  return [line(columns.map((c) => c.header)), ...rows.map(line)];
}

const overflows = (widths: number[], width: number) => widths.reduce((sum, w) => sum + w, 0) + GAP * (widths.length - 1) > width;

/** The widths of the columns shown, the shrinkable ones narrowed, widest first, until the table fits or none can give more. */
function shrunk(shown: number[], columns: Column[], natural: number[], width: number): number[] {
  const widths = shown.map((i) => natural[i]!);
  while (overflows(widths, width)) {
    const widest = widths.reduce((best, w, k) => (columns[shown[k]!]!.shrinks && w > MIN_WIDTH && (best < 0 || w > widths[best]!) ? k : best), -1);
    if (widest < 0) break;
    widths[widest]!--;
  }
  return widths;
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
