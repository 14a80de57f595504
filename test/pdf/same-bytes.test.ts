import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import type { Message } from '../../src/model/types.js';
import { alice, exportContext, me, message, renderPdf, text } from './builders.js';

const start = Date.UTC(2024, 0, 5, 9);
const EMOJI = ['😀', '🎉', '❤️', '👍', '🏡', '✈️', '🍰', '🌧️', '🐶', '🚲', '🎂', '😂'];

// An archive's PDF of the same messages, made at the same time, is the same file: its SHA-256 in SHA256SUMS
// can be checked by exporting again. Emoji are images with transparency, which pdfkit used to finish on
// zlib's threads, numbering and placing their objects whenever those finished.
describe('a PDF made twice from the same messages', () => {
  test('is the same bytes, emoji images included', async () => {
    const list: Message[] = Array.from({ length: 400 }, (_, i) =>
      message(i % 3 ? alice : me, new Date(start + i * 60_000), [text(`${EMOJI[i % EMOJI.length]} message ${i} ${EMOJI[(i * 7) % EMOJI.length]}`)]),
    );
    const files = [];
    for (let run = 0; run < 3; run++) files.push(readFileSync(await renderPdf(exportContext().ctx, list, 'same')));
    expect(files[0]!.includes('/SMask')).toBe(true);
    expect(files[1]!.equals(files[0]!)).toBe(true);
    expect(files[2]!.equals(files[0]!)).toBe(true);
  });
});
