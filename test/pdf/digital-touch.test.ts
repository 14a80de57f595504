import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, test } from 'vitest';
import { DIGITAL_TOUCH_BALLOON, decodeBalloonReport } from '../../src/decode/payload.js';
import type { Part } from '../../src/model/types.js';
import { FIXTURES, HAVE_FIXTURES } from '../support/cli.js';
import { alice, exportContext, message, renderPdf } from './builders.js';
import { pdfText, pdfToolsPresent, qpdfCheck, savePng } from './pdf-tools.js';

const KINDS = ['sketch', 'tap', 'heartbeat', 'heartbreak', 'kiss', 'fireball'];
const DPI = 72;

function touchPart(name: string): Part {
  const payload = readFileSync(join(FIXTURES, 'apple', 'digital_touch_message', `${name}.bin`));
  const { balloon, problem } = decodeBalloonReport(payload, DIGITAL_TOUCH_BALLOON);
  expect(problem).toBeUndefined();
  return { kind: 'app', index: 0, tapbacks: [], attachments: [], app: balloon };
}

/** Pixels of the page close to the color (each channel within 40). */
async function pixelsNear(png: Buffer, [r, g, b]: number[]): Promise<number> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  let count = 0;
  for (let i = 0; i < data.length; i += info.channels) {
    if (Math.abs(data[i]! - r!) < 40 && Math.abs(data[i + 1]! - g!) < 40 && Math.abs(data[i + 2]! - b!) < 40) count++;
  }
  return count;
}

describe.skipIf(!pdfToolsPresent || !HAVE_FIXTURES)('Digital Touch in PDFs (real fixtures)', () => {
  test('each kind is drawn as vector shapes on its black canvas, with its facts beside it', async () => {
    const date = new Date('2024-02-01T10:00:00Z');
    const { ctx, warnings } = exportContext();
    const file = await renderPdf(ctx, KINDS.map((name, i) => message(alice, new Date(date.getTime() + i * 60_000), [touchPart(name)])), 'digital-touch');
    expect(warnings).toEqual([]);
    expect(qpdfCheck(file).ok).toBe(true);
    // Shapes are paths in the page, not images (the header line of `pdfimages -list` only).
    expect(execFileSync('pdfimages', ['-list', file], { encoding: 'utf8' }).trim().split('\n')).toHaveLength(2);
    const text = pdfText(file);
    for (const fact of ['Digital Touch: sketch', '1 stroke in #ff00fc', '1 tap in #ff00fc', '84 BPM', 'broke after 1.7 s', 'Digital Touch: kiss', '2.1 s long']) {
      expect(text).toContain(fact);
    }
    savePng(file, 'pdf-digital-touch', 1);
    const pages = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [file], { encoding: 'utf8' }))![1]);
    const pngs = Array.from({ length: pages }, (_, i) =>
      execFileSync('pdftoppm', ['-r', String(DPI), '-png', '-singlefile', '-f', String(i + 1), '-l', String(i + 1), file]),
    );
    const near = async (color: number[]) => (await Promise.all(pngs.map((png) => pixelsNear(png, color)))).reduce((a, b) => a + b, 0);
    // Six black canvases of about 128 × 160 points; the sketch's and tap's magenta; the hearts' and kiss's red; the fireball's orange.
    expect(await near([0, 0, 0])).toBeGreaterThan(6 * 0.5 * 128 * 160);
    expect(await near([255, 0, 252])).toBeGreaterThan(300);
    expect(await near([255, 45, 85])).toBeGreaterThan(2 * 1500);
    expect(await near([255, 176, 0])).toBeGreaterThan(100);
  });
});
