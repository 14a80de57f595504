import { describe, expect, it } from 'vitest';
import { encodeCafTone } from '../../src/generate/caf.js';

describe('CAF audio writer', () => {
  it('writes a caff header, a linear-PCM desc chunk and a data chunk of the right size', () => {
    const caf = encodeCafTone(1.5, 440);
    expect(caf.toString('latin1', 0, 4)).toBe('caff');
    expect(caf.readUInt16BE(4)).toBe(1);
    expect(caf.toString('latin1', 8, 12)).toBe('desc');
    expect(caf.readBigInt64BE(12)).toBe(32n);
    expect(caf.readDoubleBE(20)).toBe(8000);
    expect(caf.toString('latin1', 28, 32)).toBe('lpcm');
    expect(caf.readUInt32BE(48)).toBe(16); // bits per channel
    expect(caf.toString('latin1', 52, 56)).toBe('data');
    const frames = 1.5 * 8000;
    expect(caf.readBigInt64BE(56)).toBe(BigInt(4 + frames * 2));
    expect(caf.length).toBe(64 + 4 + frames * 2);
    const samples = Array.from({ length: 200 }, (_, i) => caf.readInt16LE(68 + 2 * (1000 + i)));
    expect(Math.max(...samples)).toBeGreaterThan(5000); // an audible tone, not silence
  });
});
