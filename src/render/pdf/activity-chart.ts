import { activityChart, chartCaption, MAX_SERIES, spacedYearLabels } from '../../stats/activity-chart.js';
import type { MonthStats } from '../../stats/collector.js';
import type { Block } from './paginator.js';
import { glyphHex } from './glyph-runs.js';
import { addContent, fontResource, newStream, pdfTextHex, useXObject, type PdfStream } from './pdfkit-internals.js';
import type { Run, TextLayout, TextLine } from './text-layout.js';
import { COLORS } from './theme.js';
import type { Canvas } from './canvas.js';
import { tag } from './tagging.js';

const PLOT = 70;
const LABEL = 7;
/** Least room between two year labels. */
const LABEL_GAP = 6;
const LEGEND = 8;
/** From one legend line's baseline to the next's. */
const LEGEND_LINE = 12;
/** Widest a sender's name is drawn in the legend, in points; a longer one ends in "…". */
const NAME_WIDTH = 120;
/** A legend entry's swatch and the room after it, and the room between two entries. */
const SWATCH = 9;
const ENTRY_GAP = 10;
/** A count as wide as any a conversation's chart shows (its digits are as wide as any others). */
const WIDEST_COUNT = 9_999_999;
const NAME = 'Activity';

/** "#1a7cf5" as PDF's "r g b" operands. */
const rgb = (color: string) => [1, 3, 5].map((i) => (parseInt(color.slice(i, i + 2), 16) / 255).toFixed(3)).join(' ');

/**
 * The activity chart (messages per month by sender) on the cover, drawn as vector bars. The cover is
 * drawn before the messages are read, so the chart is a form whose content is written at the end,
 * like the cover's attachment count: rendering stays a single streaming pass. Its legend names every
 * series, on as many lines as it takes: the form is made tall enough for the widest caption and names.
 * Its text is laid out as the pages' is, each character in the first face that has it.
 */
export class LateChart {
  private readonly form: PdfStream;
  /** The form's fonts, added as its text uses them (the form is written when it ends). */
  private readonly fonts: Record<string, unknown> = {};
  /** The form's images: the emoji in its names. */
  private readonly images: Record<string, unknown> = {};
  private readonly height: number;
  private readonly doc: PDFKit.PDFDocument;
  private readonly layout: TextLayout;

  constructor(private readonly canvas: Canvas, private readonly width: number) {
    this.doc = canvas.doc;
    this.layout = canvas.layout;
    const widest = this.legendPlaces(chartCaption(WIDEST_COUNT, WIDEST_COUNT), Array<number>(MAX_SERIES).fill(NAME_WIDTH));
    this.height = PLOT + 12 + 16 + widest.at(-1)!.line * LEGEND_LINE;
    this.form = newStream(this.doc, { Type: 'XObject', Subtype: 'Form', BBox: [0, 0, width, this.height], Resources: { Font: this.fonts } });
  }

  /** The block that shows the chart below the cover's facts: a figure. */
  block(left: number): Block {
    const figure = tag('Figure', undefined, 'Chart of the messages per month, by sender');
    return {
      height: this.height,
      spaceBefore: 18,
      draw: (top) => {
        this.canvas.mark(figure);
        useXObject(this.doc, NAME, this.form);
        // The form draws y-up from its bottom edge; pdfkit's page space is y-down.
        addContent(this.doc, `q 1 0 0 -1 ${left.toFixed(2)} ${(top + this.height).toFixed(2)} cm /${NAME} Do Q`);
      },
    };
  }

  /** Draws the bars, year labels and legend (`events`: the group events the bars leave out); call once, before the document ends. */
  async finish(months: MonthStats[], names: Map<string, string>, events: number): Promise<void> {
    const chart = activityChart(months, names, this.width, PLOT);
    const up = (yDown: number) => this.height - yDown;
    const ops: string[] = [`${rgb(COLORS.faint)} RG 0.5 w 0 ${up(PLOT).toFixed(2)} m ${this.width} ${up(PLOT).toFixed(2)} l S`];
    for (const b of chart.bars) ops.push(`${rgb(b.color)} rg ${b.x.toFixed(2)} ${up(b.y + b.height).toFixed(2)} ${b.width.toFixed(2)} ${b.height.toFixed(2)} re f`);
    for (const t of spacedYearLabels(chart.years, this.width, (label) => this.measure(label, LABEL), LABEL_GAP)) {
      ops.push(this.text(t.label, t.x, up(PLOT + 9), LABEL, COLORS.muted));
    }
    const caption = chartCaption(chart.max, events);
    const labels = chart.series.map((s) => this.shortened(s.label));
    await this.canvas.prepare(labels.map((label) => this.line(label, LEGEND)));
    const [first, ...entries] = this.legendPlaces(caption, labels.map((label) => this.measure(label, LEGEND)));
    const baseline = (line: number) => up(PLOT + 26 + line * LEGEND_LINE);
    ops.push(this.text(caption, first!.x, baseline(first!.line), LEGEND, COLORS.muted));
    chart.series.forEach((s, i) => {
      const { x, line } = entries[i]!;
      ops.push(`${rgb(s.color)} rg ${x.toFixed(2)} ${baseline(line).toFixed(2)} 6 6 re f`);
      ops.push(this.text(labels[i]!, x + SWATCH, baseline(line), LEGEND, COLORS.text));
    });
    if (Object.keys(this.images).length > 0) (this.form.data.Resources as Record<string, unknown>).XObject = this.images;
    this.form.end(ops.join('\n'));
  }

  /**
   * Where the caption and each legend entry (a swatch and a name of this width) go: left to right, on the
   * next line when one would pass the chart's width (the lines a legend takes only grow with its widths).
   */
  private legendPlaces(caption: string, nameWidths: number[]): { x: number; line: number }[] {
    const widths = [this.measure(caption, LEGEND), ...nameWidths.map((w) => SWATCH + w)];
    let x = 0;
    let line = 0;
    return widths.map((w) => {
      if (x > 0 && x + w > this.width) [x, line] = [0, line + 1];
      const place = { x, line };
      x += w + ENTRY_GAP;
      return place;
    });
  }

  /** The name, ending in "…" where it would be wider than NAME_WIDTH. */
  private shortened(name: string): string {
    if (this.measure(name, LEGEND) <= NAME_WIDTH) return name;
    const chars = [...name];
    while (chars.length > 1 && this.measure(`${chars.join('')}…`, LEGEND) > NAME_WIDTH) chars.pop();
    return `${chars.join('')}…`;
  }

  /** The text's runs in their faces, with the text as typed for extraction when it is drawn in another order (see TextLine). */
  private text(text: string, x: number, baseline: number, size: number, color: string): string {
    const line = this.line(text, size);
    const ops = [`${rgb(color)} rg`];
    if (line.logical) ops.push(`/Span <</ActualText ${pdfTextHex(line.logical)}>> BDC`);
    for (const run of line.runs) {
      const actual = !line.logical && run.kind === 'text' && run.actual;
      if (actual) ops.push(`/Span <</ActualText ${pdfTextHex(actual)}>> BDC`);
      if (run.kind === 'text') ops.push(`BT /${this.font(run.face)} ${size} Tf ${x.toFixed(2)} ${baseline.toFixed(2)} Td <${glyphHex(this.doc, run.face, run.text)}> Tj ET`);
      else ops.push(this.emoji(run, !line.logical, x, baseline, size));
      if (actual) ops.push('EMC');
      x += run.width;
    }
    if (line.logical) ops.push('EMC');
    return ops.join(' ');
  }

  /** An emoji's pictures, and its invisible stand-in text (read and copied) unless the line's ActualText carries it. */
  private emoji(run: Extract<Run, { kind: 'emoji' }>, ownText: boolean, x: number, baseline: number, size: number): string {
    const pictures = this.canvas.emojiInForm(run.codes, x, baseline, size, this.images);
    if (!ownText) return pictures;
    // The stand-in letter's face must be among the form's fonts.
    this.font(this.layout.faceNames[0]!);
    return `${pictures} ${this.canvas.emojiTextInForm(run.text, x, baseline, size, run.width)}`;
  }

  /** The form's name for a face, added to its fonts. */
  private font(face: string): string {
    const { id, resource } = fontResource(this.doc, face);
    this.fonts[id] = resource;
    return id;
  }

  private line(text: string, size: number): TextLine {
    return this.layout.lines(text, size, Infinity)[0]!;
  }

  private measure(text: string, size: number): number {
    return this.line(text, size).width;
  }
}
