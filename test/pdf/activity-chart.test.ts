import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { MonthStats } from '../../src/stats/collector.js';
import { activityChart, spacedYearLabels, type YearTick } from '../../src/stats/activity-chart.js';
import { activitySvg } from '../../src/render/html/activity-svg.js';
import { exportContext, me, message, renderPdf, text } from './builders.js';
import { pdfText, pdfToolsPresent, savePng, squash } from './pdf-tools.js';
import { ROOT, runCli, tempDir } from '../support/cli.js';

// A year label as the cover draws it (7 pt digits of Noto Sans are about 4 pt wide).
const LABEL_WIDTH = 16;
const GAP = 6;
const measure = () => LABEL_WIDTH;

/** Every month from `first` ("2014-12") for `count` months, each with one message. */
function months(first: string, count: number): MonthStats[] {
  const [year, month] = first.split('-').map(Number) as [number, number];
  return Array.from({ length: count }, (_, i) => {
    const index = year * 12 + month - 1 + i;
    return { month: `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`, messages: 1, bySender: { me: 1 } };
  });
}

function yearsOf(first: string, count: number, width: number): YearTick[] {
  return activityChart(months(first, count), new Map([['me', 'Me']]), width, 70).years;
}

/** Labels drawn left-aligned at x: none may reach into the next, none may run past the plot. */
function expectApart(labels: YearTick[], width: number): void {
  for (const [i, label] of labels.entries()) {
    expect(label.x + LABEL_WIDTH).toBeLessThanOrEqual(width);
    if (i > 0) expect(label.x - labels[i - 1]!.x).toBeGreaterThanOrEqual(LABEL_WIDTH + GAP);
  }
}

describe('year labels under the activity chart', () => {
  test('every year is labelled when there is room', () => {
    const labels = spacedYearLabels(yearsOf('2021-01', 36, 528), 528, measure, GAP);
    expect(labels.map((l) => l.label)).toEqual(['2021', '2022', '2023']);
  });

  test('a history that starts in December does not put its first two years on top of each other', () => {
    const years = yearsOf('2014-12', 121, 528);
    // The first month's year and the next January are one bar apart.
    expect(years[1]!.x - years[0]!.x).toBeLessThan(LABEL_WIDTH);
    const labels = spacedYearLabels(years, 528, measure, GAP);
    expectApart(labels, 528);
    expect(labels.map((l) => l.label)).toEqual(['2015', '2016', '2017', '2018', '2019', '2020', '2021', '2022', '2023', '2024']);
  });

  test('many years on a narrow chart: every 5th, 10th… year, never overlapping', () => {
    const labels = spacedYearLabels(yearsOf('1971-01', 54 * 12, 300), 300, measure, GAP);
    expectApart(labels, 300);
    expect(labels.length).toBeGreaterThan(3);
    expect(labels.every((l) => Number(l.label) % 5 === 0)).toBe(true);
  });

  test('any span on any width: labels never overlap and stay inside the chart', () => {
    for (const width of [60, 100, 180, 300, 528]) {
      for (let count = 1; count <= 400; count += 7) {
        for (const first of ['2000-01', '2003-06', '2009-12']) expectApart(spacedYearLabels(yearsOf(first, count, width), width, measure, GAP), width);
      }
    }
  });

  test('a period of one or a few months draws narrow bars, not blocks across the plot', () => {
    for (const count of [1, 2, 5]) {
      const { bars } = activityChart(months('2024-03', count), new Map([['me', 'Me']]), 528, 70);
      expect(bars).toHaveLength(count);
      for (const bar of bars) expect(bar.width).toBeLessThanOrEqual(70 / 4);
    }
    const decade = activityChart(months('2014-12', 121), new Map([['me', 'Me']]), 528, 70).bars;
    expect(decade[0]!.width).toBeCloseTo((528 / 121) * 0.8);
  });

  test('the HTML chart, starting in December, draws years that do not overlap, in either set of labels (a phone\'s twice as large)', () => {
    const svg = activitySvg(months('2014-12', 121), new Map([['me', 'Me']]), 0);
    const sets = [...svg.matchAll(/<g class="(years[^"]*)">(.*?)<\/g>/g)].map(([, kind, labels]) => ({ kind, xs: [...labels!.matchAll(/<text x="([\d.]+)"[^>]*>(\d{4})<\/text>/g)].map((m) => Number(m[1])) }));
    expect(sets.map((set) => set.kind)).toEqual(['years', 'years narrow']);
    for (const [{ xs }, room] of [[sets[0]!, 26], [sets[1]!, 52]] as const) {
      expect(xs.length).toBeGreaterThan(3);
      xs.slice(1).forEach((x, i) => expect(x - xs[i]!).toBeGreaterThanOrEqual(room));
    }
  });

  test('says how many group events its bars leave out, which a conversation\'s message count includes', () => {
    const caption = (events: number) => /<figcaption>([^·]*) ·/.exec(activitySvg(months('2024-01', 2), new Map([['me', 'Me']]), events))![1];
    expect(caption(0)).toMatch(/^Messages per month \(busiest: \d+\)$/);
    expect(caption(1)).toMatch(/^Messages per month \(busiest: \d+; 1 group event not counted\)$/);
    expect(caption(1600)).toMatch(/; 1,600 group events not counted\)$/);
  });
});

describe.skipIf(!pdfToolsPresent)('the activity chart on the cover', () => {
  test('a December start over ten years labels every year but the first month’s', async () => {
    const { ctx } = exportContext({ style: 'chat', pageSize: 'letter', cover: true });
    const list = months('2014-12', 121).map((m, i) => message(me, new Date(`${m.month}-15T12:00:00Z`), [text(`Month ${i}`)]));
    const file = await renderPdf(ctx, list, 'chart-years');
    const cover = pdfText(file, { first: 1, last: 1 });
    const labels = cover.split('\n').filter((line) => /^\d{4}$/.test(line));
    expect(labels).toEqual(['2015', '2016', '2017', '2018', '2019', '2020', '2021', '2022', '2023', '2024']);
    savePng(file, 'pdf-activity-years', 1);
  });
});

describe.skipIf(!pdfToolsPresent)('the PDF chart’s legend names every sender the HTML chart does', () => {
  const dir = tempDir('chart-legend');
  const db = join(ROOT, 'sample-data', 'chat.db');
  // The sample's book club: five senders, the others known by their numbers unless a contacts file names them.
  const bookClub = ['--db', db, '--chat', 'chat100000047514', '--format', 'pdf,html', '--quiet'];

  /** The legend's names in the HTML page, and the text of the PDF cover from the chart's caption on. */
  async function legends(out: string, extra: string[] = []): Promise<{ html: string[]; pdf: string }> {
    const run = await runCli(['export', ...bookClub, '--out', out, ...extra]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const page = readFileSync(join(out, 'conversations', 'Book club', 'p1.html'), 'utf8');
    const caption = /<figcaption>(.*?)<\/figcaption>/s.exec(page)![1]!;
    const html = [...caption.matchAll(/<\/svg>([^<]+)<\/span>/g)].map((m) => m[1]!.replace(/&amp;/g, '&'));
    const cover = pdfText(join(out, 'Book club.pdf'), { first: 1, last: 1 });
    savePng(join(out, 'Book club.pdf'), `pdf-chart-legend-${extra.length ? 'long-names' : 'numbers'}`, 1);
    return { html, pdf: squash(cover.slice(cover.indexOf('Messages per month'))) };
  }

  test('senders known by their numbers, five in all: the fifth goes on a second line', async () => {
    const { html, pdf } = await legends(join(dir, 'numbers'));
    expect(html).toEqual(['Me', '+15555550108', '+15555550115', '+15555550100', '+15555550104']);
    for (const name of html) expect(pdf).toContain(squash(name));
  });

  test('long names: each shortened with "…" where it must be, none left out', async () => {
    const names = ['Maximiliane Wolkenstein-Rodeneck', 'Bartholomew Featherstonehaugh III', 'Anastasia Papadopoulou-Konstantinou', 'Hana Novak'];
    const numbers = ['+15555550100', '+15555550108', '+15555550115', '+15555550104'];
    const contacts = join(dir, 'long.vcf');
    writeFileSync(contacts, names.map((name, i) => `BEGIN:VCARD\r\nVERSION:3.0\r\nFN:${name}\r\nTEL:${numbers[i]}\r\nEND:VCARD\r\n`).join(''));
    const { html, pdf } = await legends(join(dir, 'long'), ['--contacts', contacts]);
    expect(html).toHaveLength(5);
    expect(html).toEqual(expect.arrayContaining(names));
    for (const name of html) expect(pdf).toContain(squash(name.slice(0, 20)));
  });
});
