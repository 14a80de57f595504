import { copyFileSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateChatDb } from '../../src/generate/index.js';
import { CHROMIUM, haveChromium, openPage } from '../support/chromium.js';
import { runCli, tempDir } from '../support/cli.js';

if (!haveChromium) console.warn(`Skipping the message link tests: ${CHROMIUM} is absent (apt-get install chromium).`);

/** An hour in Apple nanoseconds. */
const HOUR = 3_600_000_000_000n;
/** Ten years, as many. */
const DECADE = 3650n * 24n * HOUR;

/** The ROWIDs of a chat's messages of plain text (no reaction, attachment, app or group event), in order. */
function plainMessages(sqlite: Database.Database, chat: number): number[] {
  return sqlite.prepare(`SELECT m.ROWID FROM message m JOIN chat_message_join j ON j.message_id = m.ROWID WHERE j.chat_id = ?
    AND m.associated_message_type = 0 AND m.item_type = 0 AND m.balloon_bundle_id IS NULL AND m.cache_has_attachments = 0
    AND m.text IS NOT NULL ORDER BY m.ROWID`).pluck().all(chat) as number[];
}

function busiestChat(sqlite: Database.Database): number {
  return sqlite.prepare('SELECT chat_id FROM chat_message_join GROUP BY chat_id ORDER BY COUNT(*) DESC LIMIT 1').pluck().get() as number;
}

/** The ids of the messages of a page, in order. */
function messageIds(file: string): string[] {
  return Array.from(readFileSync(file, 'utf8').matchAll(/<li class="(?:msg|event)[^"]*" id="([^"]+)"/g), ([, id]) => id!);
}

/** The ids that an HTML page of the archive uses more than once. */
function repeatedIds(file: string): string[] {
  const seen = new Set<string>();
  return Array.from(readFileSync(file, 'utf8').matchAll(/ id="([^"]+)"/g), ([, id]) => id!).filter((id) => seen.has(id) || !seen.add(id));
}

describe.skipIf(!haveChromium)('links to a message on the HTML pages', () => {
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    ({ browser, page } = await openPage());
  });

  afterAll(() => browser?.close());

  /** Opens the first result of a search of the whole archive. */
  const openFound = async (archive: string, query: string) => {
    await page.goto(`${pathToFileURL(join(archive, 'search.html')).href}?q=${encodeURIComponent(query)}`);
    await expect.poll(() => page.locator('.search-status').textContent()).toMatch(/^1 message matches/);
    await page.locator('.results a').click();
    await page.waitForURL(/\.html#/);
  };

  it('opens the message it names when two sources give one conversation two messages of the same ROWID', async () => {
    const dir = tempDir('html-links-rowid');
    const first = join(dir, 'first.db');
    await generateChatDb({ path: first, messages: 200, seed: 41, conversations: 2 });
    // A second Mac's database whose row of one ROWID is another message, an hour after the first's; a message of
    // its own replies to that one.
    const second = join(dir, 'second.db');
    copyFileSync(first, second);
    const sqlite = new Database(second);
    const chat = busiestChat(sqlite);
    const [shared] = plainMessages(sqlite, chat);
    sqlite.prepare(`UPDATE message SET guid = 'SECOND-MAC-1', text = 'Only the second Mac has the quetzalcoatl', attributedBody = NULL,
      date = date + ? WHERE ROWID = ?`).run(HOUR, shared);
    sqlite.prepare('UPDATE chat_message_join SET message_date = message_date + ? WHERE message_id = ?').run(HOUR, shared);
    sqlite.prepare('CREATE TEMP TABLE reply AS SELECT * FROM message WHERE ROWID = ?').run(shared);
    sqlite.prepare(`UPDATE reply SET ROWID = NULL, guid = 'SECOND-MAC-2', text = 'A reply about the axolotl', date = date + 60000000000,
      thread_originator_guid = 'SECOND-MAC-1', thread_originator_part = '0:0:40'`).run();
    const reply = sqlite.prepare('INSERT INTO message SELECT * FROM reply').run().lastInsertRowid;
    sqlite.prepare('INSERT INTO chat_message_join (chat_id, message_id, message_date) SELECT ?, ROWID, date FROM message WHERE ROWID = ?').run(chat, reply);
    sqlite.close();
    const archive = join(dir, 'archive');
    const result = await runCli(['export', '--db', first, '--db', second, '--out', archive, '--format', 'html', '--attachments', 'none', '--quiet']);
    expect(result.code, result.stderr).toBe(0);

    await openFound(archive, 'quetzalcoatl');
    await expect(page.locator(':target .bubble').textContent()).resolves.toBe('Only the second Mac has the quetzalcoatl');
    await openFound(archive, 'axolotl');
    await page.locator(':target a.reply').click();
    await expect.poll(() => page.locator(':target .bubble').textContent()).toBe('Only the second Mac has the quetzalcoatl');
    const pages = readdirSync(join(archive, 'conversations'), { recursive: true }).map(String).filter((file) => file.endsWith('.html'));
    for (const file of pages) expect(repeatedIds(join(archive, 'conversations', file)), file).toEqual([]);
  });

  it('takes a link saved before a later run added earlier messages to the page that holds its message now', async () => {
    const dir = tempDir('html-links-moved');
    const mac = join(dir, 'mac.db');
    await generateChatDb({ path: mac, messages: 3000, seed: 43, singleConversation: true });
    const archive = join(dir, 'archive');
    const exportFrom = async (...dbs: string[]) => {
      const result = await runCli(['export', ...dbs.flatMap((db) => ['--db', db]), '--out', archive, '--format', 'html', '--attachments', 'none', '--quiet']);
      expect(result.code, result.stderr).toBe(0);
    };
    await exportFrom(mac);
    const [title] = readdirSync(join(archive, 'conversations'));
    const folder = join(archive, 'conversations', title!);
    const saved = messageIds(join(folder, 'p2.html')).at(-1)!;
    // An old Mac's database: 600 messages of the same conversation, ten years before the others.
    const old = join(dir, 'old.db');
    copyFileSync(mac, old);
    const sqlite = new Database(old);
    const kept = plainMessages(sqlite, busiestChat(sqlite)).slice(0, 600);
    sqlite.exec(`DELETE FROM message WHERE ROWID NOT IN (${kept.join(',')});
      DELETE FROM chat_message_join WHERE message_id NOT IN (SELECT ROWID FROM message);
      DELETE FROM message_attachment_join WHERE message_id NOT IN (SELECT ROWID FROM message);
      UPDATE message SET guid = 'OLD-' || guid, thread_originator_guid = NULL, reply_to_guid = NULL, date = date - ${DECADE},
        date_read = MAX(date_read - ${DECADE}, 0), date_delivered = MAX(date_delivered - ${DECADE}, 0);
      UPDATE chat_message_join SET message_date = message_date - ${DECADE};`);
    sqlite.close();
    await exportFrom(mac, old);
    const now = readdirSync(folder).find((file) => file.endsWith('.html') && messageIds(join(folder, file)).includes(saved))!;
    expect(now).not.toBe('p2.html');

    await page.goto(`${pathToFileURL(join(folder, 'p2.html')).href}#${saved}`);
    await page.waitForURL(`${pathToFileURL(join(folder, now)).href}#${saved}`);
    await expect.poll(() => page.locator(':target').getAttribute('id')).toBe(saved);
    // A message gone from the archive: the link stops at the first message after it, on the page of its second.
    const gone = saved.replace(/_.*/, '_gone');
    await page.goto(`${pathToFileURL(join(folder, 'p1.html')).href}#${gone}`);
    await page.waitForURL(`${pathToFileURL(join(folder, now)).href}#${gone}`);
    await expect.poll(() => page.locator(`[id="${saved}"]`).evaluate((message) => Math.round(message.getBoundingClientRect().top))).toBeLessThanOrEqual(64);
    await expect(page.locator(`[id="${saved}"]`).evaluate((message) => message.getBoundingClientRect().top)).resolves.toBeGreaterThanOrEqual(0);
    await expect(page.locator(':target').count()).resolves.toBe(0);
  });
});
