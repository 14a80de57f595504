import { execFileSync } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import type { Message } from '../../src/model/types.js';
import { alice, bob, exportContext, me, message, renderPdf, text } from './builders.js';
import { pdfInfo, pdfText, pdfToolsPresent } from './pdf-tools.js';
import { inPieces } from '../../src/render/pdf/long-messages.js';

const DAY = Date.UTC(2024, 2, 5, 9);
const HEADING = 'Tuesday, 5 March 2024 (continued)';

/** One day of a group chat: Alice's long run of messages, and one long message of Bob's. */
function oneDay(): Message[] {
  const run = Array.from({ length: 40 }, (_, i) => message(alice, new Date(DAY + i * 60_000), [text(`Alice says number ${i}`)]));
  const long = Array.from({ length: 150 }, (_, i) => `Bob's line ${i}`).join('\n');
  return [message(me, new Date(DAY - 60_000), [text('Morning all')]), ...run, message(bob, new Date(DAY + 3600_000), [text(long)])];
}

/** Each page's text after the page frame's two header lines. */
function pageBodies(file: string): string[] {
  const pages = Number(pdfInfo(file).Pages);
  return Array.from({ length: pages }, (_, i) => pdfText(file, { first: i + 1, last: i + 1 }).split('\n').slice(2).join('\n').trim());
}

describe.skipIf(!pdfToolsPresent)('messages across page breaks', () => {
  test('a page starting inside a day or a run of messages, chat style, restates the day and, in a group, the sender at the top of the page', async () => {
    const { ctx } = exportContext();
    const file = await renderPdf(ctx, oneDay(), 'chat', { isGroup: true, participants: [alice, bob], title: 'Group' });
    const [first, ...rest] = pageBodies(file);
    expect(first).toMatch(/^Tuesday, 5 March 2024\n/);
    expect(rest.length).toBeGreaterThan(1);
    for (const body of rest) expect(body).toMatch(new RegExp(`^${HEADING.replace(/[()]/g, '\\$&')}\\s+(Alice Martin\\s+Alice says|Bob\\s+Bob's line)`));
  });

  test('transcript style restates the day, and the time and sender of a row cut by the page', async () => {
    const { ctx } = exportContext({ style: 'transcript', pageSize: 'a4' });
    const file = await renderPdf(ctx, oneDay(), 'transcript', { isGroup: true, participants: [alice, bob], title: 'Group' });
    const rest = pageBodies(file).slice(1);
    expect(rest.length).toBeGreaterThan(1);
    for (const body of rest) expect(body).toContain(HEADING);
    expect(rest.at(-1)).toMatch(/10:00:00\s+Bob \(cont\.\)/);
    // The time and sender stand beside the row's first line on the page, as on the page before, not a line above it.
    const laidOut = execFileSync('pdftotext', ['-layout', '-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
    expect(laidOut).toMatch(/^[ \t]*10:00:00[ \t]+Bob \(cont\.\)[ \t]+Bob's line \d+[ \t]*$/m);
  });

  test('a message\'s time is never alone at the top of a page, away from its message', async () => {
    const { ctx } = exportContext();
    const long = Array.from({ length: 40 }, (_, i) => `Line ${i} of a long message`).join('\n');
    const list = Array.from({ length: 24 }, (_, i) => [
      message(alice, new Date(DAY + i * 120_000), [text(long)]),
      message(me, new Date(DAY + i * 120_000 + 60_000), [text('ok')]),
    ]).flat();
    const file = await renderPdf(ctx, list, 'times');
    const starts = pageBodies(file).slice(1).map((body) => body.replace(`${HEADING}\n`, '').trim().split('\n')[0]);
    expect(starts.length).toBeGreaterThan(10);
    for (const start of starts) expect(start).not.toMatch(/^\d\d:\d\d$/);

    // A message with nothing in it has only its time.
    const empty = await renderPdf(ctx, [message(alice, new Date(DAY), [])], 'empty-message');
    expect(pdfText(empty)).toContain('09:00');
  });

  test('a message cut into pieces for length reads as one message: one time, later pieces marked as continued', async () => {
    const long = Array.from({ length: 600 }, (_, i) => `sentence ${i} of a very long message.`).join(' ');
    expect(long.length).toBeGreaterThan(16_000);
    const list = [message(alice, new Date(DAY), [text(long)], { edited: true }), message(me, new Date(DAY + 60_000), [text('Phew')])];

    const chat = await renderPdf(exportContext().ctx, list, 'long-chat');
    const chatText = pdfText(chat);
    expect(chatText.match(/^09:00:00\b/gm)).toEqual(['09:00:00']);
    expect(chatText).toMatch(/sentence 599 of a very long message\.\s+09:00:00 · Edited/);
    expect(chatText.match(/^continued$/gm)!.length).toBeGreaterThanOrEqual(3);

    const transcript = await renderPdf(exportContext({ style: 'transcript', pageSize: 'a4' }).ctx, list, 'long-transcript');
    const transcriptText = pdfText(transcript);
    // The row's date and time once; a page it runs onto restates the time alone, beside "(cont.)".
    expect(transcriptText.match(/09:00:00(?!\s+Alice Martin \(cont\.\))/g)).toEqual(['09:00:00']);
    expect(transcriptText.match(/\(Edited\)/g)).toEqual(['(Edited)']);
  });

  test('a piece of a long message cut at a paragraph ends at its last line, not in empty lines', async () => {
    const paragraphs = Array.from({ length: 80 }, (_, i) => `Paragraph ${i}: ${'and then we drove on '.repeat(6)}`.trim());
    const long = message(alice, new Date(DAY), [text(paragraphs.join('\n\n'))]);
    const pieces = [...inPieces([long])].map((piece) => (piece.message.parts[0] as { text: string }).text);
    expect(pieces.length).toBeGreaterThan(2);
    for (const piece of pieces) expect(piece).not.toMatch(/\n$/);
    expect(pieces.join('\n\n')).toBe(paragraphs.join('\n\n'));

    const file = await renderPdf(exportContext().ctx, [long], 'paragraphs');
    expect(pdfText(file).match(/^Paragraph \d+/gm)).toEqual(paragraphs.map((_, i) => `Paragraph ${i}`));
  });
});
