import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeBody } from '../../src/generate/attributed-body.js';
import { generateChatDb } from '../../src/generate/index.js';
import { runCli, tempDir } from '../support/cli.js';
import { pdfText, pdfToolsPresent, squash } from './pdf-tools.js';

// Texts as recent macOS stores them: in attributedBody, with text NULL.
const TEXTS = {
  // Noto Sans Arabic has no anchor for the dots of an isolated ڥ, nor for a Quranic pause mark on a letter.
  maghrebi: 'ڥ',
  quran: 'لَا رَيْبَۛ فِيهِۛ',
  // Noto Sans Sinhala's no-break space glyph cannot be read.
  sinhala: 'ශ්‍රී\u00a0ලංකා',
  // Noto Sans draws ọ, ẹ, ị, ụ as the letter and a mark below it.
  vietnamese: 'Trường học, chị ấy nói: đẹp quá!',
};

describe.skipIf(!pdfToolsPresent)('a conversation in many scripts exported to PDF', () => {
  const dir = tempDir('pdf-scripts-e2e');
  const db = join(dir, 'chat.db');

  beforeAll(async () => {
    await generateChatDb({ path: db, messages: 40, seed: 5, singleConversation: true });
    const sqlite = new Database(db);
    const plain = sqlite.prepare(`SELECT ROWID FROM message WHERE associated_message_type = 0 AND item_type = 0 AND balloon_bundle_id IS NULL
      AND cache_has_attachments = 0 AND date_edited = 0 AND date_retracted = 0 ORDER BY ROWID`).pluck().all() as number[];
    const setText = sqlite.prepare('UPDATE message SET text = NULL, attributedBody = ? WHERE ROWID = ?');
    Object.values(TEXTS).forEach((text, i) => setText.run(encodeBody([{ text, part: 0 }]).blob, plain[i]));
    sqlite.close();
  });

  const exportPdf = async (style: string): Promise<string> => {
    const out = join(dir, style);
    const result = await runCli(['export', '--db', db, '--out', out, '--format', 'pdf', '--pdf-style', style, '--quiet']);
    expect(result.code, result.stderr).toBe(0);
    return join(out, readdirSync(out).find((f) => f.endsWith('.pdf'))!);
  };

  it.each(['chat', 'transcript'])('(%s) draws Arabic words a face leaves a mark anchor out of, instead of skipping the conversation', async (style) => {
    const extracted = squash(pdfText(await exportPdf(style)));
    for (const text of [TEXTS.maghrebi, TEXTS.quran]) expect(extracted).toContain(squash(text));
  });

  it('gives Vietnamese letters with a dot below back whole when the text is copied or searched', async () => {
    expect(pdfText(await exportPdf('chat')).normalize('NFC')).toContain(TEXTS.vietnamese);
  });

  it('draws a no-break space between Sinhala words, instead of skipping the conversation', async () => {
    expect(pdfText(await exportPdf('chat'))).toContain(TEXTS.sinhala);
  });
});
