import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, test } from 'vitest';
import type { Message } from '../../src/model/types.js';
import { alice, attachment, exportContext, me, message, renderPdf, text } from './builders.js';
import { tempDir } from '../support/cli.js';
import { pdfText, pdfToolsPresent, squash } from './pdf-tools.js';

const start = Date.UTC(2024, 0, 5, 9);

/** Images pdfimages lists in the file, by pixel width. */
function imageWidths(file: string): string[] {
  const rows = execFileSync('pdfimages', ['-list', file], { encoding: 'utf8' }).trim().split('\n').slice(2);
  return rows.map((row) => row.trim().split(/\s+/)[3]!);
}

// Photos are decoded hundreds of messages ahead of their layout (pdf-renderer.ts): what each message shows must not depend on it.
describe.skipIf(!pdfToolsPresent)('photos decoded ahead of their messages in PDFs', () => {
  test('a photo shown by several messages far apart is drawn for each, and an unreadable one gives its placeholder and a warning each time', async () => {
    const folder = tempDir('ahead');
    const photo = join(folder, 'photo.png');
    await sharp({ create: { width: 333, height: 200, channels: 3, background: { r: 20, g: 120, b: 200 } } }).png().toFile(photo);
    const broken = join(folder, 'broken.jpg');
    writeFileSync(broken, 'not an image at all');
    const shows = (i: number) => (i % 300 === 0 ? photo : i % 300 === 150 ? broken : undefined);
    const list: Message[] = Array.from({ length: 900 }, (_, i) => {
      const file = shows(i);
      const at = new Date(start + i * 60_000);
      return file
        ? message(i % 2 ? me : alice, at, [attachment({ fileName: file === photo ? 'photo.png' : 'broken.jpg', path: file })])
        : message(i % 2 ? me : alice, at, [text(`message number ${i}`)]);
    });
    const { ctx, warnings } = exportContext();
    const file = await renderPdf(ctx, list, 'ahead');

    // The 333-pixel photo becomes a thumbnail of one size, three times.
    const widths = imageWidths(file);
    const photoWidth = widths.find((w) => widths.filter((x) => x === w).length === 3);
    expect(photoWidth, widths.join(' ')).toBeDefined();
    expect(warnings.filter((w) => w.includes('could not read image') && w.includes('broken.jpg'))).toHaveLength(3);
    const shown = squash(pdfText(file));
    expect(shown.split(squash('The image could not be read')).length - 1).toBe(3);
    expect(shown).toContain(squash('message number 899'));
  });
});
