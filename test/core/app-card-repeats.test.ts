// A Photos shared album's card read "Home - 37 Photos — Home — 37 Photos": its captions only repeat the
// words of its title (the real payload of ../shared/fixtures).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { addMessage, exportChat, smallChat } from '../robust/support.js';
import { FIXTURES } from '../support/cli.js';

const SLIDESHOW = join(FIXTURES, 'apple', 'app_message', 'Slideshow.plist');
const PHOTOS = 'com.apple.messages.MSMessageExtensionBalloonPlugin:0000000000:com.apple.mobileslideshow.PhotosMessagesApp';
const present = existsSync(SLIDESHOW);
if (!present) console.warn(`Skipping repeated app card lines: ${SLIDESHOW} is absent.`);

describe.skipIf(!present)('an app card whose captions repeat its title', () => {
  it('says the title once in txt, HTML and JSON', async () => {
    const { dir, db, chat } = await smallChat('app-card-repeats', (d) => {
      addMessage(d, { text: '\ufffc', attributedBody: null, balloon_bundle_id: PHOTOS, payload_data: readFileSync(SLIDESHOW) }, 'SLIDESHOW');
    });
    const out = join(dir, 'out');
    await exportChat(db, chat, out, 'txt,html,json');
    const stem = readdirSync(out).find((f) => f.endsWith('.txt'))!.slice(0, -4);
    expect(readFileSync(join(out, `${stem}.txt`), 'utf8')).toContain('[Photos: Home - 37 Photos — https://share.icloud.com/photos/1337h4x0r_jk#Home]');
    const page = readdirSync(join(out, 'conversations'), { recursive: true }).map(String).find((f) => f.endsWith('.html'))!;
    const card = /<div class="app-title">Home - 37 Photos<\/div>.*?<\/a>/s.exec(readFileSync(join(out, 'conversations', page), 'utf8'))?.[0];
    expect(card).toBeDefined();
    expect(card).not.toContain('app-caption');
    const { messages } = JSON.parse(readFileSync(join(out, `${stem}.json`), 'utf8')) as { messages: { guid: string; text: string; parts: { app?: { captions: string[] } }[] }[] };
    const message = messages.find((m) => m.guid === 'SLIDESHOW')!;
    expect(message.text).toBe('[Photos: Home - 37 Photos — https://share.icloud.com/photos/1337h4x0r_jk#Home]');
    expect(message.parts[0]!.app!.captions).toEqual([]);
  });
});
