// An app balloon's texts keep their line breaks in HTML, as in txt and PDF: the real Apple Music lyrics and
// OpenTable payloads (../shared/fixtures) ran their lines together.
import { CHROMIUM, haveChromium, launchChromium } from '../support/chromium.js';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { addMessage, makeBase, spoiledCopy } from '../robust/support.js';
import { FIXTURES, runCli, tempDir } from '../support/cli.js';

const APPLE = join(FIXTURES, 'apple');
const present = haveChromium && existsSync(join(APPLE, 'music_message'));
if (!present) console.warn(`Skipping balloon line breaks: ${CHROMIUM} or ${APPLE} is absent.`);

describe.skipIf(!present)('line breaks in app balloons', () => {
  it('shows lyrics and captions line by line in Chromium', async () => {
    const dir = tempDir('balloon-lines');
    let chat = '';
    const db = spoiledCopy(await makeBase(dir, 30), dir, 'balloons', (d) => {
      chat = addMessage(d, { text: null, attributedBody: null, balloon_bundle_id: 'com.apple.messages.URLBalloonProvider', payload_data: readFileSync(join(APPLE, 'music_message', 'AppleMusicLyrics.plist')) }, 'LYRICS').chat;
      addMessage(d, { text: '\ufffc', attributedBody: null, payload_data: readFileSync(join(APPLE, 'app_message', 'OpenTableInvited.plist')),
        balloon_bundle_id: 'com.apple.messages.MSMessageExtensionBalloonPlugin:0000000000:com.contextoptional.OpenTable.Messages' }, 'OPENTABLE');
    });
    const out = join(dir, 'out');
    const result = await runCli(['export', '--db', db, '--out', out, '--format', 'html', '--chat', chat, '--exact', '--quiet']);
    expect(result.code, result.stderr).toBe(0);
    const page = readdirSync(join(out, 'conversations'), { recursive: true }).map(String).find((f) => f.endsWith('.html'))!;
    const browser = await launchChromium();
    try {
      const tab = await browser.newPage();
      await tab.goto(pathToFileURL(join(out, 'conversations', page)).href);
      expect(await tab.locator('.app-summary').first().innerText()).toBe('I remember when it all started, something from a dream\nAddicted to the black and green letters on my screen');
      expect(await tab.locator('.app-caption', { hasText: 'Table for 4' }).innerText()).toBe('Table for 4 people\nSunday, October 17 at 7:45 PM');
    } finally {
      await browser.close();
    }
  });
});
