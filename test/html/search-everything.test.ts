// The HTML search finds everything a page shows of a message: a voice message's transcription, an earlier
// version of an edited message (the real Edited.plist, shown as such when only it matches), a song's lyrics (the
// real AppleMusicLyrics payload).
import { CHROMIUM, haveChromium, launchChromium } from '../support/chromium.js';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { encodeBody } from '../../src/generate/attributed-body.js';
import { ArchivedNumber, ArchivedString, AttributeDictionary, encodeAttributedString } from '../../src/generate/typedstream-writer.js';
import { addMessage, makeBase, spoiledCopy } from '../robust/support.js';
import { FIXTURES, runCli, tempDir } from '../support/cli.js';

const APPLE = join(FIXTURES, 'apple');
const present = haveChromium && existsSync(join(APPLE, 'edited_message'));
if (!present) console.warn(`Skipping search of transcriptions and earlier versions: ${CHROMIUM} or ${APPLE} is absent.`);

function voiceBody(said: string): Buffer {
  const dictionary = new AttributeDictionary([
    [new ArchivedString('__kIMFileTransferGUIDAttributeName'), new ArchivedString('VOICE-1')],
    [new ArchivedString('IMAudioTranscription'), new ArchivedString(said)],
    [new ArchivedString('__kIMMessagePartAttributeName'), new ArchivedNumber('i', 0)],
  ]);
  return encodeAttributedString('\ufffc', [{ length: 1, dictionary }]);
}

describe.skipIf(!present)('HTML search', () => {
  it('finds transcriptions, earlier versions and lyrics', async () => {
    const dir = tempDir('search-everything');
    const db = spoiledCopy(await makeBase(dir, 30), dir, 'search', (d) => {
      addMessage(d, { text: '\ufffc', attributedBody: voiceBody('meet me at the quokkahouse'), is_audio_message: 1 }, 'VOICE');
      // Edited.plist: "First message  " → "Edit 1" → "Edit 2" → "Edited message".
      addMessage(d, { text: 'Edited message', attributedBody: encodeBody([{ text: 'Edited message', part: 0 }]).blob,
        date_edited: 700_000_000_000_000_000n, message_summary_info: readFileSync(join(APPLE, 'edited_message', 'Edited.plist')) }, 'EDITED');
      addMessage(d, { text: null, attributedBody: null, balloon_bundle_id: 'com.apple.messages.URLBalloonProvider',
        payload_data: readFileSync(join(APPLE, 'music_message', 'AppleMusicLyrics.plist')) }, 'LYRICS');
    });
    const out = join(dir, 'out');
    const result = await runCli(['export', '--db', db, '--out', out, '--format', 'html', '--quiet']);
    expect(result.code, result.stderr).toBe(0);
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const search = async (query: string) => {
        await page.goto(`${pathToFileURL(join(out, 'search.html')).href}?q=${encodeURIComponent(query)}`);
        await expect.poll(() => page.locator('.search-status').textContent()).toMatch(/match/);
        return page.locator('.search-status').textContent();
      };
      await expect(search('quokkahouse')).resolves.toBe('1 message matches “quokkahouse”.');
      await expect(search('Edit 2')).resolves.toMatch(/^1 message matches/);
      // Found by an earlier version alone: the message as it reads now, and that version with the words marked.
      await expect(search('first message')).resolves.toMatch(/^1 message matches/);
      await expect(page.locator('.results li > a').textContent()).resolves.toBe('Edited message');
      await expect(page.locator('.results .earlier').textContent()).resolves.toMatch(/^Earlier text: First message\s+· Edit 1 · Edit 2$/);
      await expect(page.locator('.results .earlier mark').allTextContents()).resolves.toEqual(['First', 'message']);
      await expect(search('black and green letters')).resolves.toMatch(/^1 message matches/);
    } finally {
      await browser.close();
    }
  });
});
