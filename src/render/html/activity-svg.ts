import type { MonthStats } from '../../stats/collector.js';
import { activityChart, chartCaption, spacedYearLabels, type ActivityChart } from '../../stats/activity-chart.js';
import { escapeHtml } from './escape.js';

const WIDTH = 640;
const PLOT = 96;
/** A year's label at 10 units (four digits), and the room kept between two labels, in the SVG's units. */
const YEAR_LABEL = 26;
const LABEL_GAP = 8;
/**
 * The labels' font sizes in style.css: 10 units where the chart is drawn at its width, 20 on a phone, where it is
 * drawn at half of it or less (else 5 px); each size has labels spaced for it, the other's hidden.
 */
const LABEL_SIZES = [['years', 10], ['years narrow', 20]] as const;

/** Messages per month by sender as inline SVG (no script): bars with tooltips, year labels and a legend. */
export function activitySvg(months: MonthStats[], names: Map<string, string>, events: number): string {
  if (months.length === 0) return '';
  const chart = activityChart(months, names, WIDTH, PLOT);
  const bars = chart.bars.map((b) =>
    `<rect x="${b.x.toFixed(1)}" y="${b.y.toFixed(1)}" width="${b.width.toFixed(1)}" height="${b.height.toFixed(1)}" fill="${b.color}"><title>${escapeHtml(b.title)}</title></rect>`);
  const ticks = LABEL_SIZES.map(([kind, size]) => {
    const labels = spacedYearLabels(chart.years, WIDTH, () => (YEAR_LABEL * size) / 10, (LABEL_GAP * size) / 10);
    return `<g class="${kind}">${labels.map((t) => `<text x="${t.x.toFixed(1)}" y="${PLOT + 4 + size}">${t.label}</text>`).join('')}</g>`;
  });
  // Swatches as SVG: the pages' content security policy allows no inline styles.
  const legend = chart.series.map((s) => `<span><svg class="swatch" viewBox="0 0 10 10" aria-hidden="true"><rect width="10" height="10" rx="2" fill="${s.color}"/></svg>${escapeHtml(s.label)}</span>`).join(' ');
  // The drawing is hidden from the accessibility tree, whose name for the image Chromium otherwise extends with the year labels.
  return `<figure class="activity"><svg viewBox="0 -4 ${WIDTH} ${PLOT + 30}" role="img" aria-label="Messages per month, by sender (busiest month: ${chart.max})">` +
    `<g aria-hidden="true"><line x1="0" y1="${PLOT}" x2="${WIDTH}" y2="${PLOT}"/>${bars.join('')}${ticks.join('')}</g></svg>` +
    `<figcaption>${chartCaption(chart.max, events)} · ${legend}</figcaption></figure>${yearTable(chart)}`;
}

/** The chart's numbers for the keyboard and a screen reader, which its bars' tooltips do not reach: messages per year by sender. */
function yearTable(chart: ActivityChart): string {
  const number = (n: number) => n.toLocaleString('en-US');
  const head = chart.series.map((s) => `<th scope="col">${escapeHtml(s.label)}</th>`).join('');
  const rows = chart.perYear.map((y) => `<tr><th scope="row">${y.year}</th>${y.counts.map((n) => `<td>${number(n)}</td>`).join('')}<td>${number(y.total)}</td></tr>`);
  return `<details class="activity-table"><summary>Messages per year</summary><table><thead><tr><th scope="col">Year</th>${head}<th scope="col">All</th></tr></thead>` +
    `<tbody>${rows.join('')}</tbody></table></details>`;
}
