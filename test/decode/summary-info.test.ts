// Conformance: every edited-message case of the fixtures manifest (SCHEMA.md §2.2, §4.1).
import * as plist from 'plist';
import { describe, expect, it } from 'vitest';
import { bodyComponents } from '../../src/decode/attributed-body.js';
import { DecodeError } from '../../src/decode/errors.js';
import { decodeSummaryInfo } from '../../src/decode/summary-info.js';
import { componentsAsManifest, expectedComponents, fixtureBytes, fixturesPresent, manifestCases } from './fixtures.js';

const APPLE_EPOCH_MS = Date.UTC(2001, 0, 1);
const cases = manifestCases('edited');

describe.skipIf(!fixturesPresent)('message_summary_info fixtures', () => {
  it('covers all edited-message plists', () => {
    expect(cases.length).toBe(6);
  });

  for (const c of cases) {
    it(`${c.id}: part statuses and edit histories`, () => {
      const info = decodeSummaryInfo(fixtureBytes(c.file));
      expect(info.partCount).toBe(c.expect.part_count);
      const parts = [...info.parts].map(([index, part]) => ({
        index,
        status: part.status,
        history: part.history.map((event) => ({
          text: event.text,
          // The manifest asserts whole seconds (the reference exporter truncates); we keep milliseconds.
          seconds: Math.trunc((event.date.getTime() - APPLE_EPOCH_MS) / 1000),
          milliseconds: event.date.getTime() - APPLE_EPOCH_MS,
          guid: event.guid ?? null,
          components: event.body ? componentsAsManifest(bodyComponents(event.body)) : null,
        })),
      }));
      expect(parts).toEqual(
        c.expect.parts.map((part: any) => ({
          index: part.index,
          status: part.status,
          history: part.history.map((h: any) => ({
            text: h.text,
            seconds: h.date_ns_truncated / 1e9,
            milliseconds: Math.trunc(h.date_seconds * 1000),
            guid: h.guid,
            components: expectedComponents(h.components),
          })),
        })),
      );
    });
  }

  it('reads the same data from an XML plist', () => {
    const binary = fixtureBytes('edited_message/EditedAndUnsent.plist');
    const xml = Buffer.from(plist.build(plist.parse(new Uint8Array(binary)) as plist.PlistValue));
    expect(xml.toString('utf8', 0, 5)).toBe('<?xml');
    expect(decodeSummaryInfo(xml)).toEqual(decodeSummaryInfo(binary));
  });
});

describe('message_summary_info malformed input', () => {
  it('rejects garbage and truncated plists with DecodeError', () => {
    expect(() => decodeSummaryInfo(Buffer.from('not a plist at all'))).toThrow(DecodeError);
    expect(() => decodeSummaryInfo(Buffer.from('bplist00garbage'))).toThrow(DecodeError);
    expect(() => decodeSummaryInfo(Buffer.from('<plist><array><string>x</string></array></plist>'))).toThrow(DecodeError);
    const hugeIndex = Buffer.from(plist.buildBinary({ otr: { '0': { lo: 0, le: 1 } }, rp: [123456789] }));
    expect(() => decodeSummaryInfo(hugeIndex)).toThrow(/not a part index/);
  });

  it.skipIf(!fixturesPresent)('rejects every truncation of a real summary with DecodeError', () => {
    const blob = fixtureBytes('edited_message/Edited.plist');
    for (let length = 0; length < blob.length; length++) {
      expect(() => decodeSummaryInfo(blob.subarray(0, length)), `length ${length}`).toThrow(DecodeError);
    }
  });
});
