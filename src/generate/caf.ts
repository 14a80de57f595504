// A Core Audio Format file (what Messages uses for audio messages) holding 16-bit mono linear PCM.
const SAMPLE_RATE = 8000;

function chunk(type: string, body: Buffer): Buffer {
  const header = Buffer.alloc(12);
  header.write(type, 0, 'latin1');
  header.writeBigInt64BE(BigInt(body.length), 4);
  return Buffer.concat([header, body]);
}

/** A short two-tone chirp, `seconds` long. */
export function encodeCafTone(seconds: number, frequency: number): Buffer {
  const frames = Math.round(seconds * SAMPLE_RATE);
  const desc = Buffer.alloc(32);
  desc.writeDoubleBE(SAMPLE_RATE, 0);
  desc.write('lpcm', 8, 'latin1');
  desc.writeUInt32BE(2, 12); // flags: little-endian integer samples
  desc.writeUInt32BE(2, 16); // bytes per packet
  desc.writeUInt32BE(1, 20); // frames per packet
  desc.writeUInt32BE(1, 24); // channels
  desc.writeUInt32BE(16, 28); // bits per channel
  const data = Buffer.alloc(4 + frames * 2); // starts with a 0 edit count
  for (let i = 0; i < frames; i++) {
    const f = i < frames / 2 ? frequency : frequency * 1.5;
    const fade = Math.min(1, i / 400, (frames - i) / 400);
    data.writeInt16LE(Math.round(Math.sin((2 * Math.PI * f * i) / SAMPLE_RATE) * 9000 * fade), 4 + i * 2);
  }
  const fileHeader = Buffer.from([0x63, 0x61, 0x66, 0x66, 0x00, 0x01, 0x00, 0x00]); // "caff", v1, flags 0
  return Buffer.concat([fileHeader, chunk('desc', desc), chunk('data', data)]);
}
