// Headless Chromium as the browser tests run it (Debian's `chromium`, driven by playwright-core).
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const haveChromium = existsSync(CHROMIUM);

/** A browser with no sandbox (tests run as root in CI), no GPU and no network of its own; `extra` flags beside. */
export function launchChromium(extra: string[] = ['--disable-gpu', '--disable-background-networking']): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', ...extra] });
}

/** A browser, as launchChromium makes it, and a page of it. */
export async function openPage(): Promise<{ browser: Browser; page: Page }> {
  const browser = await launchChromium();
  return { browser, page: await browser.newPage() };
}
