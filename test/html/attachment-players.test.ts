// What a person sees of a conversation's videos, voice messages and replaced files before pressing anything: the
// players were preload="none", so a video was a black box at 0:00 and a voice message 0:00 / 0:00 until played,
// a player the browser could not play looked like one that could, and the note of a file the device replaced
// after it was archived had no style of its own (body-sized black text among the grey notes under attachments).
import { createHash } from 'node:crypto';
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import sharp from 'sharp';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateChatDb } from '../../src/generate/index.js';
import { CHROMIUM, haveChromium, launchChromium } from '../support/chromium.js';
import { runCli, tempDir } from '../support/cli.js';
import { MEDIA_PATIENCE } from './support.js';


if (!haveChromium) console.warn(`Skipping the attachment players' checks in Chromium: ${CHROMIUM} is absent (apt-get install chromium).`);

const dir = tempDir('attachment-players');
const out = join(dir, 'archive');
let pages: Map<string, string>;
/** The voice message made AAC in its CAF (no copy in another container is made of it): Safari alone plays it. */
let aacCopy: string;

/** Where a row's file is in a copy of ~/Library/Messages (the folder holding chat.db). */
const fileIn = (mac: string, stored: string) => join(mac, stored.replace('~/Library/Messages/', ''));
const sha256Of = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

async function exportFrom(mac: string): Promise<void> {
  const result = await runCli(['export', '--db', join(mac, 'chat.db'), '--out', out, '--format', 'html', '--no-progress'], { TZ: 'UTC' });
  expect(result.code, result.stderr).toBe(0);
}

/** The conversation page holding `marker`, as a path under the archive. */
function pageWith(marker: string): string {
  const found = [...pages].find(([, html]) => html.includes(marker));
  expect(found, marker).toBeDefined();
  return found![0];
}

beforeAll(async () => {
  const mac = join(dir, 'mac');
  await generateChatDb({ path: join(mac, 'chat.db'), messages: 200, seed: 5, conversations: 2, livePhotos: true });
  const db = new Database(join(mac, 'chat.db'), { readonly: true });
  const rows = db.prepare("SELECT filename, transfer_name AS name, mime_type AS type FROM attachment WHERE transfer_state = 5 AND mime_type IN ('audio/x-caf', 'image/jpeg')").all() as { filename: string; name: string; type: string }[];
  db.close();
  const onDisk = rows.filter((r) => existsSync(fileIn(mac, r.filename)));
  // A voice message in AAC, as older iPhones recorded them: the CAF's format ID (after its 8-byte header, the
  // desc chunk's 12-byte header and the 8-byte sample rate) says so.
  const voice = fileIn(mac, onDisk.find((r) => r.type === 'audio/x-caf')!.filename);
  const aac = readFileSync(voice);
  aac.write('aac ', 28, 'latin1');
  // The generator links one file into every voice message's folder: this one gets a file of its own.
  rmSync(voice);
  writeFileSync(voice, aac);
  aacCopy = `${sha256Of(aac)}/Audio%20Message.caf`;
  await exportFrom(mac);

  // Months later the device holds another picture under a photo's name: the archive keeps both, and says so.
  const later = join(dir, 'mac-later');
  cpSync(mac, later, { recursive: true });
  const photo = onDisk.find((r) => r.type === 'image/jpeg' && onDisk.filter((o) => o.name === r.name).length === 1)!;
  writeFileSync(fileIn(later, photo.filename), await sharp({ create: { width: 40, height: 24, channels: 3, background: '#ff8800' } }).jpeg().toBuffer());
  await exportFrom(later);

  const folder = join(out, 'conversations');
  pages = new Map(readdirSync(folder, { recursive: true }).map(String).filter((f) => f.endsWith('.html')).map((f) => [join(folder, f), readFileSync(join(folder, f), 'utf8')]));
}, 120_000);

describe('attachments on the conversation pages', () => {
  it('gives every video and audio player preload="metadata", and the AAC voice message a player, its link and the note of where it plays', () => {
    const html = [...pages.values()].join('\n');
    expect(html).not.toContain('preload="none"');
    expect(html).toMatch(/<video controls preload="metadata" src="[^"]+\/IMG_5120\.MOV" title="IMG_5120\.MOV"><\/video><a class="file" href="[^"]+" download>IMG_5120\.MOV<\/a> \(17 KB\)/);
    expect(html).toMatch(/<details class="live"><summary>Live Photo: its movie<\/summary><video controls preload="metadata" src="[^"]+\/IMG_3051\.MOV"/);
    expect(html).toMatch(/<audio controls preload="metadata" title="Audio message"><source src="[^"]+\/Audio%20Message\.wav" type="audio\/wav"><source src="[^"]+\/Audio%20Message\.caf" type="audio\/x-caf"><\/audio>/);
    expect(html).toContain(`<audio controls preload="metadata" title="Audio message" src="../../attachments/${aacCopy.slice(0, 2)}/${aacCopy}"></audio><a class="file" href="../../attachments/${aacCopy.slice(0, 2)}/${aacCopy}" download>Audio message</a>`);
    expect(html).toMatch(/<div class="audio-note">Apple voice message \(\.caf\): plays in Safari; elsewhere download it and open it in QuickTime or VLC\.<\/div>/);
    expect(html).toMatch(/<div class="replaced">⚠ The device&#39;s file changed since this copy was archived \(\d{4}-\d\d-\d\d\); both are kept: <a href="[^"]+" download>later version, found /);
  });

  it('styles the note of a replaced file as the other notes under attachments', () => {
    const css = readFileSync(join(out, 'assets', 'style.css'), 'utf8');
    expect(css).toMatch(/\.bubble \.audio-note, \.bubble \.video-note, \.replaced \{ font-size: 0\.8rem; color: var\(--muted\);/);
  });

  describe.skipIf(!haveChromium)('in Chromium, before anything is played', () => {
    let browser: Browser;
    let tab: Page;
    beforeAll(async () => {
      browser = await launchChromium();
      tab = await browser.newPage();
    }, 60_000);
    afterAll(async () => browser?.close());

    it('shows a video’s first frame and its length, not a black box at 0:00', async () => {
      await tab.goto(pathToFileURL(pageWith('IMG_5120.MOV" title=')).href);
      const video = tab.locator('video[title="IMG_5120.MOV"]').first();
      await video.scrollIntoViewIfNeeded();
      // HAVE_CURRENT_DATA: a frame is there to show.
      await expect.poll(() => video.evaluate((v: HTMLVideoElement) => v.readyState), MEDIA_PATIENCE).toBeGreaterThanOrEqual(2);
      const state = await video.evaluate((v: HTMLVideoElement) => ({ width: v.videoWidth, duration: v.duration, paused: v.paused, time: v.currentTime }));
      expect(state).toMatchObject({ paused: true, time: 0 });
      expect(state.width).toBeGreaterThan(0);
      expect(state.duration).toBeCloseTo(2, 0);
    });

    it('shows a voice message’s length; the AAC one, which Chromium cannot play, as its link and note without a dead player', async () => {
      await tab.goto(pathToFileURL(pageWith(aacCopy)).href);
      const playable = tab.locator('audio:has(source)').first();
      await expect.poll(() => playable.evaluate((a: HTMLAudioElement) => a.duration), MEDIA_PATIENCE).toBeGreaterThan(0);
      const bubble = tab.locator('.bubble.media', { has: tab.locator(`a.file[href$="${aacCopy}"]`) });
      await expect.poll(() => bubble.locator('audio').isHidden(), MEDIA_PATIENCE).toBe(true);
      await expect(bubble.locator('a.file').isVisible()).resolves.toBe(true);
      await expect(bubble.locator('.audio-note').textContent()).resolves.toContain('plays in Safari');
      // The note the page's script adds for a player that fails is not said a second time.
      await expect(bubble.locator('.audio-note').count()).resolves.toBe(1);
    });

    it('shows the replaced file’s note in the grey small type of the notes beside it', async () => {
      await tab.goto(pathToFileURL(pageWith('class="replaced"')).href);
      const look = (selector: string) => tab.locator(selector).first().evaluate((e) => {
        const style = getComputedStyle(e);
        return { fontSize: style.fontSize, color: style.color };
      });
      const note = await look('.replaced');
      const text = await look('.bubble.text');
      expect(note.fontSize).not.toBe(text.fontSize);
      // The replaced file's page need not hold another note: a caption or transcription of the same rule, made here.
      await tab.evaluate(() => {
        const caption = document.createElement('div');
        caption.className = 'caption';
        document.querySelector('.replaced')!.before(caption);
      });
      expect(note).toEqual(await look('.bubble .caption'));
    });
  });
});
