import { execFileSync } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import type { Message } from '../../src/model/types.js';
import { alice, exportContext, me, message, renderPdf, text } from './builders.js';
import { pdfInfo, pdfText, pdfToolsPresent, savePng } from './pdf-tools.js';

const DAY = Date.UTC(2024, 2, 5, 9);
const MINUTE = 60_000;

/** Mine delivered and read the same day, mine read the next day, mine only delivered, and a voice message of Alice's played. */
function receipts(): Message[] {
  return [
    message(me, new Date(DAY), [text('Are you up?')], { dateDelivered: new Date(DAY + MINUTE), dateRead: new Date(DAY + 5 * MINUTE) }),
    message(alice, new Date(DAY + 10 * MINUTE), [text('Listen')], { isAudioMessage: true, datePlayed: new Date(DAY + 12 * MINUTE) }),
    message(me, new Date(DAY + 20 * MINUTE), [text('See you tomorrow')], { dateDelivered: new Date(DAY + 20 * MINUTE), dateRead: new Date(DAY + 24 * 60 * MINUTE) }),
    message(me, new Date(DAY + 30 * MINUTE), [text('Still there?')], { dateDelivered: new Date(DAY + 31 * MINUTE) }),
  ];
}

/** Text lines without the page frame and without blank lines. */
function lines(file: string, page?: number): string[] {
  const range = page ? { first: page, last: page } : undefined;
  return pdfText(file, range).split('\n').map((line) => line.trim()).filter(Boolean);
}

describe.skipIf(!pdfToolsPresent)('delivery and read receipts in PDFs', () => {
  test('chat style: under a message of mine, its time, then when it was delivered and read, as in the HTML but to the second', async () => {
    const file = await renderPdf(exportContext().ctx, receipts(), 'receipts-chat');
    const all = lines(file);
    expect(all).toContain('09:00:00 · Delivered 09:01:00 · Read 09:05:00');
    expect(all).toContain('09:10:00 · Played 09:12:00 · audio message');
    expect(all).toContain('09:20:00 · Delivered 09:20:00 · Read 2024-03-06 09:00:00');
    expect(all).toContain('09:30:00 · Delivered 09:31:00');
    savePng(file, 'pdf-receipts-chat', 1);
  });

  test('transcript style: the receipts under the date and time of the row', async () => {
    const file = await renderPdf(exportContext({ style: 'transcript', pageSize: 'a4' }).ctx, receipts(), 'receipts-transcript');
    // As laid out on the page: each row's first column, its lines joined.
    const firstColumn = execFileSync('pdftotext', ['-layout', '-enc', 'UTF-8', file, '-'], { encoding: 'utf8' })
      .split(/\n\s*\n/)
      .map((row) => row.split('\n').map((line) => line.trim().split(/\s{2,}/)[0]).join(' ').trim())
      .filter((row) => /^2024-\d\d-\d\d \d\d:/.test(row));
    expect(firstColumn).toEqual([
      '2024-03-05 09:00:00 Delivered 09:01:00 Read 09:05:00',
      '2024-03-05 09:10:00 Played 09:12:00',
      '2024-03-05 09:20:00 Delivered 09:20:00 Read 2024-03-06 09:00:00',
      '2024-03-05 09:30:00 Delivered 09:31:00',
    ]);
    savePng(file, 'pdf-receipts-transcript', 1);
  });

  test('a long conversation still paginates: no page starts with a time and its receipts alone', async () => {
    const long = Array.from({ length: 40 }, (_, i) => `Line ${i} of a long message`).join('\n');
    const list = Array.from({ length: 24 }, (_, i) => [
      message(me, new Date(DAY + i * 2 * MINUTE), [text(long)], { dateDelivered: new Date(DAY + i * 2 * MINUTE), dateRead: new Date(DAY + (i * 2 + 1) * MINUTE) }),
      message(alice, new Date(DAY + (i * 2 + 1) * MINUTE), [text('ok')]),
    ]).flat();
    for (const [style, name] of [['chat', 'receipts-long-chat'], ['transcript', 'receipts-long-transcript']] as const) {
      const file = await renderPdf(exportContext({ style, pageSize: 'letter' }).ctx, list, name);
      const pages = Number(pdfInfo(file).Pages);
      expect(pages).toBeGreaterThan(10);
      const text = pdfText(file);
      expect(text.match(/Read \d\d:\d\d/g)).toHaveLength(24);
      for (let page = 2; page <= pages; page++) {
        // After the page frame's two header lines and the day restated.
        const start = lines(file, page).slice(2).filter((line) => !line.includes('(continued)'));
        expect(start[0]).not.toMatch(/^(\d\d:\d\d · )?(Delivered|Read) /);
      }
    }
  });
});
