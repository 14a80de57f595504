import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { generateInTemp } from './helpers.js';
import type { GeneratedSummary } from '../../src/generate/index.js';
import { decodePollPayload } from '../../src/decode/polls.js';

type Run = Awaited<ReturnType<typeof generateInTemp>>;

describe('generated chat.db covers every feature', () => {
  let run: Run;
  let db: Database.Database;
  const count = (sql: string) => (db.prepare(sql).pluck().get() as number | bigint) ?? 0;
  const n = (sql: string) => Number(count(sql));

  beforeAll(async () => {
    run = await generateInTemp({ messages: 2000, seed: 11 });
    db = new Database(run.dbPath, { readonly: true });
  });
  afterAll(() => {
    db.close();
    run.cleanup();
  });

  it('writes exactly the requested number of messages, each joined to one chat with message_date = date', () => {
    expect(n('SELECT count(*) FROM message')).toBe(2000);
    expect(n('SELECT count(*) FROM chat_message_join j JOIN message m ON m.ROWID = j.message_id WHERE j.message_date = m.date')).toBe(2000);
    expect(run.summary.messages).toBe(2000);
  });

  it('stores about half the bodies as attributedBody only, most others with both, a few as text only', () => {
    const share = n('SELECT count(*) FROM message WHERE text IS NULL') / 2000;
    expect(share).toBeGreaterThanOrEqual(0.4);
    expect(share).toBeLessThanOrEqual(0.6);
    expect(n('SELECT count(*) FROM message WHERE text IS NOT NULL AND attributedBody IS NOT NULL')).toBeGreaterThan(600);
    expect(n('SELECT count(*) FROM message WHERE text IS NOT NULL AND attributedBody IS NULL')).toBeGreaterThan(10);
    expect(run.summary.textNull).toBe(n('SELECT count(*) FROM message WHERE text IS NULL'));
  });

  it('has nanosecond dates over about ten years, above 2^53', () => {
    const min = BigInt(db.prepare('SELECT min(date) FROM message').safeIntegers(true).pluck().get() as bigint);
    const max = BigInt(db.prepare('SELECT max(date) FROM message').safeIntegers(true).pluck().get() as bigint);
    expect(min).toBeGreaterThan(2n ** 53n);
    const years = Number(max - min) / 1e9 / 86400 / 365.25;
    expect(years).toBeGreaterThan(9);
    expect(years).toBeLessThan(11);
    expect(n('SELECT count(*) FROM message WHERE date_read > 0')).toBeGreaterThan(0);
    expect(n('SELECT count(*) FROM message WHERE date_delivered > 0')).toBeGreaterThan(0);
  });

  it('has 1:1 chats over iMessage, SMS and RCS (one person on both SMS and iMessage) and named and unnamed groups', () => {
    expect(n("SELECT count(*) FROM chat WHERE style = 45 AND service_name = 'iMessage'")).toBeGreaterThan(0);
    expect(n("SELECT count(*) FROM chat WHERE style = 45 AND service_name = 'RCS'")).toBeGreaterThan(0);
    expect(n("SELECT count(*) FROM chat a JOIN chat b ON a.chat_identifier = b.chat_identifier AND a.service_name = 'iMessage' AND b.service_name = 'SMS'")).toBe(1);
    expect(n("SELECT count(*) FROM chat WHERE style = 43 AND display_name != ''")).toBeGreaterThan(0);
    expect(n("SELECT count(*) FROM chat WHERE style = 43 AND display_name = ''")).toBeGreaterThan(0);
    expect(n("SELECT count(*) FROM handle WHERE id LIKE '+1555555%'")).toBeGreaterThan(0);
    expect(n("SELECT count(*) FROM handle WHERE id LIKE '%@example.com'")).toBeGreaterThan(0);
    expect(n('SELECT count(*) FROM message WHERE is_from_me = 1 AND handle_id != 0')).toBe(0);
    expect(n('SELECT count(*) FROM (SELECT chat_id FROM chat_handle_join GROUP BY chat_id HAVING count(*) > 2)')).toBeGreaterThan(0);
  });

  it('has every tapback type, removals, part and balloon targets, and reactions from several people in groups', () => {
    for (const type of [2000, 2001, 2002, 2003, 2004, 2005, 2006, 2007]) {
      expect(n(`SELECT count(*) FROM message WHERE associated_message_type = ${type}`), String(type)).toBeGreaterThan(0);
    }
    expect(n('SELECT count(*) FROM message WHERE associated_message_type BETWEEN 3000 AND 3007')).toBeGreaterThan(0);
    expect(n("SELECT count(*) FROM message WHERE associated_message_type = 2006 AND associated_message_emoji IS NOT NULL")).toBe(
      n('SELECT count(*) FROM message WHERE associated_message_type = 2006'),
    );
    expect(n("SELECT count(*) FROM message WHERE associated_message_guid LIKE 'p:_/%'")).toBeGreaterThan(0);
    expect(n("SELECT count(*) FROM message WHERE associated_message_guid LIKE 'p:1/%' OR associated_message_guid LIKE 'p:2/%'")).toBeGreaterThan(0);
    expect(n("SELECT count(*) FROM message WHERE associated_message_guid LIKE 'bp:%'")).toBeGreaterThan(0);
    expect(n('SELECT count(*) FROM message WHERE associated_message_type = 2007 AND cache_has_attachments = 1')).toBeGreaterThan(0);
    // Every add/remove points at a message of the same chat.
    expect(
      n(`SELECT count(*) FROM message t JOIN chat_message_join tj ON tj.message_id = t.ROWID
         WHERE t.associated_message_type != 0 AND NOT EXISTS (
           SELECT 1 FROM message o JOIN chat_message_join oj ON oj.message_id = o.ROWID
           WHERE oj.chat_id = tj.chat_id AND o.guid = substr(t.associated_message_guid, instr(t.associated_message_guid, '/') + 1)
              OR oj.chat_id = tj.chat_id AND 'bp:' || o.guid = t.associated_message_guid)`),
    ).toBe(0);
    expect(
      n(`SELECT max(c) FROM (SELECT count(DISTINCT m.handle_id) c FROM message m JOIN chat_message_join j ON j.message_id = m.ROWID
         JOIN chat ON chat.ROWID = j.chat_id WHERE chat.style = 43 AND m.associated_message_type BETWEEN 2000 AND 2007 GROUP BY j.chat_id)`),
    ).toBeGreaterThan(1);
  });

  it('has replies to earlier messages of the same chat', () => {
    expect(run.summary.replies).toBeGreaterThan(0);
    expect(
      n(`SELECT count(*) FROM message r JOIN chat_message_join rj ON rj.message_id = r.ROWID
         JOIN message o ON o.guid = r.thread_originator_guid JOIN chat_message_join oj ON oj.message_id = o.ROWID
         WHERE oj.chat_id = rj.chat_id AND o.date < r.date AND r.thread_originator_part LIKE '_:%:%' AND r.reply_to_guid IS NOT NULL`),
    ).toBe(run.summary.replies);
  });

  it('has edited and unsent messages with text NULL, date_edited and a summary plist', () => {
    expect(n('SELECT count(*) FROM message WHERE date_edited > 0 AND message_summary_info IS NOT NULL AND text IS NULL')).toBe(
      n('SELECT count(*) FROM message WHERE date_edited > 0'),
    );
    expect(n('SELECT count(*) FROM message WHERE date_edited > 0 AND date_retracted = 0')).toBeGreaterThan(0);
    expect(n('SELECT count(*) FROM message WHERE date_retracted > 0')).toBeGreaterThan(0);
  });

  it('keeps iMessage-only features out of SMS and RCS chats', () => {
    expect(
      n(`SELECT count(*) FROM message m JOIN chat_message_join j ON j.message_id = m.ROWID JOIN chat c ON c.ROWID = j.chat_id
         WHERE c.service_name != 'iMessage' AND (m.expressive_send_style_id IS NOT NULL OR m.date_edited > 0
           OR m.balloon_bundle_id IS NOT NULL OR m.associated_message_type = 2007)`),
    ).toBe(0);
    expect(n("SELECT count(*) FROM message WHERE service = 'SMS' AND thread_originator_guid IS NOT NULL")).toBe(0);
  });

  it('has every expressive send effect', () => {
    for (const id of ['impact', 'loud', 'gentle', 'invisibleink', 'CKConfettiEffect', 'CKFireworksEffect', 'CKLasersEffect', 'CKHappyBirthdayEffect', 'CKHeartEffect', 'CKEchoEffect', 'CKSpotlightEffect', 'CKShootingStarEffect', 'CKSparklesEffect']) {
      expect(n(`SELECT count(*) FROM message WHERE expressive_send_style_id LIKE '%.${id}'`), id).toBeGreaterThan(0);
    }
  });

  it('has every group event, with the member in other_handle for adds and removals, done by someone else', () => {
    for (const [itemType, action] of [[1, 0], [1, 1], [2, 0], [3, 0], [3, 1], [3, 2]]) {
      expect(n(`SELECT count(*) FROM message WHERE item_type = ${itemType} AND group_action_type = ${action}`), `${itemType}/${action}`).toBeGreaterThan(0);
    }
    expect(n('SELECT count(*) FROM message WHERE item_type = 1 AND other_handle = 0')).toBe(0);
    // Someone else adds or removes a member: nobody adds themselves.
    expect(n('SELECT count(*) FROM message WHERE item_type = 1 AND is_from_me = 0 AND handle_id = other_handle')).toBe(0);
    expect(n("SELECT count(*) FROM message WHERE item_type = 2 AND (group_title IS NULL OR group_title = '')")).toBe(0);
  });

  it('has texts in many scripts, emoji sequences, very long and multi-line texts', () => {
    const texts = (db.prepare('SELECT text FROM message WHERE text IS NOT NULL').pluck().all() as string[]).join('\n');
    for (const [name, pattern] of Object.entries({
      cjk: /[\u4e00-\u9fff]/, hangul: /[\uac00-\ud7af]/, hebrew: /[\u0590-\u05ff]/, arabic: /[\u0600-\u06ff]/,
      greek: /[\u0370-\u03ff]/, cyrillic: /[\u0400-\u04ff]/, zwj: /\u200d/, skinTone: /[\u{1f3fb}-\u{1f3ff}]/u, flag: /[\u{1f1e6}-\u{1f1ff}]{2}/u,
    })) {
      expect(pattern.test(texts), name).toBe(true);
    }
    // Long texts may be stored as attributedBody only; the blob holds the whole text.
    expect(n('SELECT max(max(coalesce(length(text), 0), coalesce(length(attributedBody), 0))) FROM message')).toBeGreaterThanOrEqual(5000);
    expect(n("SELECT count(*) FROM message WHERE text LIKE '%' || char(10) || '%'")).toBeGreaterThan(0);
  });

  it('has images (JPEG, PNG, HEIC), audio messages, a video, a PDF, stickers and missing files', () => {
    for (const mime of ['image/jpeg', 'image/png', 'image/heic', 'audio/x-caf', 'video/quicktime', 'application/pdf']) {
      expect(n(`SELECT count(*) FROM attachment WHERE mime_type = '${mime}'`), mime).toBeGreaterThan(0);
    }
    expect(n('SELECT count(*) FROM message WHERE is_audio_message = 1')).toBeGreaterThan(0);
    expect(n('SELECT count(*) FROM attachment WHERE is_sticker = 1 AND sticker_user_info IS NOT NULL')).toBe(n('SELECT count(*) FROM attachment WHERE is_sticker = 1'));
    expect(n('SELECT count(DISTINCT sticker_user_info) FROM attachment')).toBe(3); // user-made, app and genmoji stickers
    expect(n('SELECT count(*) FROM attachment WHERE emoji_image_short_description IS NOT NULL')).toBeGreaterThan(0);
    expect(n("SELECT count(*) FROM attachment WHERE transfer_name = '../../evil.txt'")).toBe(1);
    expect(n("SELECT count(*) FROM attachment WHERE transfer_name GLOB '*[^ -~]*'")).toBeGreaterThan(0);
    expect(n('SELECT count(*) FROM message m JOIN message_attachment_join j ON j.message_id = m.ROWID WHERE m.cache_has_attachments = 0')).toBe(0);
    expect(n('SELECT count(*) FROM message WHERE part_count = 3')).toBeGreaterThan(0);
    expect(run.summary.missingAttachments).toBeGreaterThan(0);
  });

  it('puts every attachment file inside the attachments folder, and each present one is where filename says', () => {
    const rows = db.prepare('SELECT filename, total_bytes FROM attachment').all() as Array<{ filename: string; total_bytes: number }>;
    const prefix = '~/Library/Messages/Attachments/';
    let present = 0;
    for (const { filename, total_bytes } of rows) {
      expect(filename.startsWith(prefix)).toBe(true);
      const local = path.resolve(run.attachmentsDir, filename.slice(prefix.length));
      expect(local.startsWith(run.attachmentsDir + path.sep)).toBe(true);
      if (fs.existsSync(local)) {
        present++;
        expect(fs.statSync(local).size).toBe(total_bytes);
      }
    }
    expect(rows.length - present).toBe(run.summary.missingAttachments);
  });

  it('has URL previews with a rich-link payload, plain links, mentions, styles and text effects', () => {
    expect(n("SELECT count(*) FROM message WHERE balloon_bundle_id = 'com.apple.messages.URLBalloonProvider' AND payload_data IS NOT NULL")).toBeGreaterThan(0);
    const s: GeneratedSummary = run.summary;
    for (const key of ['links', 'mentions', 'styled', 'textEffects', 'urlPreviews', 'longMessages', 'multiLine', 'multiPart'] as const) {
      expect(s[key], key).toBeGreaterThan(0);
    }
  });

  it('has polls in group iMessage chats: the poll with its options, its question, an option added later and votes aimed at it', () => {
    const polls = db.prepare("SELECT guid, payload_data AS payload, ROWID AS id FROM message WHERE balloon_bundle_id LIKE '%com.apple.messages.Polls' AND associated_message_type = 0").all() as { guid: string; payload: Buffer; id: number }[];
    expect(polls.length).toBe(run.summary.polls);
    expect(run.summary.polls).toBeGreaterThan(0);
    for (const poll of polls) {
      expect(decodePollPayload(poll.payload).options.length).toBeGreaterThanOrEqual(3);
      const aimed = db.prepare("SELECT associated_message_type AS type, payload_data AS payload FROM message WHERE substr(associated_message_guid, instr(associated_message_guid, '/') + 1) = ?").all(poll.guid) as { type: number; payload: Buffer }[];
      expect(aimed.filter((row) => row.type === 4000).length).toBeGreaterThan(0);
      for (const row of aimed) expect(row.type === 4000 ? decodePollPayload(row.payload).votes!.length : decodePollPayload(row.payload).options.length).toBeGreaterThan(0);
      // The question follows as a message of its own.
      expect(n(`SELECT count(*) FROM message q JOIN message p ON p.ROWID = ${poll.id}
                WHERE q.ROWID = p.ROWID + 1 AND q.handle_id = p.handle_id AND q.balloon_bundle_id IS NULL AND q.associated_message_type = 0`)).toBe(1);
    }
    expect(n("SELECT count(*) FROM message WHERE associated_message_type = 4000")).toBe(run.summary.pollVotes);
    expect(n("SELECT count(*) FROM message WHERE associated_message_type = 2")).toBe(run.summary.pollOptionsAdded);
    expect(run.summary.pollOptionsAdded).toBeGreaterThan(0);
    expect(n(`SELECT count(*) FROM message m JOIN chat_message_join j ON j.message_id = m.ROWID JOIN chat c ON c.ROWID = j.chat_id
              WHERE m.balloon_bundle_id LIKE '%Polls' AND (c.style != 43 OR c.service_name != 'iMessage')`)).toBe(0);
  });

  it('reports per-conversation expectations that match the database', () => {
    for (const c of run.summary.conversations) {
      expect(n(`SELECT count(*) FROM chat_message_join WHERE chat_id = ${c.chatRowId}`)).toBe(c.rows);
      expect(
        n(`SELECT count(*) FROM message m JOIN chat_message_join j ON j.message_id = m.ROWID WHERE j.chat_id = ${c.chatRowId} AND m.associated_message_type = 0`),
      ).toBe(c.visibleMessages);
      expect(n(`SELECT count(*) FROM chat_handle_join WHERE chat_id = ${c.chatRowId}`)).toBe(c.participants.length);
    }
  });
});

describe('legacy-schema variant', () => {
  let run: Run;
  beforeAll(async () => {
    run = await generateInTemp({ messages: 800, seed: 3, legacySchema: true });
  });
  afterAll(() => run.cleanup());

  it('has no modern columns, dates in seconds since 2001, text on every ordinary message', () => {
    const db = new Database(run.dbPath, { readonly: true });
    const columns = (db.pragma('table_info(message)') as Array<{ name: string }>).map((c) => c.name);
    expect(columns).not.toContain('thread_originator_guid');
    expect(columns).not.toContain('date_edited');
    const maxDate = Number(db.prepare('SELECT max(date) FROM message').pluck().get());
    expect(maxDate).toBeGreaterThan(4e8); // 2013+
    expect(maxDate).toBeLessThan(1e9); // seconds, not nanoseconds
    expect(db.prepare('SELECT count(*) FROM message WHERE text IS NULL AND item_type = 0').pluck().get()).toBe(0);
    expect(db.prepare('SELECT count(*) FROM message').pluck().get()).toBe(800);
    expect(Number(db.prepare('SELECT count(*) FROM message WHERE associated_message_type BETWEEN 2000 AND 2005').pluck().get())).toBeGreaterThan(0);
    expect(Number(db.prepare('SELECT count(*) FROM attachment').pluck().get())).toBeGreaterThan(0);
    // Polls came with macOS 26: none in an old layout.
    expect(db.prepare("SELECT count(*) FROM message WHERE balloon_bundle_id LIKE '%Polls'").pluck().get()).toBe(0);
    db.close();
  });
});

describe('single big conversation with a fixed number of images', () => {
  it('puts every message in one 1:1 chat with exactly the requested images', async () => {
    const run = await generateInTemp({ messages: 1500, seed: 9, singleConversation: true, images: 20 });
    try {
      expect(run.summary.conversations).toHaveLength(1);
      expect(run.summary.conversations[0].isGroup).toBe(false);
      expect(run.summary.conversations[0].rows).toBe(1500);
      expect(run.summary.images).toBe(20);
      expect(run.summary.heicImages).toBe(0);
      // Features keep coming at their usual rate, not only the scheduled first occurrences.
      expect(run.summary.tapbacks).toBeGreaterThan(80);
      expect(run.summary.replies).toBeGreaterThan(30);
      expect(run.summary.edited).toBeGreaterThan(8);
    } finally {
      run.cleanup();
    }
  });
});
