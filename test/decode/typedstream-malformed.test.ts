// Malformed attributedBody input: always a DecodeError, never a hang or another kind of error.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeAttributedBody, legacyBodyText } from '../../src/decode/attributed-body.js';
import { DecodeError } from '../../src/decode/errors.js';
import { decodeTypedstream } from '../../src/decode/typedstream.js';
import { fixturesPresent, fixturesRoot } from './fixtures.js';

const HEADER = [0x04, 0x0b, ...Buffer.from('streamtyped'), 0x81, 0xe8, 0x03];

function blob(...bytes: (number | string)[]): Buffer {
  return Buffer.from(bytes.flatMap((b) => (typeof b === 'string' ? [...Buffer.from(b)] : [b])));
}

/** Small deterministic PRNG so failures are reproducible. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state / 0x80000000;
  };
}

/** Decodes, and reports whether it succeeded; any error other than DecodeError fails the test. */
function decodesOrDecodeError(bytes: Uint8Array): boolean {
  try {
    decodeAttributedBody(bytes);
    return true;
  } catch (error) {
    if (!(error instanceof DecodeError)) throw error;
    return false;
  }
}

function fixtureBlobs(): Buffer[] {
  const dir = path.join(fixturesRoot, 'apple/typedstream');
  return fs.readdirSync(dir).filter((name) => name !== 'ExtraData').map((name) => fs.readFileSync(path.join(dir, name)));
}

describe('typedstream malformed input', () => {
  it('rejects empty input, wrong signatures and big-endian streams', () => {
    expect(() => decodeTypedstream(blob())).toThrow(DecodeError);
    expect(() => decodeTypedstream(blob(0x04, 0x0b, 'typedstream', 0x81, 0xe8, 0x03))).toThrow(/big-endian/);
    expect(() => decodeTypedstream(blob(0x04, 0x0b, 'streamtypeX'))).toThrow(/signature/);
    expect(() => decodeAttributedBody(Buffer.from('bplist00'))).toThrow(DecodeError);
  });

  it('rejects a root that is not an attributed string', () => {
    // "@" group, NEW object of a new class "Foo" v0 with no superclass, END.
    const foo = blob(...HEADER, 0x84, 0x01, '@', 0x84, 0x84, 0x84, 0x03, 'Foo', 0x00, 0x85, 0x86);
    expect(decodeTypedstream(foo).objectCount).toBe(2);
    expect(() => decodeAttributedBody(foo)).toThrow(/not an NSAttributedString/);
  });

  it('rejects references outside the tables and to objects still being read', () => {
    expect(() => decodeTypedstream(blob(...HEADER, 0xa0))).toThrow(/shared-string reference 14 outside/);
    // The object refers to itself (object-table entry 0) while its contents are being read.
    const selfReference = blob(...HEADER, 0x84, 0x01, '@', 0x84, 0x84, 0x84, 0x03, 'Foo', 0x00, 0x85, 0x92, 0x92, 0x86);
    expect(() => decodeTypedstream(selfReference)).toThrow(/while it is being read/);
  });

  it('rejects a class chain that loops back on itself', () => {
    // Class A (slot 1) → class B (slot 2) → reference to A.
    const loop = blob(...HEADER, 0x84, 0x01, '@', 0x84, 0x84, 0x84, 0x01, 'A', 0x00, 0x84, 0x84, 0x01, 'B', 0x00, 0x93, 0x86);
    expect(() => decodeTypedstream(loop)).toThrow(/refers to itself/);
  });

  it('rejects huge declared lengths and array counts without reading them', () => {
    const hugeString = blob(...HEADER, 0x84, 0x01, '+', 0x82, 0xff, 0xff, 0xff, 0x7f);
    expect(() => decodeTypedstream(hugeString)).toThrow(/need 2147483647 bytes/);
    const hugeArray = blob(...HEADER, 0x84, 0x0c, '[999999999i]', 0x01);
    expect(() => decodeTypedstream(hugeArray)).toThrow(DecodeError);
  });

  it('rejects deeply nested objects instead of overflowing the stack', () => {
    // Each level: "@" type (shared ref after the first), NEW object, class (ref after the first).
    const parts: (number | string)[] = [...HEADER, 0x84, 0x01, '@', 0x84, 0x84, 0x84, 0x03, 'Foo', 0x00, 0x85];
    for (let i = 0; i < 5000; i++) parts.push(0x92, 0x84, 0x93);
    expect(() => decodeTypedstream(blob(...parts))).toThrow(/nested too deeply/);
  });

  it('survives random bytes after a valid header', () => {
    const next = random(42);
    for (let i = 0; i < 5000; i++) {
      const tail = Array.from({ length: 1 + Math.floor(next() * 64) }, () => Math.floor(next() * 256));
      decodesOrDecodeError(blob(...HEADER, 0x84, 0x01, '@', ...tail));
    }
  });

  it.skipIf(!fixturesPresent)('rejects every truncation of every real blob', () => {
    for (const full of fixtureBlobs()) {
      for (let length = 0; length < full.length; length++) {
        expect(decodesOrDecodeError(full.subarray(0, length))).toBe(false);
      }
    }
  });

  it.skipIf(!fixturesPresent)('survives single-byte corruption of every real blob', () => {
    const next = random(7);
    for (const full of fixtureBlobs()) {
      for (let i = 0; i < 300; i++) {
        const copy = Buffer.from(full);
        copy[Math.floor(next() * copy.length)] = Math.floor(next() * 256);
        decodesOrDecodeError(copy);
        legacyBodyText(copy);
      }
    }
  });
});
