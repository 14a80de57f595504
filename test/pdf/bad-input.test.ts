import { describe, expect, test } from 'vitest';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import type { Message } from '../../src/model/types.js';
import { PdfRenderer } from '../../src/render/pdf/pdf-renderer.js';
import type { ExportContext } from '../../src/render/renderer.js';
import { alice, attachment, conversation, exportContext, me, message, text } from './builders.js';
import { pdfInfo, pdfText, pdfToolsPresent, qpdfCheck, REPO, savePng, squash } from './pdf-tools.js';

const STICKERS = join(resolve(REPO, '../shared/fixtures'), 'apple/stickers');
const stickersPresent = existsSync(STICKERS);
if (!stickersPresent) console.warn(`PDF sticker test skipped: fixtures not found at ${STICKERS}`);

async function render(ctx: ExportContext, list: Message[], name: string): Promise<string> {
  const renderer = new PdfRenderer();
  await renderer.start(ctx);
  const rendered = await renderer.renderConversation(conversation({ messageCount: list.length }), () => list, name);
  return join(ctx.outDir, rendered.file);
}

const at = (minutes: number) => new Date(Date.UTC(2024, 0, 1, 12, minutes));

describe.skipIf(!pdfToolsPresent)('PDF export of bad or unusual input', () => {
  test('unreadable images and a corrupt HEIC get a labelled placeholder and a warning, not a crash', async () => {
    const { ctx, warnings } = exportContext();
    const notImage = join(ctx.outDir, 'not-an-image.jpg');
    writeFileSync(notImage, 'this is text, not a JPEG');
    const corruptHeic = join(ctx.outDir, 'corrupt.heic');
    writeFileSync(corruptHeic, Buffer.concat([Buffer.from('\0\0\0\x18ftypheic\0\0\0\0mif1heic', 'latin1'), Buffer.alloc(4000, 0x5a)]));
    const file = await render(ctx, [
      message(alice, at(0), [attachment({ fileName: 'not-an-image.jpg', path: notImage })]),
      message(me, at(1), [attachment({ fileName: 'corrupt.heic', path: corruptHeic, mimeType: 'image/heic' })]),
      message(alice, at(2), [text('still here after the bad images')]),
    ], 'unreadable');
    expect(qpdfCheck(file).ok).toBe(true);
    const extracted = pdfText(file);
    expect(extracted).toContain('not-an-image.jpg');
    expect(extracted).toContain('corrupt.heic');
    expect(extracted.match(/The image could not be read/g)).toHaveLength(2);
    expect(extracted).toContain('still here after the bad images');
    expect(warnings).toHaveLength(2);
    expect(warnings.join('\n')).toContain('not-an-image.jpg');
    expect(warnings.join('\n')).toContain('corrupt.heic');
    expect(readdirSync(ctx.outDir).filter((f) => f.endsWith('.partial'))).toEqual([]);
  });

  test('a 50 MB photo is drawn as a small thumbnail', async () => {
    const { ctx, warnings } = exportContext();
    const photo = join(ctx.outDir, 'huge.jpg');
    const [width, height] = [4600, 3700];
    await sharp(randomBytes(width * height * 3), { raw: { width, height, channels: 3 } })
      .jpeg({ quality: 100, chromaSubsampling: '4:4:4' })
      .toFile(photo);
    expect(statSync(photo).size).toBeGreaterThan(45_000_000);
    const file = await render(ctx, [message(alice, at(0), [attachment({ fileName: 'huge.jpg', path: photo })])], 'huge');
    expect(warnings).toEqual([]);
    expect(qpdfCheck(file).ok).toBe(true);
    expect(statSync(file).size).toBeLessThan(1_000_000);
    expect(pdfText(file)).not.toContain('could not be read');
    savePng(file, 'pdf-huge-image', 1);
  });

  test('a 40,000-character message wraps over several pages and loses no text', async () => {
    const { ctx } = exportContext();
    const words = Array.from({ length: 5000 }, (_, i) => `w${i}`).join(' ').slice(0, 25_000);
    const unbroken = 'Z'.repeat(15_000);
    const body = `${words}${unbroken}`;
    expect(body.length).toBe(40_000);
    const file = await render(ctx, [message(alice, at(0), [text(body)]), message(me, at(1), [text('after the long one')])], 'long');
    expect(qpdfCheck(file).ok).toBe(true);
    const pages = Number(pdfInfo(file).Pages);
    expect(pages).toBeGreaterThan(5);
    const extracted = pdfText(file);
    const found = new Set(extracted.split(/\s+/));
    for (const word of words.split(' ').slice(0, -1)) expect(found).toContain(word);
    expect(squash(extracted).match(/Z+/g)!.join('').length).toBe(15_000);
    expect(pdfText(file, { first: pages, last: pages })).toContain('after the long one');
    savePng(file, 'pdf-long-message-continued', 2);
  });

  test('a conversation that fails midway leaves no PDF behind, not even a partial one', async () => {
    const { ctx } = exportContext();
    const renderer = new PdfRenderer();
    await renderer.start(ctx);
    function* failing(): Generator<Message> {
      for (let i = 0; i < 300; i++) yield message(alice, at(i), [text(`message ${i} `.repeat(20))]);
      throw new Error('database went away');
    }
    await expect(renderer.renderConversation(conversation(), failing, 'broken')).rejects.toThrow('database went away');
    expect(readdirSync(ctx.outDir)).toEqual([]);
  });

  test.skipIf(!stickersPresent)('real HEIC stickers are decoded and drawn', async () => {
    const { ctx, warnings } = exportContext();
    const stickers = readdirSync(STICKERS).filter((f) => f.endsWith('.heic'));
    const file = await render(
      ctx,
      stickers.map((name, i) =>
        message(i % 2 ? me : alice, at(i), [attachment({ fileName: name, path: join(STICKERS, name), isSticker: true, mimeType: 'image/heic' })]),
      ),
      'stickers',
    );
    expect(warnings).toEqual([]);
    expect(qpdfCheck(file).ok).toBe(true);
    const extracted = pdfText(file);
    for (const name of stickers) expect(extracted).not.toContain(name);
    savePng(file, 'pdf-stickers', 1);
  });
});
