import { CHROMIUM, haveChromium, openPage } from '../support/chromium.js';
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { type Browser, type Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateChatDb } from '../../src/generate/index.js';
import { APPLE_EPOCH_MS } from '../../src/generate/apple-time.js';
import { messageAnchor } from '../../src/render/html/anchors.js';
import { runCli, tempDir } from '../support/cli.js';
import { contrast } from '../support/contrast.js';
import { MEDIA_PATIENCE } from './support.js';


if (!haveChromium) console.warn(`Skipping browsing tests: ${CHROMIUM} is absent (apt-get install chromium).`);

/** A pasted e-mail: the word looked for comes after 3,000 characters. */
const LONG_TEXT = `Forwarded message. ${'Lorem ipsum dolor sit amet, consectetur adipiscing elit. '.repeat(55)}The code word is zanzibarwombat.`;

/** Text whose folding for search changes its length: ❤️ loses its variation selector, each Hangul syllable becomes three letters. */
const FOLDING_TEXT = `❤️ ${'안녕하세요 '.repeat(30)}see you at the Quokka Café`;

/** A web address in a message's plain text, without the link Apple's own text data would mark. */
const ADDRESS = 'https://example.com/recipes?id=7&serves=4';

/** An Arabic paragraph, then an English one: each reads in its own direction, as in Messages. */
const TWO_DIRECTIONS = 'صباح الخير، أين نلتقي؟\nMeet me at the wharf at 5 p.m.';

/** Four people as one emoji of seven code points, eleven UTF-16 units. */
const FAMILY = '👨‍👩‍👧‍👦';
const FAMILY_PHOTO = `Our new family photo ${FAMILY}`;
/**
 * A result's snippet shows 160 UTF-16 units from 60 before the word found: here the 60th before it is the second
 * unit of the family's last emoji, and the 160th from the family's first unit the first of the flamingo's two.
 */
const EMOJI_TEXT = `${FAMILY_PHOTO}${' is on the fridge now, next to the'.padEnd(59)}marmalade${' jar, and'.padEnd(80)}🦩 flamingo magnet`;

/** An e-mail address naming a conversation (no contact card for it): wider than a phone's screen in the page's heading. */
const LONG_EMAIL = 'christopher.montgomery-whitfield@university-hospital.example.org';

/**
 * Single letters as words of their own, others inside words, and a Japanese word that one character may find; a
 * result for "plan" is shown from 60 characters before it, the last letter of "pizza".
 */
const LETTERS_TEXT = 'Not pizza, we said: the oven is broken until Tuesday morning, Mama. Plan B is a bagel by the abbey (愛してる)';

/** Two letters inside words alone ("am" in "example" and "tram"), and at words' starts ("10am", "amazing"); Thai, written without spaces. */
const INSIDE_WORDS = 'Zebu example: the tram, ผมชอบกินข้าว';
const WORD_STARTS = 'Zebu at 10am, I am on the tram: amazing';

/** What a person browsing an exported archive meets: the CLI's HTML output of generated data, opened from file:// in Chromium. */
describe.skipIf(!haveChromium)('browsing an HTML archive the CLI wrote', () => {
  let archive: string;
  /** The export that made the archive, for one more run into it. */
  let exportArgs: string[];
  /** Two people both called Sam Taylor, each in a conversation of their own. */
  let namesakes: string[];
  /** The id of a reply of mine narrower than the reactions to it. */
  let reacted: string;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    const dir = tempDir('html-browsing');
    const db = join(dir, 'chat.db');
    await generateChatDb({ path: db, messages: 400, seed: 23 });
    const sqlite = new Database(db);
    const plain = sqlite.prepare(`SELECT ROWID FROM message WHERE associated_message_type = 0 AND item_type = 0 AND balloon_bundle_id IS NULL
      AND cache_has_attachments = 0 AND text IS NOT NULL ORDER BY ROWID LIMIT 15`).pluck();
    const setText = sqlite.prepare('UPDATE message SET text = ?, attributedBody = NULL WHERE ROWID = ?');
    const [long, folding, address, phone, letters, directions, curly, straight, dotted, single, amount, mention, emoji, inside, starts] = plain.all() as number[];
    setText.run(LONG_TEXT, long);
    setText.run(FOLDING_TEXT, folding);
    setText.run(`The aardvark recipe: ${ADDRESS}.`, address);
    setText.run('Call the plumber back at (555) 867-5309 tonight', phone);
    setText.run('Detour via Große Straße to Ærøskøbing', letters);
    setText.run(TWO_DIRECTIONS, directions);
    setText.run('Don’t forget the lanterns', curly); // as an iPhone writes an apostrophe
    setText.run("Can't make the lantern parade", straight);
    setText.run('The florist is on 555.210.4477 since 2019', dotted);
    setText.run(LETTERS_TEXT, single);
    setText.run('The roofer quoted $3,417.25 in all', amount);
    setText.run('Ask Sam Taylor about the ferry times', mention);
    setText.run(EMOJI_TEXT, emoji);
    setText.run(INSIDE_WORDS, inside);
    setText.run(WORD_STARTS, starts);
    reacted = anchorOfRow(sqlite, reactToShortReply(sqlite));
    sqlite.prepare("UPDATE handle SET id = ? WHERE id = 'chiara2@example.com'").run(LONG_EMAIL);
    sqlite.prepare("UPDATE chat SET chat_identifier = @email, guid = 'iMessage;-;' || @email WHERE chat_identifier = 'chiara2@example.com'").run({ email: LONG_EMAIL });
    namesakes = sqlite.prepare("SELECT chat_identifier FROM chat WHERE style = 45 AND chat_identifier LIKE '+%' ORDER BY ROWID LIMIT 2").pluck().all() as string[];
    sqlite.close();
    const contacts = join(dir, 'contacts.vcf');
    writeFileSync(contacts, namesakes.map((phone) => `BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Sam Taylor\r\nN:Taylor;Sam;;;\r\nTEL:${phone}\r\nEND:VCARD\r\n`).join(''));
    archive = join(dir, 'archive');
    exportArgs = ['export', '--db', db, '--contacts', contacts, '--out', archive, '--format', 'html', '--quiet'];
    const result = await runCli(exportArgs);
    expect(result.code, result.stderr).toBe(0);
    ({ browser, page } = await openPage());
  }, 120_000);

  afterAll(() => browser?.close());

  const search = async (query: string) => {
    await page.goto(`${pathToFileURL(join(archive, 'search.html')).href}?q=${encodeURIComponent(query)}`);
    await expect.poll(() => page.locator('.search-status').textContent()).toMatch(/match/);
    return page.locator('.search-status').textContent();
  };

  it('finds a word far into a long message', async () => {
    await expect(search('zanzibarwombat')).resolves.toBe('1 message matches “zanzibarwombat”.');
    await expect(page.locator('.results a').textContent()).resolves.toMatch(/^….*The code word is zanzibarwombat\.$/);
  });

  it('keeps the index sorted by name on coming Back from a conversation opened from it', async () => {
    await page.goto(pathToFileURL(join(archive, 'index.html')).href);
    await page.click('button[data-sort="name"]');
    const byName = await page.locator('.conversations .title').allTextContents();
    await page.locator('.conversations a').last().click();
    await page.waitForURL(/p1\.html$/);
    await page.goBack();
    await expect.poll(() => page.locator('.conversations .title').allTextContents()).toEqual(byName);
    await expect(page.locator('button[aria-pressed="true"]').textContent()).resolves.toBe('Name');
  });

  it('stops a jump to a day at the window\'s top, the ring around its heading whole', async () => {
    await page.goto(pathToFileURL(join(archive, 'index.html')).href);
    await page.locator('.conversations a').first().click();
    const day = await page.locator('.thread .day').nth(3).getAttribute('id');
    await page.goto(`${page.url()}#${day}`);
    const heading = page.locator(`#${day} span`);
    const ring = await heading.evaluate((s) => parseFloat(getComputedStyle(s).outlineWidth) + parseFloat(getComputedStyle(s).outlineOffset));
    await expect(heading.evaluate((s) => s.getBoundingClientRect().top)).resolves.toBeGreaterThanOrEqual(ring);
  });

  it('goes Back to the query before, also after the same query was searched for again', async () => {
    await search('zanzibarwombat');
    for (const query of ['aardvark', 'aardvark']) {
      await page.fill('.searchbox input', query);
      await page.press('.searchbox input', 'Enter');
      await expect.poll(() => page.locator('.search-status').textContent()).toBe('1 message matches “aardvark”.');
    }
    await page.goBack();
    await expect.poll(() => page.locator('.search-status').textContent()).toBe('1 message matches “zanzibarwombat”.');
    await expect(page.inputValue('.searchbox input')).resolves.toBe('zanzibarwombat');
  });

  it('gives a screen reader the chart as one described picture, its legend\'s colour swatches left out', async () => {
    await page.goto(pathToFileURL(join(archive, 'index.html')).href);
    const chart = await page.locator('figure.activity').ariaSnapshot();
    expect(chart).toMatch(/img "Messages per month, by sender \(busiest month: \d+\)"/);
    expect(chart).not.toMatch(/- img\s*$/m);
  });

  it('rings the message a search result opens in a colour that stands out from the page, light and dark', async () => {
    await search('zanzibarwombat');
    await page.locator('.results a').click();
    await page.waitForURL(/#m\w+$/);
    const bubble = page.locator('.msg:target > .bubble');
    try {
      for (const colorScheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme });
        const [ring, background] = await bubble.evaluate((b) => [getComputedStyle(b).outlineColor, getComputedStyle(document.body).backgroundColor]);
        expect(contrast(ring, background), colorScheme).toBeGreaterThanOrEqual(3);
      }
    } finally {
      await page.emulateMedia({ colorScheme: 'light' });
    }
  });

  it('tells a screen reader who wrote each run of messages in a conversation with one person, which the page shows by the bubbles alone', async () => {
    await page.goto(pathToFileURL(join(archive, 'index.html')).href);
    await page.locator('.conversations li', { has: page.locator('.title', { hasText: /^Sam Taylor$/ }) }).first().locator('a').click();
    const thread = await page.locator('.thread').ariaSnapshot();
    expect(thread).toMatch(/- text: Me\b/);
    expect(thread).toMatch(/- text: Sam Taylor\b/);
    const unseen = page.locator('.sender.unseen').first();
    await expect(unseen.boundingBox().then((box) => box!.width <= 1 && box!.height <= 1)).resolves.toBe(true);
  });

  it('tells two people of the same name apart by their phone numbers, on the index and on their pages', async () => {
    await page.goto(pathToFileURL(join(archive, 'index.html')).href);
    const entries = page.locator('.conversations li', { has: page.locator('.title', { hasText: /^Sam Taylor$/ }) });
    await expect(entries.locator('.participants').allTextContents()).resolves.toEqual(expect.arrayContaining(namesakes));
    await entries.first().locator('a').click();
    await expect(page.locator('.thread-head .participants').textContent()).resolves.toMatch(/^Sam Taylor \(\+\d+\)$/);
  });

  it('says so under a video or a voice message the browser cannot play, instead of a player that does nothing', async () => {
    const pages = readdirSync(join(archive, 'conversations'), { recursive: true }).map(String).filter((f) => f.endsWith('.html'));
    const pageWith = (marker: string) => join(archive, 'conversations', pages.find((p) => readFileSync(join(archive, 'conversations', p), 'utf8').includes(marker))!);
    const fileOf = (pagePath: string, pattern: RegExp) => resolve(dirname(pagePath), decodeURIComponent(pattern.exec(readFileSync(pagePath, 'utf8'))![1]));
    // A video in a codec this browser lacks (an iPhone's HEVC) fails as a file it cannot read does.
    const videoPage = pageWith('<video ');
    writeFileSync(fileOf(videoPage, /<video [^>]*src="([^"]+)"/), Buffer.alloc(4096, 7));
    // A voice message whose playable copy is gone leaves only the CAF original, which Chromium does not play.
    const voicePage = pageWith('<audio controls preload="metadata" title="Audio message"><source');
    rmSync(fileOf(voicePage, /<audio controls preload="metadata" title="Audio message"><source src="([^"]+)"/));

    for (const [pagePath, player, note] of [[videoPage, 'video', 'This browser cannot play this video'], [voicePage, 'audio:has(source)', 'This browser cannot play this recording']]) {
      await page.goto(pathToFileURL(pagePath).href);
      const bubble = page.locator('.bubble.media', { has: page.locator(player) }).first();
      // Found as the page opens, before anyone presses play (the players read the file's header then); the dead player is hidden, its link stays.
      await expect.poll(() => bubble.textContent(), MEDIA_PATIENCE).toContain(`${note}: download it and open it in QuickTime or VLC.`);
      await expect(bubble.locator(player).isHidden()).resolves.toBe(true);
      await expect(bubble.locator('a.file').isVisible()).resolves.toBe(true);
    }
  });

  it('marks the words found where folding the text for the search changed its length', async () => {
    await expect(search('quokka cafe')).resolves.toBe('1 message matches “quokka cafe”.');
    await expect(page.locator('.results a').textContent()).resolves.toMatch(/^…[^…]* see you at the Quokka Café$/);
    await expect(page.locator('.results mark').allTextContents()).resolves.toEqual(['Quokka', 'Café']);
  });

  it('finds ß, æ, ø and other letters without a mark to strip as they are typed without them', async () => {
    await expect(search('grosse strasse aeroskobing')).resolves.toBe('1 message matches “grosse strasse aeroskobing”.');
    await expect(page.locator('.results mark').allTextContents()).resolves.toEqual(['Große', 'Straße', 'Ærøskøbing']);
  });

  it('finds a word written with a curly apostrophe (as an iPhone writes it) by a straight one, and the other way round', async () => {
    await expect(search("don't forget")).resolves.toBe('1 message matches “don\'t forget”.');
    await expect(page.locator('.results mark').allTextContents()).resolves.toEqual(['Don’t', 'forget']);
    await expect(search('can’t make')).resolves.toBe('1 message matches “can’t make”.');
    await expect(page.locator('.results mark').allTextContents()).resolves.toEqual(["Can't", 'make']);
  });

  it('finds words in quotes together, in that order', async () => {
    // A phrase in quotes is shown in the line's quotes alone.
    for (const [query, shown] of [['"lantern parade"', 'lantern parade'], ['“lantern parade”', 'lantern parade'], ['can\'t "lantern parade', 'can\'t "lantern parade']]) {
      await expect(search(query!)).resolves.toBe(`1 message matches “${shown}”.`);
      await expect(page.locator('.results mark').last().textContent()).resolves.toBe('lantern parade');
    }
    await expect(search('"parade lantern"')).resolves.toBe('No messages match “parade lantern”.');
  });

  it('finds a single letter as a word of its own, and marks it alone, not every one inside words', async () => {
    for (const [query, marked] of [['plan b', ['Plan', 'B']], ['plan a', ['Plan', 'a']], ['bagel a', ['a', 'bagel']], ['A PLAN', ['Plan', 'a']]] as const) {
      await expect(search(query)).resolves.toBe(`1 message matches “${query}”.`);
      await expect(page.locator('.results mark').allTextContents()).resolves.toEqual(marked);
    }
    await expect(search('plan y')).resolves.toBe('No messages match “plan y”.');
    // In a script written without spaces one character is a word, found where it stands.
    await expect(search('bagel 愛')).resolves.toBe('1 message matches “bagel 愛”.');
    await expect(page.locator('.results mark').allTextContents()).resolves.toEqual(['bagel', '愛']);
  });

  it('finds two letters only where a word starts, and marks them only there; longer terms, and Thai or Japanese, inside words', async () => {
    await expect(search('zebu am')).resolves.toBe('1 message matches “zebu am”.');
    await expect(page.locator('.results a').textContent()).resolves.toBe(WORD_STARTS);
    await expect(page.locator('.results mark').allTextContents()).resolves.toEqual(['Zebu', 'am', 'am', 'am']);
    await expect(search('zebu ra')).resolves.toBe('No messages match “zebu ra”.');
    await expect(search('zebu ram')).resolves.toBe('2 messages match “zebu ram”.');
    await expect(page.locator('.results mark').allTextContents()).resolves.toEqual(['Zebu', 'ram', 'Zebu', 'ram']);
    await expect(search('zebu ชอ')).resolves.toBe('1 message matches “zebu ชอ”.');
    await expect(page.locator('.results mark').allTextContents()).resolves.toEqual(['Zebu', 'ชอ']);
    await expect(search('bagel して')).resolves.toBe('1 message matches “bagel して”.');
    await expect(page.locator('.results mark').allTextContents()).resolves.toEqual(['bagel', 'して']);
  });

  it('makes a web address in a message a link, also where the database marked none', async () => {
    await search('aardvark');
    await page.locator('.results a').click();
    await expect(page.locator(':target .bubble a').getAttribute('href')).resolves.toBe(ADDRESS);
    await expect(page.locator(':target .bubble').textContent()).resolves.toBe(`The aardvark recipe: ${ADDRESS}.`);
  });

  it('lays out each paragraph of a message in its own direction: an English line under an Arabic one ends with its full stop on the right', async () => {
    await search('wharf');
    await page.locator('.results a').click();
    const bubble = page.locator(':target .bubble');
    await expect(bubble.textContent()).resolves.toBe(TWO_DIRECTIONS);
    // Where a character of the bubble's text is drawn, from its left edge.
    const left = (at: number) => bubble.evaluate((element, at) => {
      const range = document.createRange();
      range.setStart(element.firstChild!, at);
      range.setEnd(element.firstChild!, at + 1);
      return range.getBoundingClientRect().left;
    }, at);
    const english = TWO_DIRECTIONS.indexOf('Meet');
    expect(await left(TWO_DIRECTIONS.length - 1)).toBeGreaterThan(await left(english));
    expect(await left(english - 2)).toBeLessThan(await left(0));
  });

  it('fits a phone\'s width where a long e-mail address names a conversation, on the index and on its page, and cuts no date in two', async () => {
    const phone = await browser.newPage({ viewport: { width: 360, height: 740 } });
    const sideways = () => phone.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    await phone.goto(pathToFileURL(join(archive, 'index.html')).href);
    await expect(sideways()).resolves.toBe(0);
    // The activity chart is drawn at half its width here: its year labels are larger in its units, and fewer.
    const yearLabels = await phone.locator('.activity text').evaluateAll((labels) => labels.filter((label) => label.getClientRects().length > 0).map((label) => label.getBoundingClientRect().height));
    expect(yearLabels.length).toBeGreaterThan(0);
    expect(Math.min(...yearLabels)).toBeGreaterThanOrEqual(10);
    // Nor is a date cut after its month ("2024-12-" above "24") where a conversation's line wraps.
    await expect(phone.locator('.conversations .stats').evaluateAll((lines) => lines.filter((line) => {
      const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
      const dates = /\d{4}-\d\d-\d\d( – \d{4}-\d\d-\d\d)?/;
      let text: Node | null;
      while ((text = walker.nextNode()) && !dates.test(text.textContent!));
      const found = dates.exec(text!.textContent!)!;
      const range = document.createRange();
      range.setStart(text!, found.index);
      range.setEnd(text!, found.index + found[0].length);
      return new Set(Array.from(range.getClientRects(), (rect) => Math.round(rect.top))).size > 1;
    }).map((line) => line.textContent))).resolves.toEqual([]);
    await phone.locator('.conversations a', { has: phone.locator('.title', { hasText: LONG_EMAIL }) }).click();
    await expect(phone.locator('h1').textContent()).resolves.toBe(LONG_EMAIL);
    await expect(sideways()).resolves.toBe(0);
    await phone.close();
  });

  it('fits a phone\'s width where reactions are wider than the reply they are on, in either colour scheme, and on the search page', async () => {
    const pages = readdirSync(join(archive, 'conversations'), { recursive: true }).map(String).filter((f) => f.endsWith('.html'));
    const conversation = pages.find((p) => readFileSync(join(archive, 'conversations', p), 'utf8').includes(`id="${reacted}-0"`))!;
    for (const colorScheme of ['light', 'dark'] as const) {
      const phone = await browser.newPage({ viewport: { width: 360, height: 740 }, colorScheme });
      const sideways = () => phone.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      await phone.goto(`${pathToFileURL(join(archive, 'conversations', conversation)).href}#${reacted}`);
      await expect(phone.locator(`#${reacted}-0 .tapback`).count()).resolves.toBe(3);
      await expect(sideways()).resolves.toBe(0);
      // Each badge whole on the screen, none of them hiding another.
      const badges = await phone.locator(`#${reacted}-0 .tapback`).evaluateAll((all) => all.map((badge) => badge.getBoundingClientRect().toJSON()));
      for (const [i, badge] of badges.entries()) {
        expect(badge.left).toBeGreaterThanOrEqual(0);
        expect(badge.right).toBeLessThanOrEqual(360);
        if (i > 0) expect(badge.left).toBeGreaterThanOrEqual(badges[i - 1].right);
      }
      await phone.goto(`${pathToFileURL(join(archive, 'search.html')).href}?q=lantern`);
      await expect.poll(() => phone.locator('.search-status').textContent()).toMatch(/match/);
      await expect(sideways()).resolves.toBe(0);
      await phone.close();
    }
  });

  it('prints the earlier versions of an edited message, which the page folds away', async () => {
    const pages = readdirSync(join(archive, 'conversations'), { recursive: true }).map(String).filter((f) => f.endsWith('.html'));
    const edited = pages.find((p) => readFileSync(join(archive, 'conversations', p), 'utf8').includes('<details class="edits">'))!;
    await page.goto(pathToFileURL(join(archive, 'conversations', edited)).href);
    const edits = page.locator('details.edits').first();
    const earlier = (await edits.locator('li').first().textContent())!.trim();
    await expect(edits.innerText()).resolves.not.toContain(earlier);
    await page.emulateMedia({ media: 'print' });
    try {
      await expect(edits.innerText()).resolves.toMatch(/^Earlier versions \(\d+\)\n/);
      await expect(edits.innerText()).resolves.toContain(earlier);
    } finally {
      await page.emulateMedia({ media: 'screen' });
    }
  });

  it('prints which page of the conversation it is, and its dates, without the links to the others', async () => {
    await page.goto(pathToFileURL(join(archive, 'index.html')).href);
    await page.locator('.conversations a').first().click();
    await page.emulateMedia({ media: 'print' });
    try {
      const printed = (selector: string) => page.locator(selector).evaluateAll((all) => all.filter((e) => e.checkVisibility()).map((e) => (e as HTMLElement).innerText));
      await expect(printed('.pager .where')).resolves.toEqual([expect.stringMatching(/^Page 1 · \d{4}-\d\d-\d\d – \d{4}-\d\d-\d\d$/)]);
      await expect(printed('.pager a, .pager .disabled, .jump')).resolves.toEqual([]);
    } finally {
      await page.emulateMedia({ media: 'screen' });
    }
  });

  it('finds a name in what messages say, not in who sent them, and lists the conversations it names above them', async () => {
    // Group events name people in their text too ("… added Sam Taylor to the conversation.").
    await expect(search('sam taylor')).resolves.toMatch(/^\d+ messages? match/);
    const found = await page.locator('.results li > a').allTextContents();
    expect(found).toContain('Ask Sam Taylor about the ferry times');
    for (const text of found) expect(text).toContain('Sam Taylor');
    await expect(page.locator('.conversation-matches li').count()).resolves.toBeGreaterThanOrEqual(2);
  });

  it('cuts a result\'s snippet between characters, never inside an emoji, also where the browser cannot tell characters of several code points', async () => {
    const snippet = async () => {
      await expect(search('marmalade')).resolves.toBe('1 message matches “marmalade”.');
      return (await page.locator('.results a').textContent())!;
    };
    const halves = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
    const shown = await snippet();
    expect(shown).not.toMatch(halves);
    expect(shown.startsWith(`…${FAMILY} is on the fridge`)).toBe(true);
    expect(shown.endsWith('🦩…')).toBe(true);
    // Without Intl.Segmenter (Firefox before 125): at least whole code points, the family's last emoji alone.
    await page.addInitScript(() => Reflect.deleteProperty(Intl, 'Segmenter'));
    try {
      const byCodePoints = await snippet();
      expect(byCodePoints).not.toMatch(halves);
      expect(byCodePoints.startsWith('…👦 is on the fridge')).toBe(true);
    } finally {
      await page.close();
      page = await browser.newPage();
    }
  });

  it('finds a phone number however it is written in the query', async () => {
    for (const query of ['555-867-5309', '8675309', '(555)867-5309', '555.867.5309']) {
      await expect(search(query)).resolves.toBe(`1 message matches “${query}”.`);
      await expect(page.locator('.results a').textContent()).resolves.toBe('Call the plumber back at (555) 867-5309 tonight');
    }
    // Typed with spaces, as a number is usually written, it is still one number, whatever the text's brackets.
    for (const query of ['(555) 210-4477', '(555) 210 4477', 'florist (555) 210-4477', '555 210 4477']) {
      await expect(search(query)).resolves.toBe(`1 message matches “${query}”.`);
    }
    await expect(search('2019 555')).resolves.toBe('1 message matches “2019 555”.');
    // With the country code, as a contact card or another country's phone writes it.
    for (const query of ['+15552104477', '+1 555 210 4477', '+1 (555) 210-4477']) {
      await expect(search(query)).resolves.toBe(`1 message matches “${query}”.`);
    }
  });

  it('finds an amount typed without its thousands separator', async () => {
    for (const query of ['3417.25', '3,417.25', '$3,417.25']) {
      await expect(search(query)).resolves.toBe(`1 message matches “${query}”.`);
      await expect(page.locator('.results a').textContent()).resolves.toBe('The roofer quoted $3,417.25 in all');
    }
  });

  // Last: it exports into the archive once more, which then lists its runs.
  it('shades the edge of the runs table beyond which a phone scrolls it, and not the end it has reached', async () => {
    const again = await runCli(exportArgs);
    expect(again.code, again.stderr).toBe(0);
    const phone = await browser.newPage({ viewport: { width: 360, height: 740 } });
    await phone.goto(pathToFileURL(join(archive, 'index.html')).href);
    await phone.locator('.runs summary').click();
    const table = phone.locator('.runs .table-scroll');
    // Its words made invisible, so that only what is drawn behind them is measured.
    await table.evaluate((scroller) => scroller.querySelectorAll('*').forEach((e) => ((e as HTMLElement).style.color = 'transparent')));
    // The mean brightness of the 4 px at each side of the table as drawn.
    const edges = async () => {
      const { data, info } = await sharp(await table.screenshot()).greyscale().raw().toBuffer({ resolveWithObject: true });
      const mean = (from: number) => {
        let sum = 0;
        for (let y = 0; y < info.height; y++) for (let x = from; x < from + 4; x++) sum += data[y * info.width + x]!;
        return sum / (4 * info.height);
      };
      return { left: mean(0), right: mean(info.width - 4) };
    };
    const atStart = await edges();
    expect(atStart.right).toBeLessThan(atStart.left - 10);
    await table.evaluate((scroller) => (scroller.scrollLeft = scroller.scrollWidth));
    const atEnd = await edges();
    expect(atEnd.left).toBeLessThan(atEnd.right - 10);
    await phone.close();
  });
});

/** The id of a message of the database on its page. */
function anchorOfRow(sqlite: Database.Database, rowId: number): string {
  const { guid, date } = sqlite.prepare('SELECT guid, date FROM message WHERE ROWID = ?').get(rowId) as { guid: string; date: number };
  return messageAnchor(guid, new Date(APPLE_EPOCH_MS + date / 1e6));
}

/**
 * Makes my last text in a group conversation a one-letter reply that three people reacted to, each in a way of their
 * own: its badges are wider than its bubble. Gives its ROWID.
 */
function reactToShortReply(sqlite: Database.Database): number {
  const { message, tapback, chat } = sqlite.prepare(`SELECT m.ROWID AS message, t.ROWID AS tapback, j.chat_id AS chat FROM message m
    JOIN message t ON t.associated_message_guid = 'p:0/' || m.guid JOIN chat_message_join j ON j.message_id = m.ROWID JOIN chat c ON c.ROWID = j.chat_id
    WHERE m.is_from_me = 1 AND m.text IS NOT NULL AND m.balloon_bundle_id IS NULL AND m.cache_has_attachments = 0 AND c.style = 43
    ORDER BY m.ROWID DESC LIMIT 1`).get() as { message: number; tapback: number; chat: number };
  sqlite.prepare("UPDATE message SET text = 'k', attributedBody = NULL WHERE ROWID = ?").run(message);
  const others = sqlite.prepare('SELECT handle_id FROM chat_handle_join WHERE chat_id = ? AND handle_id <> (SELECT handle_id FROM message WHERE ROWID = ?)').pluck().all(chat, tapback) as number[];
  sqlite.prepare('CREATE TEMP TABLE reaction AS SELECT * FROM message WHERE ROWID = ?').run(tapback);
  const types = (sqlite.prepare('SELECT associated_message_type FROM message WHERE ROWID = ?').pluck().get(tapback) as number) === 2000 ? [2003, 2004] : [2000, 2003];
  for (const [i, handle] of others.slice(0, 2).entries()) {
    sqlite.prepare("UPDATE reaction SET ROWID = NULL, guid = 'reaction-' || ?, handle_id = ?, associated_message_type = ?, date = date + 1000000000").run(i, handle, types[i]);
    const { lastInsertRowid } = sqlite.prepare('INSERT INTO message SELECT * FROM reaction').run();
    sqlite.prepare('INSERT INTO chat_message_join (chat_id, message_id, message_date) SELECT ?, ROWID, date FROM message WHERE ROWID = ?').run(chat, lastInsertRowid);
  }
  return message;
}
