import type { AudioCodec } from 'mediabunny';
import { readCaf, type CafAudio, type CafFormat } from './caf.js';

/** A container every browser plays, for audio only Safari plays in CAF. */
export interface PlayableKind {
  extension: 'ogg' | 'wav';
  type: 'audio/ogg' | 'audio/wav';
}

/** Codecs (as `PlacedAttachment.codec` names them) Safari plays in a CAF, which no other browser plays: not AMR (older voice messages). */
const SAFARI_PLAYS = new Set(['opus', 'aac', 'lpcm']);

/** Whether Safari plays a CAF file of this codec (undefined: its header could not be read). */
export function playsInSafari(codec: string | undefined): boolean {
  return codec !== undefined && SAFARI_PLAYS.has(codec);
}

/** Opus always decodes at 48 kHz: Ogg counts its pre-skip in those samples. */
const OPUS_RATE = 48_000;

/**
 * What a CAF stream can be moved into without decoding it: Opus (today's voice messages) into Ogg, linear
 * PCM into WAVE. Undefined for the rest (AAC, AMR, iLBC), which stay as they are.
 */
export function playableKind(format: CafFormat): PlayableKind | undefined {
  // Ogg's channel mapping for one or two channels; voice messages have one.
  if (format.formatId === 'opus' && format.channels <= 2) return { extension: 'ogg', type: 'audio/ogg' };
  if (format.formatId === 'lpcm' && pcmCodec(format)) return { extension: 'wav', type: 'audio/wav' };
  return undefined;
}

/** The CAF file's audio in the container `playableKind` names, packet for packet (loaded only when a CAF is met). */
export async function remuxCaf(file: Buffer): Promise<Uint8Array> {
  const caf = readCaf(file);
  const kind = playableKind(caf.format);
  const opus = kind?.extension === 'ogg';
  const codec = opus ? 'opus' : pcmCodec(caf.format);
  if (!kind || !codec) throw new Error(`its audio (${caf.format.formatId.trim()}, ${caf.format.bitsPerChannel}-bit) has no container a browser plays`);
  const { Output, OggOutputFormat, WavOutputFormat, BufferTarget, EncodedAudioPacketSource, EncodedPacket } = await import('mediabunny');
  const output = new Output({ format: opus ? new OggOutputFormat() : new WavOutputFormat(), target: new BufferTarget() });
  const source = new EncodedAudioPacketSource(codec);
  output.addAudioTrack(source);
  await output.start();
  const { sampleRate, channels } = caf.format;
  const decoderConfig = { codec, numberOfChannels: channels, sampleRate, description: opus ? opusHead(caf) : undefined };
  let frames = 0;
  for (const [i, packet] of caf.packets.entries()) {
    const data = opus ? packet.data : littleEndian(packet.data, caf.format);
    await source.add(new EncodedPacket(data, 'key', frames / sampleRate, packet.frames / sampleRate), i === 0 ? { decoderConfig } : undefined);
    frames += packet.frames;
  }
  await output.finalize();
  return new Uint8Array(output.target.buffer!);
}

/** The codec of linear PCM as WAVE stores it (little-endian), or undefined for sample sizes it has none for. */
function pcmCodec({ float, bitsPerChannel }: CafFormat): AudioCodec | undefined {
  if (float) return bitsPerChannel === 32 ? 'pcm-f32' : bitsPerChannel === 64 ? 'pcm-f64' : undefined;
  return ({ 8: 'pcm-u8', 16: 'pcm-s16', 24: 'pcm-s24', 32: 'pcm-s32' } as Record<number, AudioCodec>)[bitsPerChannel];
}

/** CAF's PCM is big-endian unless its flags say otherwise; WAVE's is little-endian. */
function littleEndian(samples: Buffer, format: CafFormat): Buffer {
  const width = format.bitsPerChannel / 8;
  if (format.littleEndian || width === 1) return samples;
  const swapped = Buffer.from(samples.subarray(0, samples.length - (samples.length % width)));
  if (width === 2) return swapped.swap16();
  if (width === 4) return swapped.swap32();
  if (width === 8) return swapped.swap64();
  for (let i = 0; i + 2 < swapped.length; i += 3) [swapped[i], swapped[i + 2]] = [swapped[i + 2]!, swapped[i]!];
  return swapped;
}

/** Ogg Opus's identification header (RFC 7845): the stream's channels, pre-skip and original rate. */
function opusHead({ format, primingFrames }: CafAudio): Uint8Array {
  const head = Buffer.alloc(19);
  head.write('OpusHead', 0, 'latin1');
  head[8] = 1;
  head[9] = format.channels;
  head.writeUInt16LE(Math.min(0xffff, Math.round((primingFrames * OPUS_RATE) / format.sampleRate)), 10);
  head.writeUInt32LE(format.sampleRate, 12);
  return head;
}
