// The activity chart: messages per month, stacked by sender. Geometry here; SVG (HTML) and PDF draw it.
import { OWNER_HANDLE } from '../model/types.js';
import type { MonthStats } from './collector.js';

/** Colours of the owner (the blue of sent bubbles) and the most active senders, in order; everyone else is grey. */
const PALETTE = ['#1a7cf5', '#2fb64d', '#f29d38', '#a357d7', '#e0445a'];
const OTHERS = '#aeaeb2';
/** The most series a chart has, "Others" included. */
export const MAX_SERIES = PALETTE.length;

export interface ChartSeries {
  label: string;
  color: string;
}

export interface YearTick {
  x: number;
  label: string;
}

export interface ChartBar {
  x: number;
  /** From the top of the plot (y grows downwards, as in SVG and pdfkit). */
  y: number;
  width: number;
  height: number;
  color: string;
  /** What the bar stands for, e.g. "2024-03 · Alice: 12". */
  title: string;
}

export interface ActivityChart {
  width: number;
  height: number;
  bars: ChartBar[];
  /** Every year's place under the plot, at its January (or the first month shown); drawings keep those spacedYearLabels gives. */
  years: YearTick[];
  series: ChartSeries[];
  /** The busiest month's count, the top of the scale. */
  max: number;
  /** What the bars add up to in each year: a count per series, in the order of `series`. */
  perYear: YearCounts[];
}

export interface YearCounts {
  year: string;
  counts: number[];
  total: number;
}

/**
 * Lays out the months as stacked bars in a plot of this size (labels go below it). `names` gives a
 * sender's person by handle (see personLabels: one person's handles make one series, namesakes two);
 * senders beyond the palette are stacked together as "Others".
 */
export function activityChart(months: MonthStats[], names: Map<string, string>, width: number, height: number): ActivityChart {
  const byName = months.map((m) => {
    const counts: Record<string, number> = {};
    for (const [handle, n] of Object.entries(m.bySender)) counts[names.get(handle) ?? handle] = (counts[names.get(handle) ?? handle] ?? 0) + n;
    return counts;
  });
  const totals = new Map<string, number>();
  for (const counts of byName) for (const [name, n] of Object.entries(counts)) totals.set(name, (totals.get(name) ?? 0) + n);
  // The owner comes first, so that their colour is the same on every page and in every PDF.
  const owner = names.get(OWNER_HANDLE) ?? OWNER_HANDLE;
  const first = (name: string) => (name === owner ? 0 : 1);
  const ranked = [...totals].sort((a, b) => first(a[0]) - first(b[0]) || b[1] - a[1] || a[0].localeCompare(b[0])).map(([name]) => name);
  const shown = ranked.length > PALETTE.length ? ranked.slice(0, PALETTE.length - 1) : ranked;
  const series: ChartSeries[] = shown.map((name, i) => ({ label: name, color: PALETTE[i]! }));
  if (shown.length < ranked.length) series.push({ label: 'Others', color: OTHERS });
  const max = Math.max(1, ...months.map((m) => m.messages));
  const step = width / Math.max(1, months.length);
  // A period of a few months draws bars as narrow as a longer one's, not blocks filling the plot.
  const barWidth = Math.max(Math.min(step * 0.8, height / 4), 0.5);
  const bars: ChartBar[] = [];
  const years: YearTick[] = [];
  const perYear: YearCounts[] = [];
  months.forEach((m, i) => {
    const x = i * step;
    const year = m.month.slice(0, 4);
    if (i === 0 || m.month.endsWith('-01')) years.push({ x, label: year });
    let top = height;
    const counts = shown.map((name) => byName[i]![name] ?? 0);
    counts.push(m.messages - counts.reduce((a, b) => a + b, 0));
    addToYear(perYear, year, counts.slice(0, series.length), m.messages);
    counts.forEach((n, s) => {
      if (n <= 0) return;
      const h = (n / max) * height;
      top -= h;
      bars.push({ x, y: top, width: barWidth, height: h, color: series[s]!.color, title: `${m.month} · ${series[s]!.label}: ${n}` });
    });
  });
  return { width, height, bars, years, series, max, perYear };
}

/** Adds a month's counts to its year's (months come in order). */
function addToYear(perYear: YearCounts[], year: string, counts: number[], total: number): void {
  let last = perYear.at(-1);
  if (last?.year !== year) perYear.push(last = { year, counts: counts.map(() => 0), total: 0 });
  counts.forEach((n, s) => { last!.counts[s]! += n; });
  last.total += total;
}

// Years a label is kept for, tried in turn: every year, then every 2nd, 5th, … (years divisible by the step).
const YEAR_STEPS = [1, 2, 5, 10, 20, 50, 100];

/**
 * The year labels to draw, left-aligned at their ticks, so that no two overlap and none runs past the
 * plot's width: every year when they fit (else all but the first), else those of the smallest step in
 * YEAR_STEPS that fits (2010, 2015, 2020), else the labels a left-to-right pass can keep. `labelWidth` measures a label as drawn.
 */
export function spacedYearLabels(years: YearTick[], width: number, labelWidth: (label: string) => number, gap: number): YearTick[] {
  const inside = years.filter((t) => t.x + labelWidth(t.label) <= width);
  const apart = (a: YearTick, b: YearTick) => b.x - a.x >= labelWidth(a.label) + gap;
  const fits = (labels: YearTick[]) => labels.length > 0 && labels.every((t, i) => i === 0 || apart(labels[i - 1]!, t));
  for (const step of YEAR_STEPS) {
    const round = inside.filter((t) => Number(t.label) % step === 0);
    // A history that starts late in a year has its first label close to the next: that one goes before every other year does.
    const found = [round, round.slice(1)].find(fits);
    if (found) return found;
  }
  const kept: YearTick[] = [];
  for (const t of inside) if (kept.length === 0 || apart(kept.at(-1)!, t)) kept.push(t);
  return kept;
}

/**
 * The chart's caption. Group events are no one's messages: it says how many it leaves out, which the message
 * count beside it (a conversation's, `list`'s) includes.
 */
export function chartCaption(busiest: number, events: number): string {
  const left = events === 0 ? '' : `; ${events.toLocaleString('en-US')} group ${events === 1 ? 'event' : 'events'} not counted`;
  return `Messages per month (busiest: ${busiest.toLocaleString('en-US')}${left})`;
}
