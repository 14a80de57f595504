import { CHROMIUM, haveChromium, launchChromium } from '../support/chromium.js';
import { contrast } from '../support/contrast.js';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, type Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Drawing, Message } from '../../src/model/types.js';
import { HtmlRenderer } from '../../src/render/html/html-renderer.js';
import { ALICE, BOB, ME, ROOT, STICKERS, anchorOf, attachmentPart, conversation, ensureBuilt, exportContext, message, tempDir, textPart } from './support.js';

const haveStickers = existsSync(STICKERS);
if (!haveChromium) console.warn(`Skipping browser tests: ${CHROMIUM} is absent (apt-get install chromium).`);
if (!haveStickers) console.warn(`Browser tests without a HEIC sticker: ${STICKERS} is absent.`);

const ARTIFACTS = join(ROOT, 'test-artifacts/html');
const HOSTILE = '<img src=x onerror=alert(1)><script>alert(2)</script>';

/** The id of message n of either conversation (each its own guid-n, sent at minute n). */
const id = (n: number) => anchorOf(message(n));

/** A handwritten scribble, 600 × 300: drawn 320 wide at most. */
const SCRIBBLE: Drawing = { width: 600, height: 300, strokes: [[[20, 150, 6], [200, 40, 6], [380, 260, 6], [580, 150, 6]]] };

/** An archive with a small group chat (photo, HEIC sticker where the real fixtures are, missing file, hostile text) and a 2,500-message thread. */
async function buildArchive(outDir: string): Promise<void> {
  const photo = join(outDir, '..', 'beach.jpg');
  await sharp({ create: { width: 1600, height: 1200, channels: 3, background: '#2a9df4' } }).jpeg().toFile(photo);
  const sticker = haveStickers ? join(STICKERS, readdirSync(STICKERS).find((n) => n.endsWith('.heic'))!) : undefined;
  const group: Message[] = [
    message(1, { sender: ALICE, isFromMe: false, parts: [textPart('Look at the beach'), attachmentPart({ fileName: 'beach.jpg', path: photo, width: 1600, height: 1200 }, 1)] }),
    message(2, { sender: BOB, isFromMe: false, parts: [sticker ? attachmentPart({ fileName: 'sticker.heic', path: sticker, isSticker: true }) : textPart('No sticker at hand')] }),
    message(3, { sender: ME, isFromMe: true, parts: [textPart(HOSTILE)], dateRead: new Date(Date.parse('2024-03-01T08:05:00Z')), absentSince: new Date('2024-05-30T10:00:00Z') }),
    message(4, { sender: ALICE, isFromMe: false, parts: [attachmentPart({ fileName: 'IMG_0042.HEIC', path: '/nowhere/IMG_0042.HEIC', missing: true })] }),
    message(5, { sender: BOB, isFromMe: false, parts: [{ ...textPart('Amazing sunset 🌅'), tapbacks: [{ kind: 'love', emoji: '❤️', sender: ALICE, date: new Date() }] }] }),
    message(6, { sender: ALICE, isFromMe: false, parts: [{ kind: 'app', index: 0, tapbacks: [], attachments: [], app: { type: 'handwriting', title: 'Handwriting', captions: [], drawing: SCRIBBLE } }] }),
  ];
  const thread = Array.from({ length: 2500 }, (_, i) => message(i + 1, { parts: [textPart(`Thread message ${i + 1}`)] }));
  thread[2399] = message(2400, { parts: [textPart('Replying to the start: pineapple')],
    replyTo: { guid: 'guid-7', partIndex: 0, target: { sender: ALICE, date: thread[6].date, snippet: 'Thread message 7', rowId: 7 } } });

  const renderer = new HtmlRenderer({ messages: 1000, bytes: 900_000 });
  await renderer.start(exportContext(outDir, 'copy'));
  const rendered = [
    await renderer.renderConversation(conversation({ id: 'g', title: 'Beach trip', groupName: 'Beach trip', isGroup: true, participants: [ALICE, BOB], messageCount: 6, firstDate: group[0].date, lastDate: group[5].date }), () => group, 'Beach trip'),
    await renderer.renderConversation(conversation({ id: 't', title: 'Alice', messageCount: 2500, firstDate: thread[0].date, lastDate: thread[2499].date }), () => thread, 'Alice'),
  ];
  await renderer.finishShard();
  await renderer.finish(rendered.map((r, sequence) => ({ ...r, sequence })));
}

describe.skipIf(!haveChromium)('HTML archive in Chromium', () => {
  let browser: Browser;
  let page: Page;
  let outDir: string;
  const consoleErrors: string[] = [];
  const foreignRequests: string[] = [];

  beforeAll(async () => {
    ensureBuilt();
    outDir = join(tempDir('browser'), 'archive');
    mkdirSync(outDir);
    await buildArchive(outDir);
    mkdirSync(ARTIFACTS, { recursive: true });
    browser = await launchChromium(['--headless', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync']);
    page = await browser.newPage({ viewport: { width: 900, height: 900 } });
    page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
    page.on('pageerror', (e) => consoleErrors.push(e.message));
    page.on('request', (r) => { if (!r.url().startsWith('file://')) foreignRequests.push(r.url()); });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
  });

  const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: false });

  it('opens the index from file:// and sorts it', async () => {
    await page.goto(pathToFileURL(join(outDir, 'index.html')).href);
    const titles = () => page.locator('.conversations .title').allTextContents();
    expect(await titles()).toEqual(['Alice', 'Beach trip']);
    await page.click('button[data-sort="name"]');
    expect(await titles()).toEqual(['Alice', 'Beach trip']);
    await expect(page.locator('.conversations li').nth(1).locator('.stats').textContent()).resolves.toContain('6 messages · 2 photos · 2024-03-01');
    await shot('1-index');
  }, 30_000);

  it('shows a group conversation with a decoded photo and a converted HEIC sticker (where the real fixtures are)', async () => {
    await page.click('text=Beach trip');
    await page.waitForURL(/Beach%20trip\/p1\.html$/);
    const images = page.locator('.thread img');
    const shown = haveStickers ? 2 : 1;
    expect(await images.count()).toBe(shown);
    for (let i = 0; i < shown; i++) {
      await images.nth(i).scrollIntoViewIfNeeded();
      await expect.poll(() => images.nth(i).evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBeGreaterThan(0);
    }
    if (haveStickers) expect(await images.nth(1).getAttribute('src')).toMatch(/\.png$/);
    // The hostile text is shown as text, and did not become an element.
    await expect(page.locator(`#${id(3)} .bubble`).textContent()).resolves.toBe(HOSTILE);
    expect(await page.locator('.thread script, .thread img[src="x"]').count()).toBe(0);
    await expect(page.locator(`#${id(4)} .missing`).textContent()).resolves.toContain('IMG_0042.HEIC — not on this computer');
    // A drawing wider than a narrow window shrinks to it (the page's policy allows no inline style to say so).
    expect(await page.locator(`#${id(6)} svg.drawing`).evaluate((svg) => getComputedStyle(svg).maxWidth)).toBe('100%');
    await page.locator(`#${id(1)}`).scrollIntoViewIfNeeded();
    await shot('2-group');
    await page.emulateMedia({ colorScheme: 'dark' });
    await shot('2-group-dark');
    await page.emulateMedia({ colorScheme: 'light', media: 'print' });
    await shot('2-group-print');
    await page.emulateMedia({ media: 'screen' });
  }, 30_000);

  it('pages through a long thread, follows a reply link back and jumps to a date', async () => {
    await page.goto(pathToFileURL(join(outDir, 'conversations/Alice/p1.html')).href);
    await page.click('.pager:not(.bottom) a.next');
    await page.waitForURL(/p2\.html$/);
    await expect(page.locator('.thread .msg').first().textContent()).resolves.toContain('Thread message 1001');
    await expect(page.title()).resolves.toBe('Alice — page 2 of 3');
    expect(await page.locator('select[name="page"] option').count()).toBe(3);
    await page.selectOption('select[name="page"]', 'p3.html');
    await page.waitForURL(/p3\.html$/);
    await page.locator(`#${id(2400)}`).scrollIntoViewIfNeeded();
    await shot('3-thread-page3');
    await page.click(`#${id(2400)} a.reply`);
    await page.waitForURL(new RegExp(`p1\\.html#${id(7)}$`));
    expect(await page.locator(`#${id(7)}:target`).count()).toBe(1);
    await shot('4-reply-target');
    // 2024-03-02 begins in Berlin with message 900, near the end of page 1; 2024-03-03 begins on page 3.
    await page.fill('input[name="date"]', '2024-03-03');
    await page.waitForURL(/p3\.html#d-2024-03-03$/);
    expect(await page.locator('#d-2024-03-03:target').count()).toBe(1);
  }, 30_000);

  it('opens a page chosen by keys only on Enter, and jumps to a typed date only once it is complete', async () => {
    await page.goto(pathToFileURL(join(outDir, 'conversations/Alice/p3.html')).href);
    await page.focus('select[name="page"]');
    await page.keyboard.press('ArrowUp');
    await page.waitForTimeout(300);
    expect(page.url()).toMatch(/p3\.html$/);
    await page.keyboard.press('Enter');
    await page.waitForURL(/p2\.html$/);
    const visited: string[] = [];
    page.on('framenavigated', (frame) => visited.push(frame.url()));
    await page.click('input[name="date"]', { position: { x: 10, y: 8 } });
    await page.keyboard.type('03032024', { delay: 50 });
    await page.waitForURL(/p3\.html#d-2024-03-03$/);
    expect(visited.map((url) => url.slice(url.lastIndexOf('/') + 1))).toEqual(['p3.html#d-2024-03-03']);
  }, 30_000);

  it('searches from a conversation\'s page and opens a result', async () => {
    await page.fill('.searchbox input', 'pineapple');
    await page.press('.searchbox input', 'Enter');
    await page.waitForURL(/search\.html\?q=pineapple&in=conversations%2FAlice$/);
    await expect.poll(() => page.locator('.search-status').textContent()).toContain('1 message matches “pineapple”');
    await expect(page.locator('.results mark').textContent()).resolves.toBe('pineapple');
    await expect(page.title()).resolves.toBe('pineapple — Search messages');
    await expect(page.locator('main h1').textContent()).resolves.toBe('Search messages');
    await shot('5-search');
    await page.click('.results a');
    await page.waitForURL(new RegExp(`Alice/p3\\.html#${id(2400)}$`));
  }, 30_000);

  it('runs a query typed on the search page over the index already loaded, and Back shows the one before', async () => {
    await page.goto(pathToFileURL(join(outDir, 'search.html')).href + '?q=pineapple');
    await expect.poll(() => page.locator('.search-status').textContent()).toContain('1 message matches “pineapple”');
    await page.evaluate(() => Object.assign(window, { samePage: true }));
    const requested: string[] = [];
    const onRequest = (request: { url(): string }) => requested.push(request.url());
    page.on('request', onRequest);
    await page.fill('.searchbox input', 'sunset');
    await page.press('.searchbox input', 'Enter');
    await page.waitForURL(/search\.html\?q=sunset$/);
    await expect.poll(() => page.locator('.results .where').first().textContent()).toContain('Beach trip · Bob');
    await expect(page.title()).resolves.toBe('sunset — Search messages');
    await page.goBack();
    await expect.poll(() => page.locator('.search-status').textContent()).toContain('1 message matches “pineapple”');
    await expect(page.inputValue('.searchbox input')).resolves.toBe('pineapple');
    await expect(page.evaluate(() => (window as { samePage?: boolean }).samePage)).resolves.toBe(true);
    page.off('request', onRequest);
    expect(requested).toEqual([]);
  }, 30_000);

  it('lists the conversations a name, phone number or email finds above the messages, and opens one', async () => {
    const searchPage = pathToFileURL(join(outDir, 'search.html')).href;
    const conversationsFound = async (query: string) => {
      await page.goto(`${searchPage}?q=${encodeURIComponent(query)}`);
      await expect.poll(() => page.locator('.search-status').textContent()).toMatch(/match/);
      const section = page.locator('.conversation-matches');
      return (await section.isHidden()) ? [] : section.locator('li').allTextContents();
    };
    // The group she is in, and Alice's own conversation (in the order they were rendered: the largest first in a run).
    await expect(conversationsFound('alice')).resolves.toEqual(['Beach tripAlice (+15551230001), Bob (bob@example.com)', 'AliceAlice (+15551230001)']);
    await expect(conversationsFound('(555) 123-0001')).resolves.toHaveLength(2);
    await expect(conversationsFound('bob@example')).resolves.toEqual(['Beach tripAlice (+15551230001), Bob (bob@example.com)']);
    await expect(conversationsFound('pineapple')).resolves.toEqual([]);
    // Search data an older textkeeper wrote (without the people), kept by a run that changed nothing, still lists them by title.
    const manifestFile = join(outDir, 'search', 'manifest.js');
    const manifest = readFileSync(manifestFile, 'utf8');
    writeFileSync(manifestFile, manifest.replace(/,"people":"[^"]*"/g, ''));
    try {
      await expect(conversationsFound('beach')).resolves.toEqual(['Beach trip']);
      await expect(conversationsFound('undefined')).resolves.toEqual([]);
    } finally {
      writeFileSync(manifestFile, manifest);
    }
    await conversationsFound('beach');
    await page.locator('.conversation-matches a').click();
    await page.waitForURL(/conversations\/Beach%20trip\/p1\.html$/);
  }, 30_000);

  it('searches the conversation a page shows from its box, then all of them from a link', async () => {
    const query = page.locator('.searchbox input[name="q"]');
    const status = () => page.locator('.search-status').textContent();
    const ask = async (words: string, address: RegExp) => {
      await query.fill(words);
      await query.press('Enter');
      await page.waitForURL(address);
    };
    await page.goto(pathToFileURL(join(outDir, 'conversations/Alice/p1.html')).href);
    await expect(query.getAttribute('placeholder')).resolves.toBe('Search this conversation');
    await ask('sunset', /search\.html\?q=sunset&in=conversations%2FAlice$/);
    await expect.poll(status).toBe('No messages match “sunset”.');
    await expect(page.locator('.search-scope').innerText()).resolves.toBe('In Alice · Search all conversations');
    // A query typed on the search page searches the same conversation.
    await ask('pineapple', /\?q=pineapple&in=conversations%2FAlice$/);
    await expect.poll(status).toBe('1 message matches “pineapple”.');
    await expect(page.locator('.conversation-matches').isHidden()).resolves.toBe(true);
    await page.goBack();
    await expect.poll(status).toBe('No messages match “sunset”.');
    await page.locator('.search-scope a').click();
    await page.waitForURL(/search\.html\?q=sunset$/);
    await expect.poll(status).toBe('1 message matches “sunset”.');
    await expect(page.locator('.search-scope').isHidden()).resolves.toBe(true);
    await expect(query.getAttribute('placeholder')).resolves.toBe('Search all messages');
    // The group's own page finds it there.
    await page.goto(pathToFileURL(join(outDir, 'conversations/Beach trip/p1.html')).href);
    await ask('sunset', /\?q=sunset&in=conversations%2FBeach\+trip$/);
    await expect.poll(status).toBe('1 message matches “sunset”.');
    await expect(page.locator('.results .where').textContent()).resolves.toMatch(/^Beach trip · Bob · /);
  }, 30_000);

  it('lists the matches past the first 500 on asking, 500 at a time, as many again on coming back from one', async () => {
    await page.goto(pathToFileURL(join(outDir, 'search.html')).href + '?q=thread+message');
    const status = page.locator('.search-status');
    await expect.poll(() => status.textContent()).toBe('2,499 messages match “thread message” (showing the first 500).');
    const more = page.locator('button.more');
    for (const shown of [1000, 1500, 2000]) {
      await more.click();
      await expect(status.textContent()).resolves.toBe(`2,499 messages match “thread message” (showing the first ${shown.toLocaleString('en-US')}).`);
      await expect(page.locator('.results li').count()).resolves.toBe(shown);
      // The keyboard goes on from the first match added, not from the top of the page.
      await expect(page.evaluate(() => [...document.querySelectorAll('.results li a')].indexOf(document.activeElement!))).resolves.toBe(shown - 500);
    }
    await more.click();
    await expect(status.textContent()).resolves.toBe('2,499 messages match “thread message”.');
    await expect(page.locator('.results li').count()).resolves.toBe(2499);
    await expect(page.locator('.results li a').last().textContent()).resolves.toBe('Thread message 2500');
    await expect(more.isHidden()).resolves.toBe(true);
    // Back from a result far down the list finds it listed again.
    await page.locator('.results li a').nth(1999).click();
    await page.waitForURL(/#m\w+$/);
    await page.goBack();
    await expect.poll(() => page.locator('.results li').count()).toBe(2499);
  }, 30_000);

  it('keeps the day of a message a link opened in view above it, however far down its day it is', async () => {
    await page.goto(pathToFileURL(join(outDir, 'conversations/Alice/p1.html')).href + `#${id(800)}`);
    const [heading, target] = await page.evaluate((anchor) => {
      const message = document.getElementById(anchor)!;
      const days = [...document.querySelectorAll('.day')].filter((day) => day.compareDocumentPosition(message) & Node.DOCUMENT_POSITION_FOLLOWING);
      return [days.at(-1)!.getBoundingClientRect().toJSON(), message.getBoundingClientRect().toJSON()] as DOMRect[];
    }, id(800));
    expect(heading!.top).toBeGreaterThanOrEqual(0);
    expect(heading!.bottom).toBeLessThanOrEqual(target!.top);
  });

  it('puts the own day of a message first of its day, or of a day jumped to, at the window\'s top over the day before\'s, on a desktop and a phone', async () => {
    const conversation = pathToFileURL(join(outDir, 'conversations/Alice/p1.html')).href;
    for (const width of [900, 360]) {
      const viewed = await browser.newPage({ viewport: { width, height: 700 } });
      const topDay = () => viewed.evaluate(() => document.elementFromPoint(innerWidth / 2, 1)?.closest('.day')?.id);
      // Message 900 is the first of 2024-03-02 in Berlin.
      await viewed.goto(`${conversation}#${id(900)}`);
      await expect(topDay()).resolves.toBe('d-2024-03-02');
      const [heading, ringTop] = await viewed.evaluate((anchor) => {
        const bubble = document.querySelector(`#${anchor} > .bubble`)!;
        const ring = parseFloat(getComputedStyle(bubble).outlineWidth) + parseFloat(getComputedStyle(bubble).outlineOffset);
        return [document.getElementById('d-2024-03-02')!.getBoundingClientRect().bottom, bubble.getBoundingClientRect().top - ring];
      }, id(900));
      expect(heading).toBeLessThanOrEqual(ringTop!);
      await viewed.goto(`${conversation}#d-2024-03-02`);
      await expect(topDay()).resolves.toBe('d-2024-03-02');
      await viewed.close();
    }
  });

  it('keeps the date of a message the archive kept on one line, however narrow the window', async () => {
    const viewed = await browser.newPage({ viewport: { width: 300, height: 700 } });
    await viewed.goto(pathToFileURL(join(outDir, 'conversations/Beach trip/p1.html')).href);
    const date = viewed.locator(`#${id(3)} .absent .date`);
    await expect(date.textContent()).resolves.toBe('2024-05-30');
    for (let width = 300; width <= 480; width += 4) {
      await viewed.setViewportSize({ width, height: 700 });
      await expect(date.evaluate((d) => d.getClientRects().length), `${width} px`).resolves.toBe(1);
    }
    await viewed.close();
  });

  it('marks the words found in a result at 4.5:1 against the mark, light and dark', async () => {
    await page.goto(pathToFileURL(join(outDir, 'search.html')).href + '?q=pineapple');
    await expect.poll(() => page.locator('.results mark').count()).toBeGreaterThan(0);
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      const [color, background] = await page.locator('.results mark').first().evaluate((mark) => [getComputedStyle(mark).color, getComputedStyle(mark).backgroundColor]);
      expect(contrast(color!, background!), colorScheme).toBeGreaterThanOrEqual(4.5);
    }
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('logged no console errors and made no request outside file://', () => {
    expect(consoleErrors).toEqual([]);
    expect(foreignRequests).toEqual([]);
  });

  it('says so when part of the search index is missing, not that nothing matches', async () => {
    const chunk = join(outDir, 'search', 'chunk-1.js');
    renameSync(chunk, `${chunk}.away`);
    try {
      await page.goto(pathToFileURL(join(outDir, 'search.html')).href + '?q=pineapple');
      await expect.poll(() => page.locator('.search-status').textContent()).toBe('Part of the search index could not be loaded (chunk 1).');
    } finally {
      renameSync(`${chunk}.away`, chunk);
    }
  });
});
