import { activityChart, chartCaption, spacedYearLabels } from '../../stats/activity-chart.js';
import type { MonthStats } from '../../stats/collector.js';
import type { Block } from './paginator.js';
import { glyphHex, textWidth } from './glyph-runs.js';
import { addContent, fontResource, newStream, useXObject, type PdfStream } from './pdfkit-internals.js';
import { COLORS } from './theme.js';
import type { Canvas } from './canvas.js';
import { tag } from './tagging.js';

const PLOT = 70;
const LABEL = 7;
/** Least room between two year labels. */
const LABEL_GAP = 6;
const LEGEND = 8;
const HEIGHT = PLOT + 12 + 16;
const NAME = 'Activity';

/** "#1a7cf5" as PDF's "r g b" operands. */
const rgb = (color: string) => [1, 3, 5].map((i) => (parseInt(color.slice(i, i + 2), 16) / 255).toFixed(3)).join(' ');

/**
 * The activity chart (messages per month by sender) on the cover, drawn as vector bars. The cover is
 * drawn before the messages are read, so the chart is a form whose content is written at the end,
 * like the cover's attachment count: rendering stays a single streaming pass.
 */
export class LateChart {
  private readonly form: PdfStream;
  private readonly fontId: string;

  constructor(private readonly doc: PDFKit.PDFDocument, private readonly face: string, private readonly width: number) {
    const { id, resource } = fontResource(doc, face);
    this.fontId = id;
    this.form = newStream(doc, { Type: 'XObject', Subtype: 'Form', BBox: [0, 0, width, HEIGHT], Resources: { Font: { [id]: resource } } });
  }

  /** The block that shows the chart below the cover's facts: a figure. */
  block(canvas: Canvas, left: number): Block {
    const figure = tag('Figure', undefined, 'Chart of the messages per month, by sender');
    return {
      height: HEIGHT,
      spaceBefore: 18,
      draw: (top) => {
        canvas.mark(figure);
        useXObject(this.doc, NAME, this.form);
        // The form draws y-up from its bottom edge; pdfkit's page space is y-down.
        addContent(this.doc, `q 1 0 0 -1 ${left.toFixed(2)} ${(top + HEIGHT).toFixed(2)} cm /${NAME} Do Q`);
      },
    };
  }

  /** Draws the bars, year labels and legend (`events`: the group events the bars leave out); call once, before the document ends. */
  finish(months: MonthStats[], names: Map<string, string>, events: number): void {
    const chart = activityChart(months, names, this.width, PLOT);
    const up = (yDown: number) => (HEIGHT - yDown).toFixed(2);
    const ops: string[] = [`${rgb(COLORS.faint)} RG 0.5 w 0 ${up(PLOT)} m ${this.width} ${up(PLOT)} l S`];
    for (const b of chart.bars) ops.push(`${rgb(b.color)} rg ${b.x.toFixed(2)} ${up(b.y + b.height)} ${b.width.toFixed(2)} ${b.height.toFixed(2)} re f`);
    for (const t of spacedYearLabels(chart.years, this.width, (label) => this.measure(label, LABEL), LABEL_GAP)) {
      ops.push(this.text(t.label, t.x, Number(up(PLOT + 9)), LABEL, COLORS.muted));
    }
    let x = 0;
    const caption = chartCaption(chart, events);
    ops.push(this.text(caption, x, Number(up(HEIGHT - 2)), LEGEND, COLORS.muted));
    x += this.measure(caption, LEGEND) + 10;
    for (const s of chart.series) {
      const label = s.label.length > 24 ? `${s.label.slice(0, 23)}…` : s.label;
      if (x + 12 + this.measure(label, LEGEND) > this.width) break;
      ops.push(`${rgb(s.color)} rg ${x.toFixed(2)} ${up(HEIGHT - 2)} 6 6 re f`);
      ops.push(this.text(label, x + 9, Number(up(HEIGHT - 2)), LEGEND, COLORS.text));
      x += 9 + this.measure(label, LEGEND) + 10;
    }
    this.form.end(ops.join('\n'));
  }

  private text(text: string, x: number, baseline: number, size: number, color: string): string {
    const glyphs = glyphHex(this.doc, this.face, text);
    return `BT ${rgb(color)} rg /${this.fontId} ${size} Tf ${x.toFixed(2)} ${baseline.toFixed(2)} Td <${glyphs}> Tj ET`;
  }

  private measure(text: string, size: number): number {
    return textWidth(this.doc, this.face, size, text);
  }
}
