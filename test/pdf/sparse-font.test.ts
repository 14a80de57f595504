import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { create as openFont, type Font } from 'fontkit';
import { expect, test } from 'vitest';
import { readFace, readOutlines, withOutlinesLater } from '../../src/fonts/sparse-font.js';

const require = createRequire(import.meta.url);
const CJK = require.resolve('@expo-google-fonts/noto-sans-kr/400Regular/NotoSansKR_400Regular.ttf');
const LATIN = require.resolve('@expo-google-fonts/noto-sans/400Regular/NotoSans_400Regular.ttf');

function outline(font: Font, bytes: Buffer, id: number): Buffer {
  const glyf = font.directory.tables.glyf!;
  return bytes.subarray(glyf.offset + font.loca.offsets[id]!, glyf.offset + font.loca.offsets[id + 1]!);
}

test('a large face is read without its outlines, shapes as the whole file does, and gets the outlines asked for in place', () => {
  const whole = readFileSync(CJK);
  const face = readFace(CJK);
  const font = withOutlinesLater(openFont(face.bytes), face);
  const reference = openFont(whole);
  const text = '내일 점심 같이 먹을래요?';
  expect(font.layout(text).glyphs.map((g) => g.id)).toEqual(reference.layout(text).glyphs.map((g) => g.id));
  expect(font.layout(text).positions).toEqual(reference.layout(text).positions);
  const ids = font.layout(text).glyphs.map((g) => g.id).filter((id) => outline(font, whole, id).length > 0);
  expect(ids.every((id) => outline(font, face.bytes, id).every((byte) => byte === 0))).toBe(true);
  readOutlines(font, ids);
  for (const id of ids) expect(outline(font, face.bytes, id).equals(outline(font, whole, id)), `glyph ${id}`).toBe(true);
});

test('a composite glyph is read with the glyphs it is made of', () => {
  const whole = readFileSync(LATIN);
  const face = readFace(LATIN, 0);
  const font = withOutlinesLater(openFont(face.bytes), face);
  const [accented] = font.layout('é').glyphs.map((g) => g.id);
  expect(outline(font, whole, accented!).readInt16BE(0)).toBeLessThan(0);
  readOutlines(font, [accented!]);
  const parts = (openFont(whole).getGlyph(accented!) as unknown as { _decode(): { components: { glyphID: number }[] } })._decode().components;
  expect(parts.length).toBeGreaterThan(1);
  for (const id of [accented!, ...parts.map((part) => part.glyphID)]) expect(outline(font, face.bytes, id).equals(outline(font, whole, id)), `glyph ${id}`).toBe(true);
});

test('a small face is read whole', () => {
  const face = readFace(LATIN);
  expect(face.outlines).toBeUndefined();
  expect(face.bytes.equals(readFileSync(LATIN))).toBe(true);
});
