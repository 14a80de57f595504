import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, test } from 'vitest';
import type { Attachment, Part, Person, Tapback } from '../../src/model/types.js';
import { alice, exportContext, me, message, renderPdf, text } from './builders.js';
import { tempDir } from '../support/cli.js';
import { pdfText, pdfToolsPresent, qpdfCheck, savePng, squash } from './pdf-tools.js';

const at = new Date(Date.UTC(2024, 0, 5, 9));

function sticker(path?: string): Attachment {
  return { guid: `sticker-${path ?? 'gone'}`, fileName: 'sticker.png', path, missing: !path, kind: 'image', size: 1000, isSticker: true, mimeType: 'image/png' };
}

function tapback(sender: Person, fields: Partial<Tapback>): Tapback {
  return { kind: 'love', emoji: '❤️', sender, date: at, ...fields };
}

function withTapbacks(body: string, tapbacks: Tapback[]): Part {
  return { ...text(body), tapbacks };
}

/** The number of images pdfimages lists in the file that are this many pixels wide (emoji are 72). */
function imagesOfWidth(file: string, width: number): number {
  const rows = execFileSync('pdfimages', ['-list', file], { encoding: 'utf8' }).trim().split('\n').slice(2);
  return rows.filter((row) => row.trim().split(/\s+/)[3] === String(width)).length;
}

describe.skipIf(!pdfToolsPresent)('sticker tapbacks in PDFs', () => {
  test.each(['chat', 'transcript'] as const)('%s: a sticker reaction says whose sticker it is, as txt and HTML do', async (style) => {
    const folder = tempDir('sticker');
    const path = join(folder, 'sticker.png');
    await sharp({ create: { width: 120, height: 120, channels: 4, background: { r: 240, g: 120, b: 0, alpha: 1 } } }).png().toFile(path);
    const { ctx, warnings } = exportContext({ style, pageSize: 'letter' });
    const list = [
      message(alice, at, [withTapbacks('Look at this', [tapback(me, { kind: 'sticker', emoji: '', sticker: sticker(path) })])]),
      message(me, new Date(at.getTime() + 60_000), [withTapbacks('Nice one', [tapback(alice, {}), tapback(alice, { kind: 'sticker', emoji: '', sticker: sticker() })])]),
    ];
    const file = await renderPdf(ctx, list, `stickers-${style}`);
    expect(warnings).toEqual([]);
    expect(qpdfCheck(file).ok).toBe(true);
    const extracted = squash(pdfText(file));
    expect(extracted).toContain(squash('Sticker from Me'));
    expect(extracted).toContain(squash('Sticker from Alice Martin'));
    expect(extracted).toContain(squash('❤️ Alice Martin'));
    expect(extracted).not.toMatch(/Sticker(Me|AliceMartin)/);
    // The chat layout draws a sticker it can read, as the HTML page shows it; the transcript has no images.
    // A sticker reaction is drawn 28 points wide, at two pixels a point.
    expect(imagesOfWidth(file, 56)).toBe(style === 'chat' ? 1 : 0);
    savePng(file, `pdf-sticker-tapbacks-${style}`, 1);
  });
});
