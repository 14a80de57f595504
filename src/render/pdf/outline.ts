import type { DateFormatter } from '../dates.js';

// pdfkit opens an item's page whole only when told `fit` (its default, lost once other options are given), which @types/pdfkit does not describe.
const YEAR = { expanded: true, fit: true };

/** PDF bookmarks by year, then month, each pointing at the page where that month starts. */
export class Outline {
  private year?: { key: string; item: PDFKit.PDFOutline };
  private month?: string;

  constructor(
    private readonly doc: PDFKit.PDFDocument,
    private readonly dates: DateFormatter,
  ) {}

  /** Call on the page where a message dated `date` is drawn. */
  mark(date: Date): void {
    const month = this.dates.monthKey(date);
    if (month === this.month) return;
    this.month = month;
    const year = month.slice(0, 4);
    if (this.year?.key !== year) this.year = { key: year, item: this.doc.outline.addItem(year, YEAR) };
    this.year.item.addItem(this.dates.month(date));
  }
}
