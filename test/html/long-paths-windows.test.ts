// On Windows only Node reaches a path longer than 260 characters (it hands the system `\\?\C:\…`); libvips,
// which sharp writes files with, does not. A deep --out put an HTML archive's converted photos past that, and
// each was "Could not convert image … unable to open for write": so conversions are written by Node.
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { ROOT, tempDir } from '../support/cli.js';

const MAX_PATH = 260;
const toFile = sharp.prototype.toFile;

describe('a photo converted to a path longer than Windows allows libvips', () => {
  it('is written all the same', async () => {
    // libvips as on Windows: it cannot open so long a path for writing.
    sharp.prototype.toFile = function (this: sharp.Sharp, path: string, ...rest: unknown[]) {
      if (path.length >= MAX_PATH) throw new Error(`${path}: unable to open for write\nsystem error: The system cannot find the path specified.`);
      return (toFile as (...args: unknown[]) => unknown).call(this, path, ...rest);
    } as typeof toFile;
    try {
      const { convertImage } = await import('../../src/media/convert.js');
      const folder = join(tempDir('long-paths'), 'Legal matters 2024 – Smith v. Smith', 'Messages exported for counsel', 'attachments', 'c6', 'c637d8bf0d66acd281a1');
      mkdirSync(folder, { recursive: true });
      const source = join(ROOT, 'sample-data', 'Attachments', readdirSync(join(ROOT, 'sample-data', 'Attachments'), { recursive: true }).map(String).find((p) => p.endsWith('.HEIC'))!);
      const path = join(folder, `${'Photo from the closing of the house on Maple Street with everyone'.padEnd(120, '!')}.jpg`);
      expect(path.length).toBeGreaterThan(MAX_PATH);
      await convertImage({ source, outputs: [{ path, format: 'jpeg', maxSide: 400 }] });
      expect(readFileSync(path).subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
      expect(readdirSync(folder)).toHaveLength(1);
    } finally {
      sharp.prototype.toFile = toFile;
    }
  });
});
