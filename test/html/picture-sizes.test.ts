import { haveChromium, CHROMIUM, launchChromium } from '../support/chromium.js';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join } from 'node:path';
import sharp from 'sharp';
import { type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateChatDb } from '../../src/generate/index.js';
import { runCli, tempDir } from '../support/cli.js';

if (!haveChromium) console.warn(`Skipping picture size tests: ${CHROMIUM} is absent (apt-get install chromium).`);

const TYPES: Record<string, string> = { '.html': 'text/html', '.css': 'text/css', '.js': 'text/javascript', '.jpg': 'image/jpeg', '.png': 'image/png' };
const PICTURE = /\.(jpe?g|png|gif)$/i;

/** The archive over HTTP, every picture held back until `release` is called: a page as it is before any loads. */
async function serveHoldingPictures(root: string): Promise<{ server: Server; release: () => void }> {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const server = createServer((request, response) => {
    const path = join(root, decodeURIComponent(new URL(request.url!, 'http://archive').pathname));
    void (PICTURE.test(path) ? released : Promise.resolve()).then(() => {
      try {
        const body = readFileSync(path);
        response.writeHead(200, { 'content-type': TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream' }).end(body);
      } catch {
        response.writeHead(404).end();
      }
    });
  });
  await once(server.listen(0, '127.0.0.1'), 'listening');
  return { server, release };
}

/** Every file under the folder whose name is `name`. */
function filesNamed(folder: string, name: string): string[] {
  return readdirSync(folder, { recursive: true, withFileTypes: true }).filter((e) => e.isFile() && e.name === name).map((e) => join(e.parentPath, e.name));
}

/** A conversation of a hundred pictures, opened at a message below them, as a search result links to it. */
describe.skipIf(!haveChromium)('pictures in the HTML archive are laid out at their size before they load', () => {
  let archive: string;
  let page1: string;
  let browser: Browser;

  beforeAll(async () => {
    const dir = tempDir('picture-sizes');
    const db = join(dir, 'chat.db');
    await generateChatDb({ path: db, messages: 240, seed: 5, conversations: 1, images: 100 });
    // A camera's portrait photo: stored 640 × 300, turned upright by its Exif orientation.
    const portrait = await sharp({ create: { width: 640, height: 300, channels: 3, background: '#d9534f' } }).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    const camera = filesNamed(join(dir, 'Attachments'), 'IMG_0412.JPG');
    expect(camera.length).toBeGreaterThan(0);
    for (const file of camera) writeFileSync(file, portrait);
    archive = join(dir, 'out');
    const result = await runCli(['export', '--db', db, '--format', 'html', '--out', archive]);
    expect(result.stderr).not.toMatch(/warning|textkeeper:/);
    expect(result.code).toBe(0);
    const conversations = join(archive, 'conversations');
    page1 = join(conversations, readdirSync(conversations)[0]!, 'p1.html');
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('gives every picture the size of the file it shows, turned upright', async () => {
    const html = readFileSync(page1, 'utf8');
    const pictures = [...html.matchAll(/<img src="([^"]+)"[^>]*?(?: width="(\d+)" height="(\d+)")?>/g)];
    expect(pictures.length).toBeGreaterThan(50);
    for (const [tag, src, width, height] of pictures) {
      const shown = await sharp(join(page1, '..', decodeURIComponent(src!))).metadata();
      expect(`${tag} ${width}×${height}`).toBe(`${tag} ${shown.width}×${shown.height}`);
    }
    expect(html).toMatch(/alt="Photo IMG_0412.JPG"[^>]* width="225" height="480"/);
  });

  it('opens at a message below the pictures and stays there as they load, in a browser without scroll anchoring (Safari)', async () => {
    const { server, release } = await serveHoldingPictures(archive);
    try {
      const { port } = server.address() as AddressInfo;
      const context = await browser.newContext({ viewport: { width: 900, height: 700 }, bypassCSP: true });
      const page = await context.newPage();
      await page.addInitScript(() => document.addEventListener('DOMContentLoaded', () => {
        const style = document.createElement('style');
        style.textContent = '* { overflow-anchor: none !important }';
        document.head.append(style);
      }));
      const ids = [...readFileSync(page1, 'utf8').matchAll(/<li class="msg[^"]*" id="(m\w+)"/g)].map((m) => m[1]!);
      const target = ids.at(-5)!;
      const relative = page1.slice(archive.length).split('/').map(encodeURIComponent).join('/');
      await page.goto(`http://127.0.0.1:${port}${relative}#${target}`, { waitUntil: 'domcontentloaded' });
      const where = () => page.evaluate((id) => ({ top: Math.round(document.getElementById(id)!.getBoundingClientRect().top), height: document.documentElement.scrollHeight }), target);
      const before = await where();
      expect(await page.evaluate(() => [...document.images].filter((img) => img.complete && img.naturalWidth > 0).length)).toBe(0);
      expect(before.top).toBeGreaterThanOrEqual(0);
      expect(before.top).toBeLessThan(700);
      release();
      await page.evaluate(() => Promise.all([...document.images].map((img) => {
        img.loading = 'eager';
        return img.decode();
      })));
      expect(await where()).toEqual(before);
      await context.close();
    } finally {
      server.close();
    }
  });
});
