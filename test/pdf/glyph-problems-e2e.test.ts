// What a PDF does with text its fonts or its layout fail on: never lose the conversation.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateChatDb } from '../../src/generate/index.js';
import { ROOT, runCli, tempDir } from '../support/cli.js';
import { pdfText, pdfToolsPresent, squash } from './pdf-tools.js';

const TEXTS = {
  // Noto Sans Gurmukhi and Malayalam leave a mark's anchor empty in these conjuncts, on which fontkit threw.
  punjabi: 'ਸਤ ਸ੍ਰੀ ਅਕਾਲ, ਪ੍ਰੀਤ',
  malayalam: 'നമസ്കാരം',
  // Keycaps as iOS sends them: a digit, U+FE0F, U+20E3.
  keycaps: '1\ufe0f\u20e3 #\ufe0f\u20e3 *\ufe0f\u20e3 0\ufe0f\u20e3',
};
const FAULT = '⟦fault⟧';
const faulty = { NODE_OPTIONS: `--require ${join(ROOT, 'test', 'support', 'layout-fault.cjs')}` };

/** The database's plain messages (no attachment, edit, app or event), in order. */
function plainMessages(db: string): { rowid: number; chat: number }[] {
  const sqlite = new Database(db, { readonly: true });
  const rows = sqlite.prepare(`SELECT m.ROWID AS rowid, j.chat_id AS chat FROM message m JOIN chat_message_join j ON j.message_id = m.ROWID
    WHERE m.associated_message_type = 0 AND m.item_type = 0 AND m.balloon_bundle_id IS NULL AND m.cache_has_attachments = 0
    AND m.date_edited = 0 AND m.date_retracted = 0 ORDER BY m.ROWID`).all() as { rowid: number; chat: number }[];
  sqlite.close();
  return rows;
}

function setTexts(db: string, texts: [number, string][]): void {
  const sqlite = new Database(db);
  const set = sqlite.prepare('UPDATE message SET text = ?, attributedBody = NULL WHERE ROWID = ?');
  for (const [rowid, text] of texts) set.run(text, rowid);
  sqlite.close();
}

const pdfOf = (out: string): string => join(out, readdirSync(out).find((f) => f.endsWith('.pdf'))!);

describe.skipIf(!pdfToolsPresent)('a PDF whose text the fonts or the layout fail on', () => {
  const dir = tempDir('pdf-glyph-problems');
  const db = join(dir, 'chat.db');
  const contacts = join(dir, 'contacts.vcf');

  beforeAll(async () => {
    await generateChatDb({ path: db, messages: 40, seed: 5, singleConversation: true });
    const plain = plainMessages(db);
    setTexts(db, [[plain[0]!.rowid, TEXTS.punjabi], [plain[1]!.rowid, TEXTS.malayalam], [plain[2]!.rowid, TEXTS.keycaps], [plain[3]!.rowid, `שלום ${FAULT}`]]);
    const sqlite = new Database(db, { readonly: true });
    const handle = sqlite.prepare('SELECT id FROM handle ORDER BY ROWID LIMIT 1').pluck().get() as string;
    sqlite.close();
    writeFileSync(contacts, `BEGIN:VCARD\r\nVERSION:3.0\r\nFN:王小明\r\nTEL:${handle}\r\nEND:VCARD\r\n`);
  });

  it('draws Punjabi and Malayalam conjuncts, and keycaps as emoji that copy with their U+FE0F', async () => {
    const out = join(dir, 'plain');
    const result = await runCli(['export', '--db', db, '--contacts', contacts, '--out', out, '--format', 'pdf', '--quiet']);
    expect(result.code, result.stderr).toBe(0);
    const text = pdfText(pdfOf(out));
    for (const typed of [TEXTS.punjabi, TEXTS.malayalam]) expect(squash(text)).toContain(squash(typed));
    expect(text).toContain(TEXTS.keycaps);
    expect(result.stderr).not.toMatch(/�|no glyph/);
  });

  it('names the senders in the cover chart\'s legend in the fonts that have their letters', async () => {
    const out = join(dir, 'legend');
    expect((await runCli(['export', '--db', db, '--contacts', contacts, '--out', out, '--format', 'pdf', '--quiet'])).code).toBe(0);
    const cover = execFileSync('pdftotext', ['-f', '1', '-l', '1', '-layout', '-enc', 'UTF-8', pdfOf(out), '-'], { encoding: 'utf8' });
    expect(cover).toMatch(/Messages per month \(busiest: \d+\) +Me +王小明/);
  });

  it('draws an emoji in a name in the cover chart\'s legend, with the words after it, and copies it', async () => {
    const out = join(dir, 'legend-emoji');
    const named = join(dir, 'emoji.vcf');
    const handle = /TEL:(.*)\r/.exec(readFileSync(contacts, 'utf8'))![1]!;
    writeFileSync(named, `BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Liam 🎸 Müller\r\nTEL:${handle}\r\nEND:VCARD\r\n`);
    expect((await runCli(['export', '--db', db, '--contacts', named, '--out', out, '--format', 'pdf', '--quiet'])).code).toBe(0);
    const cover = execFileSync('pdftotext', ['-f', '1', '-l', '1', '-layout', '-enc', 'UTF-8', pdfOf(out), '-'], { encoding: 'utf8' });
    expect(cover).toMatch(/Messages per month \(busiest: \d+\) +Me +Liam 🎸 Müller\n/);
  });

  it('shows a message whose layout fails as a note, and writes the PDF', async () => {
    const out = join(dir, 'fault');
    const result = await runCli(['export', '--db', db, '--out', out, '--format', 'txt,pdf', '--quiet'], faulty);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/warning: PDF: a message from .* could not be laid out; a note stands in its place \(a fault put there by the test\)/);
    const text = pdfText(pdfOf(out));
    expect(text).toMatch(/⚠ This message from .* could not be laid out: a fault put there by the test/);
    expect(squash(text)).toContain(squash(TEXTS.malayalam));
  });
});

describe.skipIf(!pdfToolsPresent)('a run whose conversation fails', () => {
  const dir = tempDir('pdf-failed-conversation');
  const db = join(dir, 'chat.db');
  const contacts = join(dir, 'contacts.vcf');
  let handles: string[] = [];

  beforeAll(async () => {
    await generateChatDb({ path: db, messages: 120, seed: 9, conversations: 2 });
    const sqlite = new Database(db, { readonly: true });
    handles = sqlite.prepare(`SELECT h.id FROM handle h JOIN chat_handle_join j ON j.handle_id = h.ROWID GROUP BY j.chat_id ORDER BY j.chat_id`).pluck().all() as string[];
    sqlite.close();
  });

  // The first conversation's contact is named with the fault: its PDF's cover cannot be laid out.
  const failingFirst = (count: number) => {
    const cards = handles.slice(0, count).map((handle, i) => `BEGIN:VCARD\r\nVERSION:3.0\r\nFN:${i === 0 ? `שרה ${FAULT}` : `Ken ${i}`}\r\nTEL:${handle}\r\nEND:VCARD\r\n`);
    writeFileSync(contacts, cards.join(''));
  };

  it('counts only the conversations written in the summary', async () => {
    failingFirst(2);
    const messages = async (name: string, args: string[], env?: Record<string, string>) => {
      const result = await runCli(['export', '--db', db, '--contacts', contacts, '--out', join(dir, name), '--format', 'txt,pdf', '--quiet', ...args], env);
      return { result, count: Number(/Exported [\d,]+ conversations?, ([\d,]+) messages/.exec(result.stdout)![1]!.replace(/,/g, '')) };
    };
    const all = await messages('all', []);
    const failing = await messages('failing', ['--chat', 'שרה']);
    const { result, count } = await messages('one-fails', [], faulty);
    expect(result.code, result.stderr).toBe(3);
    expect(result.stderr).toMatch(/skipped the conversation “שרה ⟦fault⟧”: a fault put there by the test/);
    expect(failing.count).toBeGreaterThan(0);
    expect(count).toBe(all.count - failing.count);
  });

  it('says an archive whose only conversation failed is incomplete (exit 3), and finishes it', async () => {
    failingFirst(1);
    const out = join(dir, 'only-fails');
    const result = await runCli(['export', '--db', db, '--contacts', contacts, '--chat', `שרה`, '--out', out, '--format', 'txt,pdf', '--quiet'], faulty);
    expect(result.code, result.stderr).toBe(3);
    expect(result.stdout).toMatch(/Exported 0 conversations, 0 messages/);
    expect(result.stderr).toMatch(/the archive is incomplete: 1 conversation skipped/);
    expect((await runCli(['verify', out])).code).toBe(0);
  });
});
