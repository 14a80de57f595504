import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeAttributedBody } from '../../src/decode/attributed-body.js';
import { generateChatDb } from '../../src/generate/index.js';
import { runCli, tempDir } from '../support/cli.js';

interface Expected {
  chatId: number;
  sender: string;
  pieces: string[];
}

interface ExportedFile {
  name: string;
  title: string;
  handles: string;
  /** The file as written. */
  raw: string;
  /** The file with the notes under messages blanked out (same offsets). */
  text: string;
}

/** What the database says, read with plain SQL: every visible message in display order, its chat, sender and text. */
function expectedMessages(dbPath: string): { messages: Expected[]; chats: Map<number, { name: string; handles: string }> } {
  const db = new Database(dbPath, { readonly: true });
  const chats = new Map<number, { name: string; handles: string }>();
  for (const c of db.prepare('SELECT ROWID AS id, display_name AS name FROM chat').all() as { id: number; name: string | null }[]) {
    const handles = (db.prepare('SELECT h.id FROM chat_handle_join j JOIN handle h ON h.ROWID = j.handle_id WHERE j.chat_id = ?').pluck().all(c.id) as string[]).sort();
    chats.set(c.id, { name: c.name ?? '', handles: handles.join(',') });
  }
  const rows = db
    .prepare(
      `SELECT j.chat_id AS chatId, m.text, m.attributedBody AS body, m.is_from_me AS fromMe, h.id AS handle
       FROM chat_message_join j JOIN message m ON m.ROWID = j.message_id LEFT JOIN handle h ON h.ROWID = m.handle_id
       WHERE m.associated_message_type NOT BETWEEN 1000 AND 3999 AND m.item_type = 0 ORDER BY m.date, m.ROWID`,
    )
    .all() as { chatId: number; text: string | null; body: Buffer | null; fromMe: number; handle: string | null }[];
  db.close();
  const messages = rows.map((row) => {
    const text = row.body ? decodeAttributedBody(row.body).text : (row.text ?? '');
    const pieces = text.split('\ufffc').filter((piece) => piece.trim().length > 0);
    return { chatId: row.chatId, sender: row.fromMe ? 'Me' : (row.handle ?? ''), pieces };
  });
  return { messages, chats };
}

function readExport(out: string): ExportedFile[] {
  return readdirSync(out)
    .filter((f) => f.endsWith('.txt'))
    .map((name) => {
      const raw = readFileSync(join(out, name), 'utf8');
      // Notes under a message (indented: replies, edits, tapbacks) quote other texts; blank them out, keeping offsets.
      const text = raw.replace(/^ {2}\S.*$|^ {6}.*$/gm, (line) => ' '.repeat(line.length));
      const title = /^Conversation: (.*)$/m.exec(text)![1]!;
      const participants = /^Participants: (.*)$/m.exec(text)?.[1] ?? '';
      return { name, title, handles: participants.split(', ').sort().join(','), raw, text };
    });
}

/** The heading of the message a text position belongs to: "[date] Sender:" or "[date] Sender (SMS):". */
function senderAt(text: string, position: number): string | undefined {
  const before = text.slice(0, position);
  const headings = [...before.matchAll(/^\[\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\] (.+?)(?: \((?:(?:SMS|RCS|iMessage)(?: via satellite)?(?:; Junk)?|Junk)\))?:$/gm)];
  return headings.at(-1)?.[1];
}

const LATE_SYNCED = 3;

/**
 * Messages stored after newer ones (synced late from iCloud, say): higher row ids, early dates. Each is a
 * copy of a plain text message of some chat, dated just before that chat's first message.
 */
function addLateSyncedMessages(dbPath: string): void {
  const db = new Database(dbPath);
  const chats = db.prepare('SELECT chat_id AS chatId, MIN(message_date) AS first FROM chat_message_join GROUP BY chat_id LIMIT ?').all(LATE_SYNCED) as { chatId: number; first: number }[];
  for (const [i, { chatId, first }] of chats.entries()) {
    const model = db.prepare(
      `SELECT m.ROWID AS id FROM message m JOIN chat_message_join j ON j.message_id = m.ROWID
       WHERE j.chat_id = ? AND m.text IS NOT NULL AND m.associated_message_type = 0 AND m.item_type = 0 AND m.balloon_bundle_id IS NULL
         AND m.thread_originator_guid IS NULL AND m.date_edited = 0 AND m.date_retracted = 0 AND m.cache_has_attachments = 0 LIMIT 1`,
    ).pluck().get(chatId) as number;
    const date = BigInt(first) - 1_000_000_000n;
    const text = `Synced late number ${i}: stored last, sent first`;
    const copy = db.prepare(
      `INSERT INTO message (guid, text, attributedBody, handle_id, is_from_me, service, date, associated_message_type, item_type)
       SELECT 'LATE-SYNCED-' || ?, ?, NULL, handle_id, is_from_me, service, ?, 0, 0 FROM message WHERE ROWID = ?`,
    ).run(i, text, date, model);
    db.prepare('INSERT INTO chat_message_join (chat_id, message_id, message_date) VALUES (?, ?, ?)').run(chatId, copy.lastInsertRowid, date);
  }
  db.close();
}

describe('export --format txt on a generated real-schema database', () => {
  const dir = tempDir('txt');
  const db = join(dir, 'chat.db');
  const out = join(dir, 'out');
  let summary: Awaited<ReturnType<typeof generateChatDb>>;
  let result: Awaited<ReturnType<typeof runCli>>;

  beforeAll(async () => {
    summary = await generateChatDb({ path: db, messages: 3000, seed: 11 });
    addLateSyncedMessages(db);
    result = await runCli(['export', '--db', db, '--out', out, '--format', 'txt', '--quiet']);
  });

  it('succeeds quietly and reports what it did', async () => {
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`, ${(summary.visibleMessages + LATE_SYNCED).toLocaleString('en-US')} messages,`));
    expect(readdirSync(out).some((f) => f.endsWith('.partial'))).toBe(false);
  });

  it('writes every message text into its conversation, in order, under the right sender', async () => {
    const { messages, chats } = expectedMessages(db);
    const files = readExport(out);
    const fileOf = new Map<number, ExportedFile>();
    for (const [chatId, chat] of chats) {
      const file = files.find((f) => (chat.name ? f.title === chat.name : f.handles === chat.handles && !files.some((g) => g !== f && g.title === f.title && g.handles === f.handles)));
      if (messages.some((m) => m.chatId === chatId)) expect(file, `a file for chat ${chatId} (${chat.name || chat.handles})`).toBeDefined();
      if (file) fileOf.set(chatId, file);
    }
    // Chats merged into one file (SMS and iMessage with one person) interleave by date, as the database orders them.
    const position = new Map<ExportedFile, number>();
    let checked = 0;
    for (const message of messages) {
      const file = fileOf.get(message.chatId)!;
      for (const piece of message.pieces) {
        const from = position.get(file) ?? 0;
        const found = file.text.indexOf(piece, from);
        expect(found, `“${piece.slice(0, 60)}” in ${file.name} after offset ${from}`).toBeGreaterThanOrEqual(0);
        expect(senderAt(file.text, found), `sender of “${piece.slice(0, 60)}” in ${file.name}: ${file.text.slice(Math.max(0, found - 300), found + 50)}`).toBe(message.sender);
        position.set(file, found + piece.length);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(2000);
  });

  it('shows tapbacks, replies, edits, unsent parts, effects, group events and attachments', async () => {
    const all = readExport(out).map((f) => f.raw).join('\n');
    expect(all).toMatch(/❤️ Loved by /);
    expect(all).toMatch(/👍 Liked by /);
    expect(all).toMatch(/😂 Laughed at by /);
    expect(all).toMatch(/Sticker.* by /);
    expect(all).toMatch(/↪ Replying to .+ \(\d{4}-\d{2}-\d{2} [\d:]+\): “/);
    expect(all).toMatch(/✎ Edited \d{4}-\d{2}-\d{2} [\d:]+\. Earlier versions:\n {6}\d{4}-/);
    expect(all).not.toContain('✎ Edited.');
    expect(all).toMatch(/\[This part of the message was unsent at \d{4}-\d{2}-\d{2} [\d:]+\]/);
    expect(all).toMatch(/✨ Sent with effect: (Slam|Loud|Gentle|Invisible Ink|Confetti|Fireworks|Lasers|Balloons|Love|Echo|Spotlight|Shooting Star|Celebration)/);
    expect(all).toMatch(/— .+ (named the conversation|added .+ to the conversation|left the conversation|changed the group photo)/);
    expect(all).toMatch(/\[Attachment: .+\.(jpe?g|JPG|png|heic|HEIC) \(image\/(jpeg|png|heic), [\d.]+ KB\) — (\/|in this archive as attachments\/)/);
    expect(all).toMatch(/missing — not on this computer/);
    expect(all).toMatch(/\[Audio message: /);
  });

  it('exports only the conversations and dates asked for', async () => {
    const first = summary.conversations.find((c) => !c.isGroup && c.participants.length === 1)!;
    const handle = first.participants[0]!;
    const filtered = join(dir, 'filtered');
    const r = await runCli(['export', '--db', db, '--out', filtered, '--chat', handle.replace(/^\+1/, '(').replace(/^\((\d{3})/, '($1) '), '--since', '2018-01-01', '--until', '2019-12-31', '--no-progress']);
    expect(r.code).toBe(0);
    // The person's one-to-one conversation and every group they are in, each said on stderr.
    const files = readExport(filtered);
    expect(files.filter((f) => f.handles === handle)).toHaveLength(1);
    expect(files.every((f) => f.handles.split(',').includes(handle))).toBe(true);
    const said = r.stderr.trim().split('\n');
    expect(said).toHaveLength(files.length);
    for (const line of said) expect(line).toMatch(new RegExp(`^selected “.+” \\(.+\\): ${handle.replace('+', '\\+')} takes part$`));
    const days = files.flatMap((f) => [...f.text.matchAll(/^\[(\d{4})-\d{2}-\d{2} /gm)].map((m) => Number(m[1])));
    expect(days.length).toBeGreaterThan(0);
    expect(days.every((year) => year === 2018 || year === 2019)).toBe(true);
  });
});

describe('an older macOS schema (fewer columns, dates in seconds)', () => {
  it('exports without crashing and keeps every message', async () => {
    const dir = tempDir('legacy');
    const db = join(dir, 'chat.db');
    const summary = await generateChatDb({ path: db, messages: 500, seed: 5, legacySchema: true });
    const out = join(dir, 'out');
    const result = await runCli(['export', '--db', db, '--out', out, '--quiet']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`, ${summary.visibleMessages} messages,`);
    const all = readExport(out).map((f) => f.text).join('\n');
    const years = [...all.matchAll(/^\[(\d{4})-/gm)].map((m) => Number(m[1]));
    expect(Math.min(...years)).toBeGreaterThanOrEqual(2010);
    expect(Math.max(...years)).toBeLessThanOrEqual(2026);
  });
});

describe('a malformed blob in one message', () => {
  it('is exported with a visible note, counted, and never stops the export', async () => {
    const dir = tempDir('malformed');
    const db = join(dir, 'chat.db');
    await generateChatDb({ path: db, messages: 400, seed: 13 });
    const sqlite = new Database(db);
    const victims = sqlite.prepare('SELECT ROWID, text FROM message WHERE attributedBody IS NOT NULL AND text IS NOT NULL AND instr(text, char(65532)) = 0 AND balloon_bundle_id IS NULL AND associated_message_type = 0 AND item_type = 0 LIMIT 2').all() as { ROWID: number; text: string }[];
    const header = Buffer.from('040b73747265616d747970656481e803840140', 'hex');
    for (const v of victims) sqlite.prepare('UPDATE message SET attributedBody = ? WHERE ROWID = ?').run(Buffer.concat([header, Buffer.from('garbage that is not an archive')]), v.ROWID);
    const lost = sqlite.prepare('SELECT ROWID FROM message WHERE attributedBody IS NOT NULL AND text IS NULL AND associated_message_type = 0 AND item_type = 0 LIMIT 1').pluck().get() as number;
    sqlite.prepare('UPDATE message SET attributedBody = ? WHERE ROWID = ?').run(Buffer.from([0xde, 0xad, 0xbe, 0xef]), lost);
    sqlite.close();
    const out = join(dir, 'out');
    const result = await runCli(['export', '--db', db, '--out', out, '--quiet']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/, 3 warnings /);
    expect(result.stderr.trim().split('\n')).toHaveLength(3);
    expect(result.stderr).toMatch(/^warning: message .+: Message body was damaged/m);
    const all = readExport(out).map((f) => f.raw).join('\n');
    for (const v of victims) expect(all).toContain(v.text);
    expect(all.match(/⚠ Message body/g)).toHaveLength(3);
    expect(all).toMatch(/⚠ Message body could not be decoded .*its text is lost\./);
  });
});
