import { describe, expect, test } from 'vitest';
import { alice, exportContext, me, message, renderPdf, text } from './builders.js';
import { pdfText, pdfToolsPresent, qpdfCheck, savePng, squash } from './pdf-tools.js';

// Messages as typed, in logical order; extraction must give each back whole.
const MESSAGES = [
  'مرحبا، كيف حالك؟',
  'שלום, מה שלומך היום?',
  'Mixed: the word שלום means peace and سلام too.',
  'الاجتماع الساعة 3 في المكتب',
  'סגור ב־17:30, נתראה מחר',
  // Brackets and emoji between right-to-left words, a mark ending a word (ً), a space before Latin.
  'הפגישה ב-10:00 בבוקר (חדר 5) עם David',
  'شكراً جزيلاً! مرحبا 😀 كيف حالك؟ 👍',
  'สวัสดีครับ วันนี้อากาศดีมาก',
  'გამარჯობა, როგორ ხარ?',
  'नमस्ते, आप कैसे हैं? किताब पढ़िए',
  'আমি ভালো আছি, ধন্যবাদ',
  'வணக்கம், நீங்கள் எப்படி இருக்கிறீர்கள்?',
  'Բարև, ինչպես ես?',
  'ሰላም እንዴት ነህ?',
  'Plain English stays as it is.',
];

/** Extracted text compared without whitespace and bidi marks, which a viewer adds or drops freely. */
const comparable = (value: string) => squash(value.normalize('NFC')).replace(/[\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '');

describe.skipIf(!pdfToolsPresent)('scripts in PDFs', () => {
  test('every message, right-to-left and Brahmic scripts included, is extracted whole and in typing order', async () => {
    const { ctx, warnings } = exportContext();
    const start = Date.UTC(2024, 0, 5, 9);
    const list = MESSAGES.map((body, i) => message(i % 2 ? me : alice, new Date(start + i * 60_000), [text(body)]));
    const file = await renderPdf(ctx, list, 'scripts');
    expect(warnings).toEqual([]);
    expect(qpdfCheck(file).ok).toBe(true);
    const extracted = comparable(pdfText(file));
    const missing = MESSAGES.filter((body) => !extracted.includes(comparable(body)));
    expect(missing).toEqual([]);
    savePng(file, 'pdf-scripts', 1);
  });

  test('letters with combining marks (decomposed accents, stacked marks) copy as typed, spaces and all', async () => {
    const { ctx } = exportContext();
    const body = 'Decomposed: nai\u0308ve cafe\u0301 — Z\u0324\u0354\u0367\u0311\u0313a\u0308\u0356\u032d\u0308\u0307 end';
    const file = await renderPdf(ctx, [message(alice, new Date(Date.UTC(2024, 0, 5, 9)), [text(body)])], 'combining');
    expect(pdfText(file).split('\n')).toContain(body);
  });
});
