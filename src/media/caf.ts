// Apple's Core Audio Format (CAF), which Messages writes voice messages in: its chunks read as far as
// handing the audio to another container needs (no sample is decoded).

/** The stream's description (the `desc` chunk, which follows the file header). */
export interface CafFormat {
  /** Four-character code: `lpcm`, `opus`, `aac `, … */
  formatId: string;
  sampleRate: number;
  channels: number;
  bitsPerChannel: number;
  float: boolean;
  littleEndian: boolean;
  /** 0: packets differ in size (listed in the `pakt` chunk). */
  bytesPerPacket: number;
  /** 0: packets differ in length (listed in the `pakt` chunk). */
  framesPerPacket: number;
}

export interface CafAudio {
  format: CafFormat;
  /** Each packet with how many frames it holds. */
  packets: { data: Buffer; frames: number }[];
  /** Frames at the start that only prime the decoder (Opus's pre-skip). */
  primingFrames: number;
}

/** Whether an attachment says it is a CAF file (by name, MIME type or UTI). */
export function isCaf({ fileName, mimeType, uti }: { fileName: string; mimeType?: string; uti?: string }): boolean {
  return /\.caf$/i.test(fileName) || mimeType === 'audio/x-caf' || uti === 'com.apple.coreaudio-format';
}

const HEADER_BYTES = 8;
const CHUNK_HEADER_BYTES = 12;
const FLAG_FLOAT = 1;
const FLAG_LITTLE_ENDIAN = 2;

/** Bytes `cafFormat` needs from the start of a file. */
export const CAF_HEAD_BYTES = 52;

/** The format of a CAF file from its first bytes, or undefined when they are not a CAF header and description. */
export function cafFormat(head: Buffer): CafFormat | undefined {
  if (head.length < CAF_HEAD_BYTES || head.toString('latin1', 0, 4) !== 'caff') return undefined;
  if (head.toString('latin1', HEADER_BYTES, HEADER_BYTES + 4) !== 'desc') return undefined;
  const d = HEADER_BYTES + CHUNK_HEADER_BYTES;
  const flags = head.readUInt32BE(d + 12);
  return {
    sampleRate: head.readDoubleBE(d),
    formatId: head.toString('latin1', d + 8, d + 12),
    float: (flags & FLAG_FLOAT) !== 0,
    littleEndian: (flags & FLAG_LITTLE_ENDIAN) !== 0,
    bytesPerPacket: head.readUInt32BE(d + 16),
    framesPerPacket: head.readUInt32BE(d + 20),
    channels: head.readUInt32BE(d + 24),
    bitsPerChannel: head.readUInt32BE(d + 28),
  };
}

/** The packets of a whole CAF file; throws on a file whose chunks do not add up. */
export function readCaf(file: Buffer): CafAudio {
  const format = cafFormat(file);
  if (!format) throw new Error('not a Core Audio Format file');
  const chunks = chunksOf(file);
  const data = chunks.get('data');
  if (!data) throw new Error('the CAF file has no audio data');
  // The data chunk begins with an edit count.
  const audio = data.subarray(4);
  const table = chunks.get('pakt');
  if (format.bytesPerPacket > 0 && format.framesPerPacket > 0) return { format, packets: fixedPackets(audio, format), primingFrames: 0 };
  if (!table) throw new Error('the CAF file lists no packet sizes');
  return packetTable(audio, table, format);
}

function chunksOf(file: Buffer): Map<string, Buffer> {
  const chunks = new Map<string, Buffer>();
  for (let at = HEADER_BYTES; at + CHUNK_HEADER_BYTES <= file.length; ) {
    const type = file.toString('latin1', at, at + 4);
    const declared = file.readBigInt64BE(at + 4);
    const start = at + CHUNK_HEADER_BYTES;
    // A data chunk of size -1 runs to the end of the file (a recording not closed properly).
    const end = declared < 0n ? file.length : start + Number(declared);
    if (end > file.length) throw new Error(`the CAF file's ${type.trim()} chunk runs past its end`);
    chunks.set(type, file.subarray(start, end));
    at = end;
  }
  return chunks;
}

/** Linear PCM and other constant-size packets: one packet of all the frames is enough to move them. */
function fixedPackets(audio: Buffer, format: CafFormat): CafAudio['packets'] {
  const whole = audio.length - (audio.length % format.bytesPerPacket);
  return [{ data: audio.subarray(0, whole), frames: (whole / format.bytesPerPacket) * format.framesPerPacket }];
}

function packetTable(audio: Buffer, table: Buffer, format: CafFormat): CafAudio {
  const count = Number(table.readBigInt64BE(0));
  const primingFrames = table.readInt32BE(16);
  const cursor = { at: 24 };
  const packets: CafAudio['packets'] = [];
  let offset = 0;
  for (let i = 0; i < count; i++) {
    const size = format.bytesPerPacket || variableInteger(table, cursor);
    const frames = format.framesPerPacket || variableInteger(table, cursor);
    if (offset + size > audio.length) throw new Error('the CAF file lists more audio than it holds');
    packets.push({ data: audio.subarray(offset, offset + size), frames });
    offset += size;
  }
  return { format, packets, primingFrames: Math.max(0, primingFrames) };
}

/** The packet table's integers: seven bits a byte, most significant first, the top bit set on all but the last. */
function variableInteger(table: Buffer, cursor: { at: number }): number {
  let value = 0;
  for (;;) {
    if (cursor.at >= table.length) throw new Error("the CAF file's packet table ends early");
    const byte = table[cursor.at++]!;
    value = value * 128 + (byte & 0x7f);
    if (byte < 0x80) return value;
  }
}
