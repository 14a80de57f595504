import { CHROMIUM, haveChromium, openPage } from '../support/chromium.js';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateChatDb } from '../../src/generate/index.js';
import { runCli, tempDir } from '../support/cli.js';
import { contrast } from '../support/contrast.js';

if (!haveChromium) console.warn(`Skipping accessibility tests: ${CHROMIUM} is absent (apt-get install chromium).`);

/** What a screen reader user meets in an HTML archive the CLI wrote: the accessibility tree Chromium gives them. */
describe.skipIf(!haveChromium)('an HTML archive read with a screen reader', () => {
  let archive: string;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    const dir = tempDir('html-accessibility');
    const db = join(dir, 'chat.db');
    await generateChatDb({ path: db, messages: 400, seed: 23 });
    archive = join(dir, 'archive');
    const result = await runCli(['export', '--db', db, '--out', archive, '--format', 'html', '--quiet']);
    expect(result.code, result.stderr).toBe(0);
    ({ browser, page } = await openPage());
  }, 120_000);

  afterAll(() => browser?.close());

  /** Opens the first conversation page whose HTML holds `marker`. */
  const openPageWith = async (marker: string) => {
    const folder = join(archive, 'conversations');
    const pages = readdirSync(folder, { recursive: true }).map(String).filter((f) => f.endsWith('.html'));
    const found = pages.find((p) => readFileSync(join(folder, p), 'utf8').includes(marker));
    expect(found, marker).toBeDefined();
    await page.goto(pathToFileURL(join(folder, found!)).href);
  };

  it('says who reacted to a message and how, not a bare emoji whose sender shows only on hover', async () => {
    await openPageWith('class="tapback"');
    const bubble = page.locator('.bubble:has(.tapback)').first();
    const sentence = await bubble.locator('.tapback').first().getAttribute('title');
    expect(sentence).toMatch(/ (loved|liked|disliked|laughed at|emphasized|questioned|reacted .+ to|stuck a sticker on) this · \d{4}-/);
    await expect(bubble.ariaSnapshot()).resolves.toContain(sentence);
  });

  it('says that a message answers another, whose quote it shows above it', async () => {
    await openPageWith('class="reply"');
    const reply = page.locator('a.reply').first();
    await expect(reply.ariaSnapshot()).resolves.toMatch(/^- link "Reply to /);
  });

  it('gives each page one banner and a main region holding its heading and its content', async () => {
    await page.goto(pathToFileURL(join(archive, 'index.html')).href);
    const index = await page.locator('body').ariaSnapshot();
    expect(index).toMatch(/^- main:\n(\s+- .*\n)*\s+- list:/m);
    await openPageWith('class="msg');
    const conversation = await page.locator('body').ariaSnapshot();
    expect(conversation.match(/^- banner:/gm)).toHaveLength(1);
    expect(conversation).toMatch(/^- main:\n\s+- heading ".+" \[level=1\]/m);
  });

  it('takes the keyboard past the search box and the page picker to the messages with a link shown on the first Tab', async () => {
    await openPageWith('class="tapback"');
    await page.keyboard.press('Tab');
    const skip = page.locator(':focus');
    await expect(skip.textContent()).resolves.toBe('Skip to the messages');
    const box = (await skip.boundingBox())!;
    expect(box.y).toBeGreaterThanOrEqual(0);
    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab');
    await expect(page.locator('.thread :focus').count()).resolves.toBe(1);
  });

  it('gives the small print of link cards and earlier versions 4.5:1 against their bubble, light and dark', async () => {
    const smallPrint = '.edits .when, .app-name, .app-caption, .app-subtitle, .app-url, .poll-count, .poll-voters, .poll-added';
    for (const marker of ['class="edits"', 'class="app-url"']) {
      await openPageWith(marker);
      await page.evaluate(() => document.querySelectorAll('details').forEach((d) => { d.open = true; }));
      for (const colorScheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme });
        const seen = await page.locator(smallPrint).evaluateAll((all) => all.map((text) => {
          // The text's colour as it shows: faded by the opacity of it and its ancestors toward what is behind it.
          let opacity = 1;
          let behind = getComputedStyle(document.body).backgroundColor;
          for (let e: Element | null = text; e; e = e.parentElement) {
            opacity *= Number(getComputedStyle(e).opacity);
            const background = getComputedStyle(e).backgroundColor;
            if (background !== 'rgba(0, 0, 0, 0)') { behind = background; break; }
          }
          const channels = (color: string) => color.match(/\d+(\.\d+)?/g)!.slice(0, 3).map(Number);
          const back = channels(behind);
          const shown = channels(getComputedStyle(text).color).map((c, i) => c * opacity + back[i] * (1 - opacity));
          return [text.className, `rgb(${shown.join(', ')})`, behind];
        }));
        expect(seen.length, marker).toBeGreaterThan(0);
        for (const [name, color, behind] of seen) expect(contrast(color, behind), `${name} (${colorScheme})`).toBeGreaterThanOrEqual(4.5);
      }
    }
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('gives each day\'s messages a list, one item a message, so that a screen reader goes from message to message', async () => {
    await openPageWith('class="msg');
    const days = await page.locator('.thread > h2.day').count();
    const lists = page.getByRole('list').filter({ has: page.locator('xpath=self::*[parent::*[@id="messages"]]') });
    await expect(lists.count()).resolves.toBe(days);
    const items = await page.locator('.thread > ol > li').count();
    await expect(page.locator('.thread .msg, .thread .event').count()).resolves.toBe(items);
    const tree = await page.locator('#messages').ariaSnapshot();
    expect(tree).toMatch(/^- heading ".+" \[level=2\]\n- list:\n\s+- listitem:/m);
    // Looked at, the thread is as it was: a bubble keeps to its side, no list marker or indent beside it.
    const sides = await page.locator('.thread .msg').evaluateAll((all) => all.slice(0, 20).map((m) => {
      const box = m.getBoundingClientRect();
      const thread = document.getElementById('messages')!.getBoundingClientRect();
      return [m.classList.contains('out'), Math.round(box.left - thread.left), Math.round(thread.right - box.right), getComputedStyle(m).listStyleType];
    }));
    for (const [out, left, right, marker] of sides) {
      expect(out ? right : left).toBe(0);
      expect(marker).toBe('none');
    }
  });

  it('names the activity chart without its year labels, and gives its numbers in a table of messages per year by sender', async () => {
    for (const file of ['index.html', 'conversations']) {
      if (file === 'index.html') await page.goto(pathToFileURL(join(archive, file)).href);
      else await openPageWith('class="activity"');
      const chart = await page.locator('figure.activity').ariaSnapshot();
      expect(chart).toMatch(/^\s+- '?img "Messages per month, by sender \(busiest month: \d+\)"'?$/m);
      expect(chart, file).not.toMatch(/\b(19|20)\d\d\b/);
      const table = page.getByRole('group').filter({ hasText: 'Messages per year' }).getByRole('table');
      await page.locator('.activity-table summary').click();
      const rows = await table.locator('tr').evaluateAll((all) => all.map((tr) => [...tr.children].map((c) => c.textContent!)));
      const [head, ...years] = rows;
      expect(head![0]).toBe('Year');
      expect(head!.at(-1)).toBe('All');
      const legend = await page.locator('figure.activity figcaption span').allTextContents();
      expect(head!.slice(1, -1)).toEqual(legend);
      // Each year's senders add up to its messages, each sender's years to the bars' tooltips of that sender.
      const count = (text: string) => Number(text.replace(/,/g, ''));
      for (const [, ...cells] of years) expect(cells.slice(0, -1).map(count).reduce((a, b) => a + b), file).toBe(count(cells.at(-1)!));
      const tooltips = await page.locator('figure.activity rect title').allTextContents();
      for (const [i, name] of legend.entries()) {
        const fromBars = tooltips.filter((t) => t.includes(` · ${name}: `)).map((t) => count(t.split(': ').at(-1)!)).reduce((a, b) => a + b, 0);
        expect(years.map((row) => count(row[i + 1]!)).reduce((a, b) => a + b), `${file}: ${name}`).toBe(fromBars);
      }
      expect(years.map((row) => row[0])).toEqual([...years.map((row) => row[0])].sort());
    }
  });

  it('says what a picture is, not only its file\'s name', async () => {
    await openPageWith('<img ');
    await expect(page.locator('.thread img').first().getAttribute('alt')).resolves.toMatch(/^(Photo|Sticker) \S/);
  });
});
