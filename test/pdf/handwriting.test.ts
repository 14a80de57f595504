import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, test } from 'vitest';
import { decodeBalloonReport, HANDWRITING_BALLOON } from '../../src/decode/payload.js';
import type { Part } from '../../src/model/types.js';
import { FIXTURES, HAVE_FIXTURES } from '../support/cli.js';
import { alice, exportContext, message, renderPdf } from './builders.js';
import { pdfToolsPresent, qpdfCheck, savePng } from './pdf-tools.js';

const FOLDER = join(FIXTURES, 'apple', 'handwritten_message');
const SIDE = 96;
const DPI = 150;

/** Dark pixels of a greyscale image, cut to their bounding box and scaled to SIDE × SIDE, as 0/1. */
async function inkShape(image: sharp.Sharp, region?: { top: number; bottom: number }): Promise<Uint8Array> {
  const { data, info } = await image.greyscale().raw().toBuffer({ resolveWithObject: true });
  const dark = (x: number, y: number) => data[y * info.width + x]! < 100;
  let [left, top, right, bottom] = [info.width, info.height, -1, -1];
  for (let y = region?.top ?? 0; y < (region?.bottom ?? info.height); y++) {
    for (let x = 0; x < info.width; x++) {
      if (!dark(x, y)) continue;
      [left, top, right, bottom] = [Math.min(left, x), Math.min(top, y), Math.max(right, x), Math.max(bottom, y)];
    }
  }
  expect(right, 'no ink found').toBeGreaterThan(left);
  const cut = sharp(data, { raw: { width: info.width, height: info.height, channels: 1 } })
    .extract({ left, top, width: right - left + 1, height: bottom - top + 1 })
    .resize(SIDE, SIDE, { fit: 'fill' });
  const scaled = await cut.raw().toBuffer();
  return scaled.map((v) => (v < 160 ? 1 : 0));
}

/** Intersection over union of two ink masks. */
function overlap(a: Uint8Array, b: Uint8Array): number {
  let both = 0;
  let either = 0;
  for (let i = 0; i < a.length; i++) {
    both += a[i]! & b[i]!;
    either += a[i]! | b[i]!;
  }
  return both / either;
}

describe.skipIf(!pdfToolsPresent || !HAVE_FIXTURES)('handwritten messages in PDFs', () => {
  test('the real handwriting fixture is drawn as vector strokes that look like the reference rendering', async () => {
    const payload = readFileSync(join(FOLDER, 'handwriting.bin'));
    const { balloon } = decodeBalloonReport(payload, HANDWRITING_BALLOON);
    const expected = JSON.parse(readFileSync(join(FIXTURES, 'expected', 'handwriting.strokes.json'), 'utf8')) as { strokes: unknown };
    expect(balloon.drawing?.strokes).toEqual(expected.strokes);

    const part: Part = { kind: 'app', index: 0, tapbacks: [], attachments: [], app: balloon };
    const { ctx, warnings } = exportContext();
    const file = await renderPdf(ctx, [message(alice, new Date('2024-02-01T10:00:00Z'), [part])], 'handwriting');
    expect(warnings).toEqual([]);
    expect(qpdfCheck(file).ok).toBe(true);
    // Strokes are paths in the page, not an image.
    expect(execFileSync('pdfimages', ['-list', file], { encoding: 'utf8' }).trim().split('\n')).toHaveLength(2);
    savePng(file, 'pdf-handwriting', 1);

    const page = execFileSync('pdftoppm', ['-r', String(DPI), '-gray', '-png', '-singlefile', '-f', '1', '-l', '1', file]);
    // Between the header and the footer, only the strokes are this dark (names and times are grey).
    const drawn = await inkShape(sharp(page), { top: Math.round((70 * DPI) / 72), bottom: Math.round(((792 - 52) * DPI) / 72) });
    const svg = readFileSync(join(FOLDER, 'handwriting.svg'), 'utf8').replace('width="100%" height="100%"', 'width="753" height="243"');
    const reference = await inkShape(sharp(Buffer.from(svg)).flatten({ background: '#ffffff' }));
    expect(overlap(drawn, reference)).toBeGreaterThan(0.6);
  });
});
