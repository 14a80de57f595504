// The fast reader of the common attributedBody shape must give exactly what the full decoder gives:
// the same body, or the same error (it hands everything it does not take to the full decoder).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeAttributedBody, decodeAttributedBodyFully } from '../../src/decode/attributed-body.js';
import { commonAttributedStringValues } from '../../src/decode/typedstream-common.js';
import {
  ArchivedNumber,
  ArchivedString,
  ArchivedURL,
  AttributeDictionary,
  encodeAttributedString,
} from '../../src/generate/typedstream-writer.js';
import { fixturesPresent, fixturesRoot } from './fixtures.js';

function outcome(decode: (blob: Uint8Array) => unknown, blob: Uint8Array): unknown {
  try {
    return { body: decode(blob) };
  } catch (error) {
    return { error: `${(error as Error).name}: ${(error as Error).message}` };
  }
}

function expectSameAsFullDecoder(blob: Uint8Array): void {
  expect(outcome(decodeAttributedBody, blob)).toEqual(outcome(decodeAttributedBodyFully, blob));
}

function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state / 0x80000000;
  };
}

function fixtureBlobs(): Buffer[] {
  const dir = path.join(fixturesRoot, 'apple/typedstream');
  return fs.readdirSync(dir).map((name) => fs.readFileSync(path.join(dir, name)));
}

const part = (value: number) => new AttributeDictionary([[new ArchivedString('__kIMMessagePartAttributeName'), new ArchivedNumber('i', value)]]);

describe('the common-shape reader of attributedBody', () => {
  it('takes the usual shapes: several runs, links, numbers of every width, a repeated dictionary', () => {
    const link = new AttributeDictionary([
      [new ArchivedString('__kIMLinkAttributeName'), new ArchivedURL(new ArchivedString('https://example.com/'))],
      [new ArchivedString('big'), new ArchivedNumber('q', 2 ** 20 + 5)],
      [new ArchivedString('ratio'), new ArchivedNumber('d', 0.75)],
      [new ArchivedString('flag'), new ArchivedNumber('c', -1)],
    ]);
    const plain = part(0);
    const blob = encodeAttributedString('see https://example.com/ ok', [
      { length: 4, dictionary: plain },
      { length: 20, dictionary: link },
      { length: 3, dictionary: plain },
    ]);
    expect(commonAttributedStringValues(blob)).toBeDefined();
    expectSameAsFullDecoder(blob);
    const body = decodeAttributedBody(blob);
    expect(body.runs[2].attributes).toBe(body.runs[0].attributes);
  });

  it('reads 64-bit integers as the full decoder does', () => {
    const blob = encodeAttributedString('x', [{ length: 1, dictionary: new AttributeDictionary([[new ArchivedString('n'), new ArchivedNumber('q', 2 ** 40)]]) }]);
    expect(commonAttributedStringValues(blob)).toBeDefined();
    expectSameAsFullDecoder(blob);
  });

  it.skipIf(!fixturesPresent)('gives what the full decoder gives for every real blob, its truncations and corruptions', () => {
    const next = random(11);
    for (const full of fixtureBlobs()) {
      expectSameAsFullDecoder(full);
      for (let length = 0; length < full.length; length++) expectSameAsFullDecoder(full.subarray(0, length));
      for (let i = 0; i < 300; i++) {
        const copy = Buffer.from(full);
        copy[Math.floor(next() * copy.length)] = Math.floor(next() * 256);
        expectSameAsFullDecoder(copy);
      }
    }
  });

  it('gives what the full decoder gives for corruptions of generated blobs', () => {
    const next = random(5);
    const blob = encodeAttributedString('a b c', [
      { length: 2, dictionary: part(0) },
      { length: 2, dictionary: new AttributeDictionary([[new ArchivedString('__kIMLinkAttributeName'), new ArchivedURL(new ArchivedString('https://a.b/'))]]) },
      { length: 1, dictionary: part(1) },
    ]);
    for (let i = 0; i < 3000; i++) {
      const copy = Buffer.from(blob);
      copy[Math.floor(next() * copy.length)] = Math.floor(next() * 256);
      expectSameAsFullDecoder(copy);
    }
  });
});
