import { CHROMIUM, haveChromium, launchChromium } from '../support/chromium.js';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BufferSource, EncodedPacketSink, Input, OGG } from 'mediabunny';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeCafTone } from '../../src/generate/caf.js';
import { MediaArchive } from '../../src/media/media-archive.js';
import { readCaf } from '../../src/media/caf.js';
import { remuxCaf } from '../../src/media/playable-audio.js';
import type { Attachment } from '../../src/model/types.js';
import { attachmentPart, ensureBuilt, message, renderOne, tempDir } from './support.js';

if (!haveChromium) console.warn(`Skipping the voice-message playing test: ${CHROMIUM} is absent (apt-get install chromium).`);

function chunk(type: string, body: Buffer): Buffer {
  const header = Buffer.alloc(12);
  header.write(type, 0, 'latin1');
  header.writeBigInt64BE(BigInt(body.length), 4);
  return Buffer.concat([header, body]);
}

/** The CAF packet table's integers: seven bits a byte, most significant first. */
function variableInteger(value: number): Buffer {
  const bytes = [value & 0x7f];
  for (let rest = Math.floor(value / 128); rest > 0; rest = Math.floor(rest / 128)) bytes.unshift(0x80 | (rest & 0x7f));
  return Buffer.from(bytes);
}

/**
 * An Opus voice message as Messages writes it: 20 ms packets of varying size listed in a `pakt` chunk.
 * A packet of its table-of-contents byte alone (CELT, 20 ms, one frame of no bytes) decodes as silence.
 */
function opusCaf(packets: Buffer[], priming = 312, formatId = 'opus', rate = 48_000): Buffer {
  const frames = rate / 50;
  const desc = Buffer.alloc(32);
  desc.writeDoubleBE(rate, 0);
  desc.write(formatId, 8, 'latin1');
  desc.writeUInt32BE(frames, 20); // frames per packet; bytes per packet 0: variable
  desc.writeUInt32BE(1, 24);
  const table = Buffer.alloc(24);
  table.writeBigInt64BE(BigInt(packets.length), 0);
  table.writeBigInt64BE(BigInt(packets.length * frames - priming), 8);
  table.writeInt32BE(priming, 16);
  const pakt = Buffer.concat([table, ...packets.map((p) => variableInteger(p.length))]);
  const data = Buffer.concat([Buffer.alloc(4), ...packets]);
  return Buffer.concat([Buffer.from('caff\x00\x01\x00\x00', 'latin1'), chunk('desc', desc), chunk('pakt', pakt), chunk('data', data)]);
}

const silence = (count: number) => Array.from({ length: count }, () => Buffer.from([0xf8]));

async function oggPackets(ogg: Uint8Array): Promise<{ codec: string | null; packets: Buffer[]; duration: number }> {
  const input = new Input({ source: new BufferSource(ogg), formats: [OGG] });
  const track = (await input.getPrimaryAudioTrack())!;
  const packets: Buffer[] = [];
  for await (const packet of new EncodedPacketSink(track).packets()) packets.push(Buffer.from(packet.data));
  return { codec: track.codec, packets, duration: await input.computeDuration() };
}

function cafAttachment(path: string, fields: Partial<Attachment> = {}): Attachment {
  return { guid: path, fileName: 'Audio Message.caf', path, missing: false, kind: 'audio', size: 0, isSticker: false, uti: 'com.apple.coreaudio-format', ...fields };
}

describe('voice messages (CAF) in a container every browser plays', () => {
  beforeAll(ensureBuilt, 120_000);

  it('moves Opus into Ogg packet for packet, its priming frames as the pre-skip', async () => {
    // A packet of 300 bytes takes two bytes in the packet table.
    const packets = [...silence(3), Buffer.concat([Buffer.from([0xf8]), Buffer.alloc(299, 0x55)]), ...silence(2)];
    const caf = opusCaf(packets, 312);
    expect(readCaf(caf).packets.map((p) => p.data.length)).toEqual([1, 1, 1, 300, 1, 1]);
    const ogg = await remuxCaf(caf);
    const read = await oggPackets(ogg);
    expect(read.codec).toBe('opus');
    expect(read.packets).toEqual(packets);
    const head = Buffer.from(ogg).indexOf('OpusHead');
    expect(Buffer.from(ogg).readUInt16LE(head + 10)).toBe(312);
    expect(read.duration).toBeCloseTo(6 * 0.02 - 312 / 48_000, 3);
    // Recorded at 24 kHz: Ogg counts the pre-skip at Opus's 48 kHz.
    const slower = Buffer.from(await remuxCaf(opusCaf(packets, 312, 'opus', 24_000)));
    expect(slower.readUInt16LE(slower.indexOf('OpusHead') + 10)).toBe(624);
    expect((await oggPackets(slower)).duration).toBeCloseTo(6 * 0.02 - 312 / 24_000, 3);
  });

  it('moves linear PCM into WAVE, big-endian samples turned little-endian', async () => {
    const little = encodeCafTone(0.5, 440);
    const samples = readCaf(little).packets[0]!.data;
    const wav = Buffer.from(await remuxCaf(little));
    expect(wav.toString('latin1', 0, 4)).toBe('RIFF');
    expect([wav.readUInt16LE(20), wav.readUInt16LE(22), wav.readUInt32LE(24), wav.readUInt16LE(34)]).toEqual([1, 1, 8000, 16]);
    const data = wav.indexOf('data') + 8;
    expect(wav.subarray(data, data + samples.length)).toEqual(samples);
    const big = Buffer.from(little);
    big.writeUInt32BE(0, 8 + 12 + 12); // format flags: big-endian integers
    const bigSamples = big.subarray(big.length - samples.length);
    Buffer.from(samples).swap16().copy(bigSamples);
    const fromBig = Buffer.from(await remuxCaf(big));
    expect(fromBig.subarray(data, data + samples.length)).toEqual(samples);
  });

  it('writes the playable copy beside the original, leaves other codecs alone, and says why a damaged one was not converted', async () => {
    const dir = tempDir('voice');
    const outDir = join(dir, 'archive');
    const files = { opus: opusCaf(silence(50)), aac: opusCaf(silence(5), 0, 'aac '), damaged: opusCaf(silence(50)).subarray(0, 200) };
    for (const [name, bytes] of Object.entries(files)) writeFileSync(join(dir, `${name}.caf`), bytes);
    const warnings: string[] = [];
    const media = new MediaArchive(outDir, 'copy', (w) => warnings.push(w));
    const opus = media.place(cafAttachment(join(dir, 'opus.caf')));
    const aac = media.place(cafAttachment(join(dir, 'aac.caf')));
    const damaged = media.place(cafAttachment(join(dir, 'damaged.caf')));
    const stats = await media.finish();
    expect(opus.playable).toEqual({ src: opus.href!.replace(/\.caf$/, '.ogg'), type: 'audio/ogg' });
    expect(existsSync(join(outDir, opus.playable!.src))).toBe(true);
    expect(aac.playable).toBeUndefined();
    expect(existsSync(join(outDir, damaged.playable!.src))).toBe(false);
    // Pages show what was made: the damaged one plays as its original alone.
    expect(await media.settle(damaged)).toEqual({ ...damaged, playable: undefined });
    expect(await media.settle(opus)).toEqual(opus);
    expect(warnings).toEqual([`Could not convert voice message “Audio Message.caf” (${join(dir, 'damaged.caf')}): the CAF file's data chunk runs past its end`]);
    expect(stats).toMatchObject({ copied: 3, converted: 1, failed: 1 });
  });

  describe.skipIf(!haveChromium)('in Chromium', () => {
    let browser: Browser;
    beforeAll(async () => {
      browser = await launchChromium(['--autoplay-policy=no-user-gesture-required']);
    }, 60_000);
    afterAll(async () => browser?.close());

    it('plays a voice message from the conversation page, and offers the original CAF to download', async () => {
      const dir = tempDir('voice-page');
      writeFileSync(join(dir, 'Audio Message.caf'), opusCaf(silence(150)));
      const part = attachmentPart({ fileName: 'Audio Message.caf', path: join(dir, 'Audio Message.caf'), kind: 'audio', size: 200, uti: 'com.apple.coreaudio-format' });
      const { outDir, page } = await renderOne([message(1, { parts: [part], isAudioMessage: true })], {}, undefined, 'copy');
      expect(page(1)).not.toContain('audio-note');
      expect(page(1)).toMatch(/<a class="file" href="[^"]*Audio%20Message\.caf" download>Audio message<\/a>/);
      const tab = await browser.newPage();
      await tab.goto(pathToFileURL(join(outDir, 'conversations/Alice/p1.html')).href);
      const state = await tab.evaluate(async () => {
        const audio = document.querySelector('audio')!;
        audio.preload = 'auto';
        audio.load();
        await new Promise((resolve) => audio.addEventListener('loadedmetadata', resolve, { once: true }));
        await audio.play();
        return { src: audio.currentSrc, duration: audio.duration, error: audio.error?.code ?? null };
      });
      expect(state.src).toMatch(/Audio%20Message\.ogg$/);
      expect(state.error).toBeNull();
      expect(state.duration).toBeCloseTo(3 - 312 / 48_000, 1);
      await tab.close();
    }, 30_000);
  });
});
