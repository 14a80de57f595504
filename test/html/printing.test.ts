import { CHROMIUM, haveChromium, openPage } from '../support/chromium.js';
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli, tempDir } from '../support/cli.js';

if (!haveChromium) console.warn(`Skipping printing tests: ${CHROMIUM} is absent (apt-get install chromium).`);

/** A conversation page printed from Chromium, as a person prints it from the browser's menu. */
describe.skipIf(!haveChromium)('printing an HTML conversation from the browser', () => {
  let archive: string;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    archive = join(tempDir('html-printing'), 'archive');
    const sample = join(ROOT, 'sample-data');
    const result = await runCli(['export', '--db', join(sample, 'chat.db'), '--contacts', join(sample, 'contacts.vcf'), '--out', archive, '--format', 'html', '--quiet']);
    expect(result.code, result.stderr).toBe(0);
    ({ browser, page } = await openPage());
  }, 120_000);

  afterAll(() => browser?.close());

  // A tapback (a badge placed over its bubble's corner) near the foot of the first sheet made Chromium move the
  // whole thread to the second sheet, leaving the first with the heading alone (Hana Lee in the sample).
  it('starts the messages on the first sheet, under the heading, in every conversation', async () => {
    const pdf = join(archive, '..', 'printed.pdf');
    for (const name of readdirSync(join(archive, 'conversations'))) {
      await page.goto(pathToFileURL(join(archive, 'conversations', name, 'p1.html')).href);
      const firstDay = (await page.locator('.thread .day').first().textContent())!;
      await page.pdf({ path: pdf, format: 'A4' });
      const firstSheet = execFileSync('pdftotext', ['-l', '1', pdf, '-'], { encoding: 'utf8' });
      expect(firstSheet, name).toContain(firstDay);
    }
  }, 60_000);

  // Kept whole, a bubble taller than a sheet went to the next sheet and left the one before it blank (sheet 4 of the
  // sample's Family 🏡, before a message of several pages).
  it('cuts a message longer than a sheet across sheets, leaving no sheet blank', async () => {
    const pdf = join(archive, '..', 'printed-long.pdf');
    await page.goto(pathToFileURL(join(archive, 'conversations', 'Family 🏡', 'p1.html')).href);
    const tallest = () => page.locator('.bubble').evaluateAll((all) => Math.max(...all.map((bubble) => bubble.getBoundingClientRect().height)));
    await page.emulateMedia({ media: 'print' });
    await expect(tallest()).resolves.toBeGreaterThan(1123); // an A4 sheet's height in CSS pixels
    await page.emulateMedia({ media: null }); // page.pdf() prints with the emulated media
    await page.pdf({ path: pdf, format: 'A4' });
    const sheets = execFileSync('pdftotext', ['-enc', 'UTF-8', pdf, '-'], { encoding: 'utf8' }).split('\f').slice(0, -1);
    expect(sheets.map((sheet, i) => (sheet.trim() ? '' : `sheet ${i + 1} is blank`)).filter(Boolean)).toEqual([]);
  }, 60_000);

  it('prints the index under its heading, without the search box and the buttons', async () => {
    await page.goto(pathToFileURL(join(archive, 'index.html')).href);
    await page.emulateMedia({ media: 'print' });
    try {
      const shown = (selector: string) => page.locator(selector).evaluateAll((all) => all.filter((e) => e.checkVisibility()).length);
      await expect(page.locator('h1').isVisible()).resolves.toBe(true);
      await expect(shown('.searchbox, .sort')).resolves.toBe(0);
      await page.goto(pathToFileURL(join(archive, 'conversations', 'Mom', 'p1.html')).href);
      await expect(shown('.top, .searchbox, .home')).resolves.toBe(0);
      await expect(page.locator('h1').textContent()).resolves.toBe('Mom');
      await expect(page.locator('h1').isVisible()).resolves.toBe(true);
    } finally {
      await page.emulateMedia({ media: 'screen' });
    }
  });

  it('prints times, day headings and links as dark on paper from a computer in dark mode as in light mode', async () => {
    await page.goto(pathToFileURL(join(archive, 'conversations', 'Hana Lee', 'p1.html')).href);
    const colors = () => page.evaluate(() => ['.meta', '.day', '.bubble.media a'].map((s) => getComputedStyle(document.querySelector(s)!).color));
    try {
      await page.emulateMedia({ media: 'print', colorScheme: 'light' });
      const light = await colors();
      await page.emulateMedia({ media: 'print', colorScheme: 'dark' });
      await expect(colors()).resolves.toEqual(light);
    } finally {
      await page.emulateMedia({ media: 'screen', colorScheme: 'light' });
    }
  });
});
