import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { fixturePresent, fixturesDir } from './fixtures.js';
import { encodeBody, OBJECT_REPLACEMENT as FFFC } from '../../src/generate/attributed-body.js';
import { encodeAttributedString } from '../../src/generate/typedstream-writer.js';

const typedstreamDir = path.join(fixturesDir, 'apple/typedstream');
const present = fixturePresent('apple/typedstream');

describe.skipIf(!present)('typedstream writer reproduces real Apple blobs byte for byte', () => {
  const real = (name: string) => fs.readFileSync(path.join(typedstreamDir, name));

  it('AttributedBodyTextOnly', () => {
    const { blob } = encodeBody([{ text: 'Noter test', part: 0 }]);
    expect(blob.equals(real('AttributedBodyTextOnly'))).toBe(true);
  });

  it('Mention', () => {
    const { blob } = encodeBody([
      { text: 'Test ', part: 0 },
      { text: 'Dad', part: 0, mention: '+15558675309' },
      { text: ' ', part: 0 },
    ]);
    expect(blob.equals(real('Mention'))).toBe(true);
  });

  it('MultiPart', () => {
    const guid = (n: number) => ({ guid: `at_${n}_F0668F79-20C2-49C9-A87F-1B007ABB0CED` });
    const { text, blob } = encodeBody([
      { text: FFFC, part: 0, attachment: guid(0) },
      { text: 'test 1', part: 1 },
      { text: FFFC, part: 2, attachment: guid(2) },
      { text: 'test 2 ', part: 3 },
      { text: FFFC, part: 4, attachment: guid(4) },
      { text: 'test 3', part: 5 },
    ]);
    expect(text).toBe(`${FFFC}test 1${FFFC}test 2 ${FFFC}test 3`);
    expect(blob.equals(real('MultiPart'))).toBe(true);
  });
});

describe('typedstream writer', () => {
  it('starts with the streamtyped header and ends the root object', () => {
    const { blob } = encodeBody([{ text: 'hi', part: 0 }]);
    expect(blob.subarray(0, 16).toString('hex')).toBe('040b73747265616d747970656481e803');
    expect(blob[blob.length - 1]).toBe(0x86);
  });

  it('writes long UTF-8 strings with a 32-bit length', () => {
    const text = '字'.repeat(30000); // 90,000 UTF-8 bytes
    const { blob } = encodeBody([{ text, part: 0 }]);
    const at = blob.indexOf(Buffer.from('字', 'utf8'));
    expect(blob.subarray(at - 5, at).toString('hex')).toBe('82' + '905f0100');
  });

  it('rejects runs that do not cover the text', () => {
    expect(() => encodeAttributedString('abc', [])).toThrow(/cover 0 of 3/);
  });
});
