// A small pool of real media files, made once per run and copied (hard-linked where possible) for
// every attachment, so even 200,000-message databases generate quickly.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import PDFDocument from 'pdfkit';
import { create as openFont, type Font } from 'fontkit';
import { encodeCafTone } from './caf.js';
import { fontFile, LATIN_FACES } from '../fonts/fonts.js';

export type MediaKind = 'image' | 'heic' | 'audio' | 'video' | 'document' | 'text' | 'sticker';

/** Where a sticker came from, as chat.db records it (sticker_user_info `pid`, attribution, genmoji prompt). */
export interface StickerOrigin {
  bundleId: string;
  attributionName?: string;
  genmojiPrompt?: string;
}

export interface PoolFile {
  kind: MediaKind;
  path: string;
  /** Name the sender's device gave the file (attachment.transfer_name). */
  transferName: string;
  mimeType: string;
  uti: string;
  bytes: number;
  sticker?: StickerOrigin;
}

/** Files made outside the generator with libheif / ffmpeg from images drawn here; see sample-data/README.md. */
const ASSETS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/generate/assets');

interface ImageSpec {
  width: number;
  height: number;
  colour: string;
  caption?: string;
  format: 'jpeg' | 'png';
  name: string;
}

const IMAGES: ImageSpec[] = [
  { width: 640, height: 480, colour: '#d9534f', format: 'jpeg', name: 'IMG_0412.JPG' },
  { width: 480, height: 640, colour: '#5bc0de', format: 'jpeg', name: 'IMG_1187.JPG', caption: 'Beach day' },
  { width: 800, height: 450, colour: '#5cb85c', format: 'jpeg', name: 'IMG_2290.jpeg' },
  { width: 300, height: 300, colour: '#f0ad4e', format: 'jpeg', name: 'Café menu 🍰.jpg', caption: 'Menu' },
  { width: 800, height: 200, colour: '#292b2c', format: 'png', name: 'Screenshot 2019-05-01 at 10.22.33.png', caption: 'Error 404' },
  { width: 256, height: 256, colour: '#9b59b6', format: 'png', name: 'diagram.png' },
  { width: 120, height: 90, colour: '#1abc9c', format: 'jpeg', name: '写真.jpg' },
];

function captionSvg(spec: ImageSpec): Buffer {
  const size = Math.round(Math.min(spec.width, spec.height) / 6);
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${spec.width}" height="${spec.height}">` +
      `<rect x="0" y="${spec.height - size * 1.6}" width="${spec.width}" height="${size * 1.6}" fill="#000" fill-opacity="0.45"/>` +
      `${outlines(spec.caption!, spec.width / 2, spec.height - size * 0.5, size)}</svg>`,
  );
}

let captionFont: Font | undefined;

/**
 * Text centred on a baseline as the outlines of the bundled Noto Sans: an SVG `<text>` is drawn with
 * whatever fonts the machine has, so installing one changed the images, and every size an export shows.
 */
function outlines(text: string, centre: number, baseline: number, size: number): string {
  const font = (captionFont ??= openFont(fs.readFileSync(fontFile(LATIN_FACES[0]!))));
  const { glyphs, positions } = font.layout(text);
  const scale = size / font.unitsPerEm;
  let x = centre - (positions.reduce((sum, p) => sum + p.xAdvance, 0) * scale) / 2;
  const paths = glyphs.map((glyph, i) => {
    const at = x + positions[i]!.xOffset * scale;
    x += positions[i]!.xAdvance * scale;
    return `<path transform="translate(${at} ${baseline}) scale(${scale} ${-scale})" d="${glyph.path.toSVG()}"/>`;
  });
  return `<g fill="#fff">${paths.join('')}</g>`;
}

async function drawImage(spec: ImageSpec, file: string): Promise<void> {
  const shapes = Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${spec.width}" height="${spec.height}">` +
      `<circle cx="${spec.width * 0.3}" cy="${spec.height * 0.4}" r="${Math.min(spec.width, spec.height) * 0.2}" fill="#fff" fill-opacity="0.6"/>` +
      `<rect x="${spec.width * 0.55}" y="${spec.height * 0.2}" width="${spec.width * 0.3}" height="${spec.height * 0.35}" fill="#000" fill-opacity="0.25"/></svg>`,
  );
  const layers = [{ input: shapes }, ...(spec.caption ? [{ input: captionSvg(spec) }] : [])];
  const image = sharp({ create: { width: spec.width, height: spec.height, channels: 3, background: spec.colour } }).composite(layers);
  await (spec.format === 'jpeg' ? image.jpeg({ quality: 70 }) : image.png()).toFile(file);
}

async function drawSticker(file: string): Promise<void> {
  const svg =
    '<svg xmlns="http://www.w3.org/2000/svg" width="160" height="160">' +
    '<path d="M80 140 L20 80 A30 30 0 0 1 80 40 A30 30 0 0 1 140 80 Z" fill="#e74c3c" stroke="#fff" stroke-width="6"/></svg>';
  await sharp(Buffer.from(svg)).png().toFile(file);
}

function writePdf(file: string): Promise<void> {
  const doc = new PDFDocument({ size: 'A5', info: { Title: 'Lease agreement (sample)', CreationDate: new Date(Date.UTC(2019, 4, 1)) } });
  const done = new Promise<void>((resolve, reject) => {
    const out = fs.createWriteStream(file);
    out.on('finish', () => resolve());
    out.on('error', reject);
    doc.pipe(out);
  });
  doc.fontSize(18).text('Lease agreement (sample)');
  doc.moveDown().fontSize(11).text('This document was generated as sample data. It has no legal meaning.');
  doc.end();
  return done;
}

export class MediaPool {
  private readonly byKind = new Map<MediaKind, PoolFile[]>();

  private constructor(readonly dir: string) {}

  static async build(): Promise<MediaPool> {
    const pool = new MediaPool(fs.mkdtempSync(path.join(os.tmpdir(), 'textkeeper-media-')));
    for (const spec of IMAGES) {
      const file = path.join(pool.dir, `image-${pool.count()}.${spec.format}`);
      await drawImage(spec, file);
      const jpeg = spec.format === 'jpeg';
      pool.add('image', file, spec.name, jpeg ? 'image/jpeg' : 'image/png', jpeg ? 'public.jpeg' : 'public.png');
    }
    pool.add('heic', path.join(ASSETS_DIR, 'photo.heic'), 'IMG_3051.HEIC', 'image/heic', 'public.heic');
    pool.add('sticker', path.join(ASSETS_DIR, 'sticker.heic'), 'sticker.heic', 'image/heic', 'public.heic', {
      bundleId: 'com.apple.Stickers.UserGenerated.MessagesExtension',
    });
    const pngSticker = path.join(pool.dir, 'sticker.png');
    await drawSticker(pngSticker);
    pool.add('sticker', pngSticker, 'heart.png', 'image/png', 'public.png', {
      bundleId: 'com.apple.messages.MSMessageExtensionBalloonPlugin:EXAMPLE01:com.example.hearts.MessagesExtension',
      attributionName: 'Hearts & Co',
    });
    pool.add('sticker', pngSticker, 'genmoji.png', 'image/png', 'public.png', {
      bundleId: 'com.apple.messages.genmoji',
      genmojiPrompt: 'red heart with a white outline',
    });
    for (const [i, seconds] of [0.8, 1.6].entries()) {
      const file = path.join(pool.dir, `audio-${i}.caf`);
      fs.writeFileSync(file, encodeCafTone(seconds, 440 + i * 110));
      pool.add('audio', file, 'Audio Message.caf', 'audio/x-caf', 'com.apple.coreaudio-format');
    }
    pool.add('video', path.join(ASSETS_DIR, 'clip.mov'), 'IMG_5120.MOV', 'video/quicktime', 'com.apple.quicktime-movie');
    const pdf = path.join(pool.dir, 'document.pdf');
    await writePdf(pdf);
    pool.add('document', pdf, 'Lease agreement.pdf', 'application/pdf', 'com.adobe.pdf');
    pool.add('document', pdf, 'חוזה שכירות.pdf', 'application/pdf', 'com.adobe.pdf');
    const notes = path.join(pool.dir, 'notes.txt');
    fs.writeFileSync(notes, 'Shopping list\n- eggs\n- flour\n- 牛奶\n');
    pool.add('text', notes, 'notes.txt', 'text/plain', 'public.plain-text');
    return pool;
  }

  private count(): number {
    return [...this.byKind.values()].reduce((n, files) => n + files.length, 0);
  }

  private add(kind: MediaKind, file: string, transferName: string, mimeType: string, uti: string, sticker?: StickerOrigin): void {
    const files = this.byKind.get(kind) ?? [];
    files.push({ kind, path: file, transferName, mimeType, uti, bytes: fs.statSync(file).size, sticker });
    this.byKind.set(kind, files);
  }

  files(kind: MediaKind): readonly PoolFile[] {
    return this.byKind.get(kind) ?? [];
  }

  /** Places a copy of `file` at `destination`, hard-linking when the file system allows it. */
  static place(file: PoolFile, destination: string): void {
    fs.mkdirSync(path.dirname(destination), { recursive: true });
    try {
      fs.linkSync(file.path, destination);
    } catch {
      fs.copyFileSync(file.path, destination);
    }
  }

  dispose(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
