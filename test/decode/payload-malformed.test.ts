// Corrupted payloads: decodeBalloonReport must never throw, only report a problem.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeSummaryInfo } from '../../src/decode/summary-info.js';
import { DecodeError } from '../../src/decode/errors.js';
import { decodeBalloonReport } from '../../src/decode/payload.js';
import { stickerSource } from '../../src/decode/sticker.js';
import { fixturesPresent, fixturesRoot } from './fixtures.js';

const BUNDLES = [
  'com.apple.messages.URLBalloonProvider',
  'com.apple.messages.MSMessageExtensionBalloonPlugin:0000000000:com.apple.PassbookUIService.PeerPaymentMessagesExtension',
  'com.apple.Handwriting.HandwritingProvider',
  'com.apple.DigitalTouchBalloonProvider',
];
const FOLDERS = ['url_message', 'music_message', 'shared_placemark', 'app_store', 'collaboration_message', 'app_message', 'digital_touch_message', 'edited_message'];

function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state / 0x80000000;
  };
}

describe.skipIf(!fixturesPresent)('corrupted payloads', () => {
  // describe.skipIf still collects the body: read the fixtures only when they are there.
  const payloads = !fixturesPresent ? [] : FOLDERS.flatMap((folder) => {
    const dir = path.join(fixturesRoot, 'apple', folder);
    return fs.readdirSync(dir).map((name) => fs.readFileSync(path.join(dir, name)));
  });
  if (fixturesPresent) payloads.push(fs.readFileSync(path.join(fixturesRoot, 'apple/handwritten_message/test.bin')));

  it('never throw from decodeBalloonReport, whatever the bundle id', () => {
    const next = random(11);
    let problems = 0;
    for (const payload of payloads) {
      for (let i = 0; i < 60; i++) {
        const copy = Buffer.from(payload);
        for (let flips = 1 + Math.floor(next() * 3); flips > 0; flips--) copy[Math.floor(next() * copy.length)] = Math.floor(next() * 256);
        const truncated = copy.subarray(0, Math.floor(next() * copy.length) + 1);
        for (const bundle of BUNDLES) {
          for (const bytes of [copy, truncated]) {
            const report = decodeBalloonReport(bytes, bundle);
            expect(report.balloon.captions).toBeInstanceOf(Array);
            if (report.problem) problems++;
          }
        }
      }
    }
    expect(problems).toBeGreaterThan(0);
  });

  it('summary info and sticker provenance fail only with DecodeError or quietly', () => {
    const next = random(5);
    for (const payload of payloads) {
      for (let i = 0; i < 40; i++) {
        const copy = Buffer.from(payload);
        copy[Math.floor(next() * copy.length)] = Math.floor(next() * 256);
        try {
          decodeSummaryInfo(copy);
        } catch (error) {
          expect(error).toBeInstanceOf(DecodeError);
        }
        stickerSource(copy, copy, 'x');
      }
    }
  });
});
