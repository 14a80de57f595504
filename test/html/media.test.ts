import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { probeImage } from '../../src/media/image-size.js';
import { MediaArchive } from '../../src/media/media-archive.js';
import { safeFileName } from '../../src/media/safe-names.js';
import type { Attachment } from '../../src/model/types.js';
import { STICKERS, ensureBuilt, listFiles, tempDir } from './support.js';

const haveStickers = existsSync(STICKERS);
if (!haveStickers) console.warn(`Skipping HEIC conversion tests: ${STICKERS} is absent.`);

function attachment(path: string, fields: Partial<Attachment> = {}): Attachment {
  return { guid: path, fileName: path.split('/').pop()!, path, missing: false, kind: 'image', size: 0, isSticker: false, ...fields };
}

describe('attachment file names', () => {
  it('keeps only a safe last segment', () => {
    expect(safeFileName('../../x.txt')).toBe('x.txt');
    // A backslash is a character of a macOS name, not a separator: made safe, it cannot climb out either.
    expect(safeFileName('..\\..\\evil.exe')).toBe('_.._evil.exe');
    expect(safeFileName('..')).toBe('attachment');
    expect(safeFileName('/etc/passwd')).toBe('passwd');
    expect(safeFileName('a<b>:c?.jpg')).toBe('a_b_c_.jpg');
    expect(safeFileName('photo.j"p<g')).toBe('photo.jpg');
  });
});

describe('MediaArchive', () => {
  beforeAll(ensureBuilt, 120_000);

  it('copies a file named ../../x.txt inside the archive, never beside it', async () => {
    const work = tempDir('escape');
    const outDir = join(work, 'deep', 'archive');
    await mkdir(outDir, { recursive: true });
    const source = join(work, 'source.txt');
    writeFileSync(source, 'secret notes');
    const media = new MediaArchive(outDir, 'copy', () => {});
    const placed = media.place(attachment(source, { fileName: '../../x.txt', kind: 'file', size: 12 }));
    await media.finish();
    expect(placed.href).toMatch(/^attachments\/[0-9a-f]{2}\/[0-9a-f]{20}\/x\.txt$/);
    expect(existsSync(join(outDir, placed.href!))).toBe(true);
    expect(readdirSync(work).sort()).toEqual(['deep', 'source.txt']);
    expect(readdirSync(join(work, 'deep'))).toEqual(['archive']);
    expect(media.stats.copied).toBe(1);
  });

  it('shows missing files and the none mode as unavailable', async () => {
    const outDir = tempDir('missing');
    const warnings: string[] = [];
    const media = new MediaArchive(outDir, 'copy', (w) => warnings.push(w));
    expect(media.place(attachment('/nowhere/IMG_1.HEIC'))).toEqual({ unavailable: 'missing' });
    expect(media.place(attachment('/nowhere/IMG_2.HEIC', { missing: true }))).toEqual({ unavailable: 'missing' });
    // Only the file the reader thought present is worth a warning; the other is already counted as missing.
    expect(warnings).toEqual(['Attachment “IMG_1.HEIC” could not be read at /nowhere/IMG_1.HEIC; shown as missing']);
    expect(new MediaArchive(outDir, 'none', () => {}).place(attachment('/x.jpg'))).toEqual({ unavailable: 'not-exported' });
    expect((await media.finish()).missing).toBe(2);
    expect(listFiles(outDir)).toEqual([]);
  });

  it('links originals in link mode and still makes thumbnails', async () => {
    const work = tempDir('link');
    const source = join(work, 'pic.png');
    await sharp({ create: { width: 1200, height: 600, channels: 3, background: '#3366cc' } }).png().toFile(source);
    const outDir = join(work, 'archive');
    const media = new MediaArchive(outDir, 'link', () => {});
    const placed = media.place(attachment(source));
    await media.finish();
    expect(placed.href).toBe(`file://${source}`);
    const thumb = await sharp(join(outDir, placed.preview!)).metadata();
    expect([thumb.width, thumb.height, thumb.format]).toEqual([480, 240, 'png']);
    expect(listFiles(outDir)).toEqual([placed.preview]);
  });

  it('warns about an unreadable image and carries on', async () => {
    const work = tempDir('broken');
    const source = join(work, 'broken.jpg');
    writeFileSync(source, 'not a jpeg at all');
    const warnings: string[] = [];
    const media = new MediaArchive(join(work, 'archive'), 'copy', (w) => warnings.push(w));
    media.place(attachment(source));
    const stats = await media.finish();
    expect(stats).toMatchObject({ failed: 1, copied: 1 });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('Could not convert image “broken.jpg”');
  });

  describe.skipIf(!haveStickers)('real HEIC stickers', () => {
    it('converts every sticker to PNG with pixels, once, and reuses the result on re-export', async () => {
      const outDir = tempDir('heic');
      const names = readdirSync(STICKERS).filter((n) => n.endsWith('.heic'));
      const place = (media: MediaArchive) => names.map((name) => media.place(attachment(join(STICKERS, name), { isSticker: true })));
      const first = new MediaArchive(outDir, 'copy', () => {});
      const placed = place(first);
      const stats = await first.finish();
      expect(stats).toMatchObject({ converted: names.length, copied: names.length, failed: 0 });
      for (const p of placed) {
        expect(p.href).toMatch(/\.png$/);
        expect(p.original).toMatch(/\.heic$/);
        const full = await sharp(join(outDir, p.href!)).stats();
        expect(full.channels.length).toBe(4);
        // A decoded sticker has visible (non-transparent) pixels.
        expect(full.channels[3].max).toBeGreaterThan(0);
        const thumb = await sharp(join(outDir, p.preview!)).metadata();
        expect(thumb.format).toBe('png');
        expect(Math.max(thumb.width!, thumb.height!)).toBeLessThanOrEqual(480);
      }
      const again = new MediaArchive(outDir, 'copy', () => {});
      expect(place(again)).toEqual(placed);
      expect(await again.finish()).toMatchObject({ converted: 0, copied: 0, reused: 2 * names.length });
      expect(listFiles(outDir).filter((f) => f.endsWith('.partial'))).toEqual([]);
      expect(existsSync(dirname(join(outDir, placed[0].href!)))).toBe(true);
    }, 60_000);

    it('gives each sticker the size libheif shows: cropped a row by its clap, turned by its irot', async () => {
      const work = tempDir('heic-sizes');
      const sources = readdirSync(STICKERS).filter((n) => n.endsWith('.heic')).map((n) => join(STICKERS, n));
      // Apple's own stickers, turned a quarter each way by their irot box (stored at 0°): as an iPhone stores a portrait photo.
      for (const name of ['no_effect', 'comic']) {
        for (const angle of [1, 3]) {
          const bytes = readFileSync(join(STICKERS, `${name}.heic`));
          bytes[bytes.indexOf('irot') + 4] = angle;
          sources.push(join(work, `${name}-${angle * 90}.heic`));
          writeFileSync(sources.at(-1)!, bytes);
        }
      }
      const media = new MediaArchive(join(work, 'archive'), 'copy', () => {});
      const placed = sources.map((source) => media.place(attachment(source, { isSticker: true })));
      expect(await media.finish()).toMatchObject({ converted: sources.length, failed: 0 });
      const sizes = await Promise.all(
        placed.map(async (p, i) => {
          const [full, thumb] = await Promise.all([p.href!, p.preview!].map((f) => sharp(join(work, 'archive', f)).metadata()));
          return { read: probeImage(sources[i]!), shown: { width: full.width, height: full.height }, preview: p.previewSize, thumb: { width: thumb.width, height: thumb.height } };
        }),
      );
      for (const size of sizes) {
        expect(size.read).toEqual(size.shown);
        expect(size.preview).toEqual(size.thumb);
      }
      expect(sizes.map((s) => `${s.shown.width}×${s.shown.height}`)).toEqual([...Array(5).fill('900×721'), ...Array(4).fill('721×900')]);
    }, 60_000);
  });
});
