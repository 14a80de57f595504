// The generated blobs read back through the project's own decoders.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import decodeHeic from 'heic-decode';
import { decodeAttributedBody } from '../../src/decode/attributed-body.js';
import { decodeSummaryInfo } from '../../src/decode/summary-info.js';
import { decodeUrlPreview } from '../../src/decode/url-preview.js';
import * as plist from 'plist';
import { encodeBody, OBJECT_REPLACEMENT } from '../../src/generate/attributed-body.js';
import { generateInTemp } from './helpers.js';
import { repoRoot } from './fixtures.js';

type Run = Awaited<ReturnType<typeof generateInTemp>>;

describe('encoder → decoder round trip', () => {
  it('keeps text, parts, mentions, links, styles, effects and attachment attributes', () => {
    const { text, blob } = encodeBody([
      { text: 'Hi ', part: 0 },
      { text: 'Noor', part: 0, mention: '+15555550113' },
      { text: ' see ', part: 0, styles: ['bold', 'underline'] },
      { text: 'https://example.com/a', part: 0, link: 'https://example.com/a' },
      { text: 'wow', part: 0, effect: 'jitter' },
      { text: OBJECT_REPLACEMENT, part: 1, attachment: { guid: 'ABC-1', filename: 'IMG_1.HEIC' } },
      { text: '👨‍👩‍👧‍👦 שלום', part: 2 },
    ]);
    const body = decodeAttributedBody(blob);
    expect(body.text).toBe(text);
    const at = (s: string) => body.runs.find((r) => body.text.slice(r.start, r.end) === s)!.attributes;
    expect(at('Noor').get('__kIMMentionConfirmedMention')).toBe('+15555550113');
    expect([...at(' see ').keys()]).toEqual(['__kIMTextBoldAttributeName', '__kIMTextUnderlineAttributeName', '__kIMMessagePartAttributeName']);
    expect(JSON.stringify(at('https://example.com/a').get('__kIMLinkAttributeName'))).toContain('https://example.com/a');
    expect(at(OBJECT_REPLACEMENT).get('__kIMFileTransferGUIDAttributeName')).toBe('ABC-1');
    expect(at(OBJECT_REPLACEMENT).get('__kIMFilenameAttributeName')).toBe('IMG_1.HEIC');
    expect(body.runs.at(-1)!.end).toBe(text.length);
  });
});

describe('generated database blobs decode', () => {
  let run: Run;
  let db: Database.Database;
  beforeAll(async () => {
    run = await generateInTemp({ messages: 1500, seed: 21 });
    db = new Database(run.dbPath, { readonly: true });
  });
  afterAll(() => {
    db.close();
    run.cleanup();
  });

  it('every attributedBody decodes strictly, to the text column when both are stored', () => {
    const rows = db.prepare('SELECT text, attributedBody FROM message WHERE attributedBody IS NOT NULL').all() as Array<{ text: string | null; attributedBody: Buffer }>;
    expect(rows.length).toBeGreaterThan(700);
    for (const row of rows) {
      const body = decodeAttributedBody(row.attributedBody);
      if (row.text !== null) expect(body.text).toBe(row.text);
    }
  });

  it('attachment runs name the attachment joined to the message', () => {
    const rows = db
      .prepare(`SELECT m.attributedBody body, a.guid guid FROM message m JOIN message_attachment_join j ON j.message_id = m.ROWID
                JOIN attachment a ON a.ROWID = j.attachment_id WHERE m.attributedBody IS NOT NULL`)
      .all() as Array<{ body: Buffer; guid: string }>;
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      const guids = decodeAttributedBody(row.body).runs.map((r) => r.attributes.get('__kIMFileTransferGUIDAttributeName'));
      expect(guids).toContain(row.guid);
    }
  });

  it('edit histories decode oldest first, ending with the current text; unsent parts are reported', () => {
    const rows = db.prepare('SELECT attributedBody, message_summary_info, date_retracted FROM message WHERE date_edited > 0').all() as Array<{
      attributedBody: Buffer | null; message_summary_info: Buffer; date_retracted: number | bigint;
    }>;
    let edited = 0;
    let unsent = 0;
    for (const row of rows) {
      const info = decodeSummaryInfo(row.message_summary_info);
      const raw = plist.parse(row.message_summary_info) as { ec?: Record<string, Array<{ d: number }>> };
      for (const events of Object.values(raw.ec ?? {})) {
        for (const { d } of events) expect(Number.isInteger(d)).toBe(false); // a real, as Apple writes it
      }
      for (const part of info.parts.values()) {
        if (part.status === 'unsent') unsent++;
        if (part.history.length === 0) continue;
        const dates = part.history.map((e) => e.date.getTime());
        expect([...dates].sort((a, b) => a - b)).toEqual(dates);
        if (part.status === 'edited') {
          edited++;
          expect(decodeAttributedBody(row.attributedBody!).text).toBe(part.history.at(-1)!.text);
        }
      }
      if (Number(row.date_retracted) > 0) expect([...info.parts.values()].some((p) => p.status === 'unsent')).toBe(true);
    }
    expect(edited).toBeGreaterThan(0);
    expect(unsent).toBeGreaterThan(0);
  });

  it('URL previews decode to their title, site and URL', () => {
    const payloads = db.prepare("SELECT text, attributedBody, payload_data FROM message WHERE balloon_bundle_id = 'com.apple.messages.URLBalloonProvider'").all() as Array<{ payload_data: Buffer }>;
    expect(payloads.length).toBeGreaterThan(0);
    for (const { payload_data } of payloads) {
      const preview = decodeUrlPreview(payload_data);
      expect(preview.kind).toBe('normal');
      expect(preview.rootClass).toBe('RichLink');
      expect(preview.title).toBeTruthy();
      expect(preview.siteName).toBeTruthy();
      expect(preview.url).toMatch(/^https:\/\/[a-z.]*example\.(com|org|net)\//);
    }
  });
});

describe('media pool files are real files of their type', () => {
  const assets = path.join(repoRoot, 'src/generate/assets');

  it('HEIC assets decode with the project’s HEIC decoder', async () => {
    for (const [name, width] of [['photo.heic', 480], ['sticker.heic', 200]] as const) {
      const image = await decodeHeic({ buffer: fs.readFileSync(path.join(assets, name)) });
      expect(image.width, name).toBe(width);
    }
  });

  it('the video is a QuickTime movie', () => {
    const head = fs.readFileSync(path.join(assets, 'clip.mov')).subarray(0, 12);
    expect(head.toString('latin1', 4, 8)).toBe('ftyp');
  });
});
