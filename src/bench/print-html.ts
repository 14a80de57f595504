// What a user would do instead of our PDF: open the HTML conversation in a browser and print every page.
// `node print-html.js CHROMIUM OUT_DIR PAGE.html…` starts headless Chromium and prints the pages in order
// (timed as a whole by the bench, browser start included).
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const [executablePath, outDir, ...pages] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath });
try {
  const page = await browser.newPage();
  for (const [index, file] of pages.entries()) {
    await page.goto(pathToFileURL(file!).href, { waitUntil: 'load' });
    await page.pdf({ path: join(outDir!, `page-${index + 1}.pdf`), printBackground: true });
  }
} finally {
  await browser.close();
}
