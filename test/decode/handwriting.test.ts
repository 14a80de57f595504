// Conformance: handwritten messages (SCHEMA.md §2.6, §4.8): XZ strokes, fitting, SVG and ASCII renders byte for byte.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../src/decode/errors.js';
import { decodeHandwriting, decodeRawHandwriting } from '../../src/decode/handwriting.js';
import { handwritingSvg, renderHandwritingAscii } from '../../src/decode/handwriting-render.js';
import { ProtoMessage } from '../../src/decode/protobuf.js';
import { decompressXz } from '../../src/decode/xz.js';
import { fixtureBytes, fixtureText, fixturesPresent, manifestCases } from './fixtures.js';

const cases = manifestCases('handwriting');

function compressedStrokes(file: string): Uint8Array {
  return new ProtoMessage(new ProtoMessage(fixtureBytes(file)).bytes(4)!).bytes(8)!;
}

describe.skipIf(!fixturesPresent)('handwriting fixtures', () => {
  it('covers all four drawings', () => expect(cases.length).toBe(4));

  for (const c of cases) {
    const e = c.expect;
    it(`${c.id}: header, raw strokes and fitted size`, () => {
      const raw = decodeRawHandwriting(fixtureBytes(c.file));
      expect(raw.id).toBe(e.id);
      expect(raw.createdAt).toBe(e.created_at);
      expect(raw.frame).toEqual(e.raw.frame);
      expect(raw.strokes.map((s) => s.length)).toEqual(e.raw.points_per_stroke);
      expect(raw.strokes.flat().slice(0, 3)).toEqual(e.raw.first_raw_points);
      expect(Math.max(...raw.strokes.flat().map((p) => p[0]))).toBe(e.raw.max_x);
      const drawing = decodeHandwriting(fixtureBytes(c.file));
      expect({ width: drawing.width, height: drawing.height }).toEqual({ width: e.width, height: e.height });
    });

    it(`${c.id}: SVG render byte for byte`, () => {
      expect(handwritingSvg(fixtureBytes(c.file))).toBe(fixtureText(`apple/${e.renders.svg}`));
    });

    for (const ascii of e.renders.ascii) {
      it(`${c.id}: ASCII render at ${ascii.max_height} rows byte for byte`, () => {
        expect(renderHandwritingAscii(decodeHandwriting(fixtureBytes(c.file)), ascii.max_height)).toBe(fixtureText(`apple/${ascii.file}`));
      });
    }
  }

  it('fits every point of handwriting.bin as asserted', () => {
    const expected = JSON.parse(fixtureText('expected/handwriting.strokes.json')).strokes;
    const strokes = decodeHandwriting(fixtureBytes('handwritten_message/handwriting.bin')).strokes;
    expect(strokes.flat()).toHaveLength(2124);
    expect(strokes).toEqual(expected);
  });
});

describe.skipIf(!fixturesPresent)('XZ decompression', () => {
  it('matches the declared decompressed lengths', () => {
    for (const c of cases) expect(decompressXz(compressedStrokes(c.file)).length).toBe(c.expect.raw.decompressed_length);
  });

  it('matches the system xz tool when it is installed', () => {
    let haveXz = true;
    try {
      execFileSync('xz', ['--version']);
    } catch {
      haveXz = false;
    }
    if (!haveXz) {
      console.warn('xz not installed: cross-check against it skipped');
      return;
    }
    for (const c of cases) {
      const compressed = compressedStrokes(c.file);
      expect(Buffer.from(decompressXz(compressed)).equals(execFileSync('xz', ['-dc'], { input: compressed }))).toBe(true);
    }
  });

  it('rejects every truncation and random corruption with DecodeError', () => {
    const compressed = compressedStrokes('handwritten_message/test.bin');
    for (let length = 0; length < compressed.length; length += 7) {
      expect(() => decompressXz(compressed.subarray(0, length), 9950)).toThrow(DecodeError);
    }
    let seed = 1;
    for (let i = 0; i < 300; i++) {
      const copy = Buffer.from(compressed);
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      copy[seed % copy.length] ^= 1 + (seed % 255);
      try {
        decompressXz(copy, 9950);
      } catch (error) {
        expect(error).toBeInstanceOf(DecodeError);
      }
    }
  });

  it('rejects handwriting payloads that are not protobuf', () => {
    expect(() => decodeHandwriting(Buffer.from('definitely not a drawing'))).toThrow(DecodeError);
  });
});
