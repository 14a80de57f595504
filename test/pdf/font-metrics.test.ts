import { readFileSync } from 'node:fs';
import { create as openFont, type Font } from 'fontkit';
import { describe, expect, test } from 'vitest';
import { fontFile, LATIN_FACES } from '../../src/fonts/fonts.js';
import { faceMetrics } from '../../src/fonts/make-metrics.js';
import { SimpleShaper, type MetricsFile } from '../../src/fonts/metrics.js';

const ENGLISH = `Coffee tomorrow? The office called — five people, “fluffy” waffles & affluent friends. AVATAR Typewriter
  Wally’s V. Te Yo P.J. 10:45 1,234.56 — (really?!) naïve façade Ærøskøbing Straße ½ ¿Qué? ¡Olé! afflict fjord`;
const GREEK = 'Καλημέρα! Τι κάνεις; Θα είμαι εκεί στις 8. ΑΥΤΟ Ώρα ΰ';
const CYRILLIC = 'Добрый вечер, всё в силе на завтра? Привет! Как дела? ТАК Ёлка';
const MIXED = ['Aα', 'fiΩ', 'xЖ'];

function fontkitShape(font: Font, word: string) {
  const run = font.layout(word);
  return { ids: run.glyphs.map((g) => g.id), advances: run.positions.map((p) => p.xAdvance), offsets: run.positions.some((p) => p.xOffset || p.yOffset) };
}

/** Random words of these characters, the same every run. */
function randomWords(alphabet: string[], count: number): string[] {
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  return Array.from({ length: count }, () => Array.from({ length: 1 + Math.floor(next() * 10) }, () => alphabet[Math.floor(next() * alphabet.length)]).join(''));
}

describe.each(LATIN_FACES)('build-time metrics of $name', (source) => {
  const font = openFont(readFileSync(fontFile(source)));
  const table: MetricsFile = faceMetrics(font);
  const shaper = new SimpleShaper(table, 1000 / font.unitsPerEm);
  const inGroup = (group: number) => table.chars.filter(([codePoint, , , g]) => codePoint !== 0x20 && (g === group || g === 0)).map(([codePoint]) => String.fromCharCode(codePoint));

  test('words shaped from the table come out as fontkit shapes them, ligatures and kerning included', () => {
    const words = [...`${ENGLISH} ${GREEK} ${CYRILLIC}`.split(/\s+/), ...MIXED, ...[1, 2, 3].flatMap((group) => randomWords(inGroup(group), 2_000)), ...randomWords(['f', 'i', 'l', 'o', 'T'], 500)];
    let fromTable = 0;
    for (const word of words) {
      const ours = shaper.shape(word);
      if (!ours) continue;
      fromTable++;
      const theirs = fontkitShape(font, word);
      expect(theirs.offsets, word).toBe(false);
      expect(ours.glyphs.map((g) => g.id), word).toEqual(theirs.ids);
      expect(ours.positions.map((p) => p.xAdvance), word).toEqual(theirs.advances);
      expect(ours.width).toBeCloseTo(theirs.advances.reduce((a, b) => a + b, 0), 6);
    }
    expect(fromTable).toBeGreaterThan(words.length * 0.9);
  });

  test('everyday words need no fontkit; a word mixing scripts letter to letter does', () => {
    for (const word of `${ENGLISH} ${GREEK} ${CYRILLIC}`.split(/\s+/)) expect(shaper.shape(word), word).toBeDefined();
    for (const word of MIXED) expect(shaper.shape(word), word).toBeUndefined();
    expect(table.ligatures.map(([text]) => text)).toEqual(expect.arrayContaining(['fi', 'fl']));
  });
});
