// A sticker placed as a reaction carries a file as a photo does: one that is missing (offloaded to iCloud, never
// downloaded) or not copied is said so in txt, HTML and PDF, with what the sticker was, and counted among the
// run's attachments; a missing sticker's PDF box says where it came from, as the txt does (media review, defect 3).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import * as plist from 'plist';
import { describe, expect, it } from 'vitest';
import { addAttachment, addMessage, smallChat } from '../robust/support.js';
import { ROOT, runCli, tempDir } from '../support/cli.js';

const SAMPLE = join(ROOT, 'sample-data');
const MISSING_GENMOJI = 'Sticker (genmoji.png — Genmoji — “red heart with a white outline” — missing, not on this computer) by Me';
const MEMOJI = bplist({ pid: 'com.apple.Animoji.StickersApp.MessagesExtension' });

function bplist(value: plist.PlistValue): Buffer {
  return Buffer.from(plist.buildBinary(value));
}

const squash = (text: string) => text.replace(/\s+/g, '');
const pdfText = (path: string, pages: string[] = []) => execFileSync('pdftotext', [...pages, path, '-'], { encoding: 'utf8' });

/** The sample's attachment rows, and how many of their files are not beside its chat.db: what the run must count. */
function sampleFiles(): { rows: number; absent: number; absentReactions: number } {
  const db = new Database(join(SAMPLE, 'chat.db'), { readonly: true });
  try {
    const files = db.prepare(`SELECT a.filename, m.associated_message_type AS type FROM attachment a
      JOIN message_attachment_join j ON j.attachment_id = a.ROWID JOIN message m ON m.ROWID = j.message_id`).all() as { filename: string; type: number }[];
    const absent = files.filter((f) => !existsSync(join(SAMPLE, f.filename.replace('~/Library/Messages/', ''))));
    return { rows: files.length, absent: absent.length, absentReactions: absent.filter((f) => f.type === 1000 || f.type === 2007).length };
  } finally {
    db.close();
  }
}

describe('a sticker reaction whose file is not in the archive', () => {
  it('is counted with the attachments, and among the missing, in the run\'s summary', async () => {
    const { rows, absent, absentReactions } = sampleFiles();
    expect(absentReactions).toBe(1);
    const out = join(tempDir('sticker-counts'), 'out');
    const result = await runCli(['export', '--db', join(SAMPLE, 'chat.db'), '--contacts', join(SAMPLE, 'contacts.vcf'), '--out', out, '--no-progress']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(` ${rows} attachments (${absent} missing), `);
  });

  it('is said missing, with its description, in txt, HTML and PDF; the PDF cover counts it', async () => {
    const out = join(tempDir('sticker-said'), 'out');
    const result = await runCli(['export', '--db', join(SAMPLE, 'chat.db'), '--contacts', join(SAMPLE, 'contacts.vcf'), '--chat', 'Elif Novak', '--out', out,
      '--format', 'txt,html,pdf', '--timezone', 'UTC', '--quiet']);
    expect(result.code, result.stderr).toBe(0);
    expect(readFileSync(join(out, 'Elif Novak.txt'), 'utf8')).toContain(`\n  ${MISSING_GENMOJI}\n`);

    const page = readFileSync(join(out, 'conversations', 'Elif Novak', 'p1.html'), 'utf8');
    const badge = /<span class="tapback"[^>]*title="You stuck a sticker on this[^"]*">.*?<\/span><\/span>/.exec(page)?.[0];
    expect(badge).toContain('· genmoji.png — Genmoji — “red heart with a white outline” — missing, not on this computer"');
    expect(badge).toContain('<span class="absent">sticker missing</span><bdi class="who">Me</bdi>');

    const pdf = join(out, 'Elif Novak.pdf');
    expect(squash(pdfText(pdf))).toContain(squash('Sticker from Me (genmoji.png — Genmoji — “red heart with a white outline” — missing: not on this computer)'));
    expect(squash(pdfText(pdf, ['-f', '1', '-l', '1']))).toContain(squash('Attachments 6 (1 missing: not on this computer)'));
  });

  it('not copied, is said so in txt and PDF and counted as not copied; a missing Memoji sticker\'s PDF box says it is one', async () => {
    const { dir, db, chat } = await smallChat('sticker-withheld', (d) => {
      addAttachment(d, { filename: '~/Library/Messages/Attachments/mm/MEMOJI-1/memoji.heic', transfer_name: 'memoji.heic', mime_type: 'image/heic', total_bytes: 2_300_000, is_sticker: 1, sticker_user_info: MEMOJI });
      const { guid } = addMessage(d, { text: 'what a day' });
      const { guid: reaction } = addMessage(d, { text: null, associated_message_type: 2007, associated_message_guid: `p:0/${guid}`, associated_message_range_length: 10, cache_has_attachments: 1 });
      const message = d.prepare('SELECT ROWID FROM message WHERE guid = ?').pluck().get(reaction) as number;
      const id = d.prepare("INSERT INTO attachment (guid, original_guid, filename, transfer_name, mime_type, total_bytes, is_sticker, sticker_user_info) VALUES ('BIG-STICKER', 'BIG-STICKER', ?, 'big.png', 'image/png', 5000000, 1, ?)")
        .run('~/Library/Messages/Attachments/bb/BIG-STICKER/big.png', MEMOJI).lastInsertRowid;
      d.prepare('INSERT INTO message_attachment_join (message_id, attachment_id) VALUES (?, ?)').run(message, id);
    });
    const big = join(dirname(db), 'Attachments', 'bb', 'BIG-STICKER', 'big.png');
    mkdirSync(dirname(big), { recursive: true });
    writeFileSync(big, Buffer.alloc(5_000_000));
    const out = join(dir, 'out');
    const result = await runCli(['export', '--db', db, '--out', out, '--format', 'txt,pdf', '--chat', chat, '--exact', '--timezone', 'UTC', '--no-progress', '--max-attachment-size', '4MB']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/ attachments \(1 missing, 1 not copied: over --max-attachment-size\), /);

    const text = readFileSync(join(out, readdirSync(out).find((f) => f.endsWith('.txt'))!), 'utf8');
    expect(text).toContain(`  Sticker (big.png — Memoji — 4.8 MB, over --max-attachment-size 4.0 MB, not copied (${big})) by Me\n`);
    expect(text).toContain('[Sticker: memoji.heic (image/heic, 2.2 MB) — sticker (Memoji) — missing — not on this computer');
    const pages = squash(pdfText(join(out, readdirSync(out).find((f) => f.endsWith('.pdf'))!)));
    expect(pages).toContain(squash(`Sticker from Me (big.png — Memoji — not included: 4.8 MB, over --max-attachment-size 4.0 MB, not copied (${big}))`));
    expect(pages).toContain(squash('memoji.heic Sticker (Memoji) · image/heic · 2.2 MB Missing: the file is not on this computer'));
  });
});
