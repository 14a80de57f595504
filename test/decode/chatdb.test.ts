// Conformance: the blobs of the real chat.db (SCHEMA.md §2.9), read from a temporary copy so the
// fixture is never opened for writing.
import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bodyComponents, decodeAttributedBody } from '../../src/decode/attributed-body.js';
import { stickerEffect, stickerSource } from '../../src/decode/sticker.js';
import { decodeSummaryInfo } from '../../src/decode/summary-info.js';
import { decodeUrlPreview } from '../../src/decode/url-preview.js';
import { componentsAsManifest, expectedComponents, fixtureBytes, fixturesPresent, fixturesRoot, manifestCases } from './fixtures.js';

interface MessageRow { ROWID: number; attributedBody: Buffer | null; message_summary_info: Buffer | null; payload_data: Buffer | null }
interface AttachmentRow { ROWID: number; sticker_user_info: Buffer | null; attribution_info: Buffer | null; emoji_image_short_description: string | null }

describe.skipIf(!fixturesPresent)('chat.db fixture', () => {
  const expected = manifestCases('chatdb')[0]?.expect;
  let tempDir: string;
  let messages: Map<number, MessageRow>;
  let attachments: Map<number, AttachmentRow>;

  beforeAll(() => {
    tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'textkeeper-decode-'));
    const copy = path.join(tempDir, 'chat.db');
    fs.copyFileSync(path.join(fixturesRoot, 'apple/db/test.db'), copy);
    const db = new Database(copy, { readonly: true, fileMustExist: true });
    messages = new Map((db.prepare('SELECT ROWID, attributedBody, message_summary_info, payload_data FROM message').all() as MessageRow[]).map((r) => [r.ROWID, r]));
    attachments = new Map(
      (db.prepare('SELECT ROWID, sticker_user_info, attribution_info, emoji_image_short_description FROM attachment').all() as AttachmentRow[]).map((r) => [r.ROWID, r]),
    );
    db.close();
  });
  afterAll(() => fs.rmSync(tempDir, { recursive: true, force: true }));

  it('decodes both message bodies', () => {
    expect(expected.messages).toHaveLength(2);
    for (const m of expected.messages) {
      const body = decodeAttributedBody(messages.get(m.rowid)!.attributedBody!);
      expect(body.text).toBe(m.body_text);
      expect(componentsAsManifest(bodyComponents(body))).toEqual(expectedComponents(m.body_components));
    }
  });

  it('decodes the summary info of both messages (no parts recorded)', () => {
    for (const m of expected.messages) {
      expect(m.message_summary_info).toEqual({ amc: 0, ust: true });
      expect(decodeSummaryInfo(messages.get(m.rowid)!.message_summary_info!)).toEqual({ partCount: 0, parts: new Map() });
    }
  });

  it('decodes the link preview in payload_data', () => {
    const m = expected.messages.find((x: { has_payload_data: boolean }) => x.has_payload_data);
    const preview = decodeUrlPreview(messages.get(m.rowid)!.payload_data!);
    const e = m.payload_url_preview;
    expect({
      title: preview.title, summary: preview.summary, url: preview.url, original_url: preview.originalUrl, item_type: preview.itemType,
      images: preview.images, icons: preview.icons, site_name: preview.siteName, placeholder: preview.placeholder,
    }).toEqual(e);
    expect(preview.kind).toBe('normal');
  });

  it('classifies the three stickers', () => {
    for (const a of expected.asserted.sticker_source_by_attachment_rowid) {
      const row = attachments.get(a.rowid)!;
      const source = stickerSource(row.sticker_user_info ?? undefined, row.attribution_info ?? undefined, row.emoji_image_short_description ?? undefined);
      expect(source?.source).toBe(a.source === 'app' ? a.app_name : a.source);
      if (a.source === 'genmoji') expect(source?.description).toBe('pink poodle');
      if (a['effect_when_file_is_stickers/outline.heic']) {
        expect(stickerEffect(fixtureBytes('stickers/outline.heic'))).toBe(a['effect_when_file_is_stickers/outline.heic']);
      }
    }
  });
});
