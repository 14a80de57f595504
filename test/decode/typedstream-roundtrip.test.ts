// Archives far larger than the fixtures, written by the project's own typedstream encoder
// (src/generate): wide back-references (0x81 + int16), 4-byte lengths and 64-bit integers.
import { describe, expect, it } from 'vitest';
import { decodeAttributedBody } from '../../src/decode/attributed-body.js';
import { ArchivedNumber as DecodedNumber, ArchivedURL as DecodedURL, decodeTypedstream } from '../../src/decode/typedstream.js';
import {
  ArchivedNumber,
  ArchivedString,
  ArchivedURL,
  AttributeDictionary,
  encodeAttributedString,
  type AttributeRun,
} from '../../src/generate/typedstream-writer.js';

describe('typedstream round trip through the project encoder', () => {
  it('decodes hundreds of distinct attribute dictionaries (references past index 237)', () => {
    const partKey = new ArchivedString('__kIMMessagePartAttributeName');
    const runs: AttributeRun[] = [];
    let text = '';
    let previous = new ArchivedString('none');
    for (let i = 0; i < 400; i++) {
      const word = `w${i} `;
      text += word;
      const value = new ArchivedString(`value ${i}`);
      const entries: [ArchivedString, ArchivedNumber | ArchivedURL | ArchivedString][] = [
        [partKey, new ArchivedNumber('q', i)],
        [new ArchivedString('__kIMLinkAttributeName'), new ArchivedURL(new ArchivedString(`https://example.com/${i}`))],
        [new ArchivedString('custom'), value],
        // The same object as the previous dictionary's value: written as a back-reference.
        [new ArchivedString('previous'), previous],
      ];
      previous = value;
      runs.push({ length: word.length, dictionary: new AttributeDictionary(entries) });
    }
    const blob = encodeAttributedString(text, runs);
    const archive = decodeTypedstream(blob);
    expect(archive.objectCount).toBeGreaterThan(2000);
    const body = decodeAttributedBody(blob);
    expect(body.text).toBe(text);
    expect(body.runs).toHaveLength(400);
    const last = body.runs[399].attributes;
    expect((last.get('__kIMMessagePartAttributeName') as DecodedNumber).value).toBe(399);
    expect((last.get('__kIMLinkAttributeName') as DecodedURL).relative).toBe('https://example.com/399');
    expect(last.get('custom')).toBe('value 399');
    expect(last.get('previous')).toBe('value 398');
    // Index 2000-odd is past the single-byte range: the encoder wrote 0x81 + int16 references.
    expect(blob.includes(Buffer.from([0x92, 0x81]))).toBe(true);
  });

  it('decodes a 100,000-character text, 64-bit numbers and whole doubles', () => {
    const text = 'é'.repeat(50_000) + '🙂'.repeat(25_000);
    const dictionary = new AttributeDictionary([
      [new ArchivedString('big'), new ArchivedNumber('q', 2 ** 40 + 7)],
      [new ArchivedString('negative'), new ArchivedNumber('q', -5000)],
      [new ArchivedString('height'), new ArchivedNumber('d', 1139)],
      [new ArchivedString('ratio'), new ArchivedNumber('d', 0.75)],
      [new ArchivedString('flag'), new ArchivedNumber('c', 1)],
    ]);
    const body = decodeAttributedBody(encodeAttributedString(text, [{ length: text.length, dictionary }]));
    expect(body.text).toBe(text);
    const values = [...body.runs[0].attributes].map(([key, value]) => [key, (value as DecodedNumber).objcType, (value as DecodedNumber).value]);
    expect(values).toEqual([
      ['big', 'q', 2 ** 40 + 7],
      ['negative', 'q', -5000],
      ['height', 'd', 1139],
      ['ratio', 'd', 0.75],
      ['flag', 'c', 1],
    ]);
  });

  it('shares one attribute Map between runs that repeat a dictionary index', () => {
    const plain = new AttributeDictionary([[new ArchivedString('__kIMMessagePartAttributeName'), new ArchivedNumber('i', 0)]]);
    const bold = new AttributeDictionary([[new ArchivedString('__kIMTextBoldAttributeName'), new ArchivedNumber('i', 1)]]);
    const body = decodeAttributedBody(encodeAttributedString('a b c', [
      { length: 2, dictionary: plain },
      { length: 2, dictionary: bold },
      { length: 1, dictionary: plain },
    ]));
    expect(body.runs.map((r) => [r.start, r.end])).toEqual([[0, 2], [2, 4], [4, 5]]);
    expect(body.runs[2].attributes).toBe(body.runs[0].attributes);
  });
});
