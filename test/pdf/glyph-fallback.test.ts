import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, test } from 'vitest';
import { generateChatDb } from '../../src/generate/index.js';
import { runCli, tempDir } from '../support/cli.js';
import { pdfText, pdfToolsPresent, savePng, squash } from './pdf-tools.js';

// Texts that used to come out as U+FFFD: pictographs Twemoji draws but the parser leaves to fonts without
// U+FE0F, sequences, emoji of Unicode 16 and 17, ideographs of CJK Extension B that Cantonese (the HK face has
// them) and Japanese (the JP face) write, and (still drawn as U+FFFD, but copied as themselves) other ideographs
// of Extension B and a musical symbol, which no bundled face or image has: nine kinds in all, more than the warning names.
const TEXTS = [
  'Flying ✈ home ☺ all done ✔',
  'Phoenix 🐦‍🔥 and a lime 🍋‍🟩, head shake 🙂‍↔️',
  'Tired face 🫩 after the trip, an orca \u{1facd} and a trombone \u{1fa8a}',
  'My name has 𠮷 and the fish is 𩸽',
  '佢喺𨋢度等緊，𠵱家落嚟',
  'Treble clef 𝄞 and a sign ∉ ⊄',
  'Rare names: 𠀀 𠀁 𠀂 𠀃 𠀄 𠀅 𠀆 𠀇',
  'Common ones stay: 中文 日本語 한국어 😀 ❤️ © ↔',
];
const NO_GLYPH = ['𝄞', '𠀀', '𠀁'];

/** Extracted text compared without whitespace and bidi marks, which a viewer adds or drops freely. */
const comparable = (value: string) => squash(value.normalize('NFC')).replace(/[\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '');

describe.skipIf(!pdfToolsPresent)('characters without a glyph in the chosen face', () => {
  const dir = tempDir('pdf-glyph-fallback');
  const db = join(dir, 'chat.db');
  let chatGuid: string;

  beforeAll(async () => {
    await generateChatDb({ path: db, messages: 120, seed: 7, conversations: 2 });
    const sqlite = new Database(db);
    chatGuid = sqlite.prepare('SELECT guid FROM chat ORDER BY ROWID LIMIT 1').pluck().get() as string;
    const plain = sqlite.prepare(`SELECT m.ROWID FROM message m JOIN chat_message_join j ON j.message_id = m.ROWID JOIN chat c ON c.ROWID = j.chat_id
      WHERE c.guid = ? AND m.associated_message_type = 0 AND m.item_type = 0 AND m.balloon_bundle_id IS NULL AND m.cache_has_attachments = 0
      AND m.text IS NOT NULL ORDER BY m.ROWID LIMIT ?`).pluck().all(chatGuid, TEXTS.length) as number[];
    expect(plain).toHaveLength(TEXTS.length);
    const update = sqlite.prepare('UPDATE message SET text = ?, attributedBody = NULL WHERE ROWID = ?');
    TEXTS.forEach((text, i) => update.run(text, plain[i]));
    sqlite.close();
  });

  test('are drawn by the bundled face or emoji image that has them; the rest as U+FFFD that copies as the original', async () => {
    const out = join(dir, 'out');
    const result = await runCli(['export', '--db', db, '--out', out, '--format', 'pdf', '--chat', chatGuid, '--quiet', '--no-cover']);
    expect(result.code, result.stderr).toBe(0);
    // Only the characters nothing bundled has are named, and they are all named.
    const warning = result.stderr.split('\n').find((line) => line.includes('no glyph'))!;
    expect(warning).toMatch(/9 kinds of character/);
    for (const drawn of ['🫩', '\u{1facd}', '\u{1fa8a}', '𨋢', '𠵱', '𠮷', '𩸽']) expect(warning).not.toContain(drawn);
    for (const char of NO_GLYPH) expect(warning).toContain(char);
    // The first 8 are named, and "…" says there are more.
    expect(warning).toMatch(/\((\S+ ){8}…\)$/);

    const file = join(out, readdirSync(out).find((name) => name.endsWith('.pdf'))!);
    const extracted = comparable(pdfText(file));
    expect(TEXTS.filter((text) => !extracted.includes(comparable(text)))).toEqual([]);
    expect(extracted).not.toContain('\ufffd');

    // Drawn as images (72 pixels wide): ✈ ☺ ✔, 🐦‍🔥, 🍋‍🟩, 🙂‍↔️, 🫩, the orca, the trombone, and the emoji of the last text.
    const images = execFileSync('pdfimages', ['-list', file], { encoding: 'utf8' }).split('\n').filter((row) => /^\s*\d+\s+\d+\s+image\s+72\s/.test(row));
    expect(images.length).toBeGreaterThanOrEqual(11);
    const page = pdfText(file).split('Tired face')[0]!.split('\f').length;
    savePng(file, 'pdf-glyph-fallback', page);
  });

  test('one kind of character without a glyph is said in the singular', async () => {
    const single = join(dir, 'single.db');
    await generateChatDb({ path: single, messages: 60, seed: 8, conversations: 1 });
    const sqlite = new Database(single);
    sqlite.prepare("UPDATE message SET text = 'Treble clef 𝄞', attributedBody = NULL WHERE ROWID = (SELECT MIN(ROWID) FROM message WHERE text IS NOT NULL AND associated_message_type = 0 AND item_type = 0)").run();
    sqlite.close();
    const result = await runCli(['export', '--db', single, '--out', join(dir, 'out-single'), '--format', 'pdf', '--quiet', '--no-cover']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/: 1 kind of character has no glyph in the bundled fonts or emoji and shows as �, copied and searched as themselves \(𝄞\)$/m);
  });
});
