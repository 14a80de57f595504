import { cpSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeAttributedBody } from '../../src/decode/attributed-body.js';
import { encodeSummaryInfo } from '../../src/generate/summary-info.js';
import { tempDir } from '../support/cli.js';
import { pdfText, pdfToolsPresent } from '../pdf/pdf-tools.js';
import { changedDevice, exportFrom, filesOf, generateHistory, transcripts, type History } from './device.js';

/** The text block of the transcripts that says the part was unsent with the text it had then, which no edit changed. */
const UNSENT_UNEDITED = /\[This part of the message was unsent at \d{4}-\d\d-\d\d [\d:]+\]\n {2}Text before it was unsent:\n {6}\d{4}-[^\n]*\n(?! {6})/;

/** The whole archive's text, with every file's lines. */
function archiveText(out: string): string {
  return [...transcripts(out).values()].join('\n');
}

describe('an archive keeps the history of a message that changes between runs', () => {
  let history: History;
  beforeAll(async () => {
    history = await generateHistory(300, 302);
  });

  it('adds an edit seen only in run 2, keeping the text archived in run 1 as an earlier version', async () => {
    const source = new Database(join(history.dir, 'chat.db'), { readonly: true });
    const edited = source.prepare('SELECT ROWID AS id, attributedBody AS body FROM message WHERE date_edited != 0 AND date_retracted = 0 LIMIT 1').get() as { id: number; body: Buffer };
    source.close();
    const current = decodeAttributedBody(edited.body).text;
    const before = changedDevice(history, (db) => {
      db.prepare("UPDATE message SET date_edited = 0, message_summary_info = NULL, attributedBody = NULL, text = 'Words as first archived' WHERE ROWID = ?").run(edited.id);
    });
    const out = join(tempDir('edit'), 'archive');
    await exportFrom(before, out);
    expect(archiveText(out)).toContain('\nWords as first archived\n');
    await exportFrom(history.dir, out);
    const text = archiveText(out);
    // The message now shows the device's text, with the archived one as an earlier version (other messages may share its text).
    expect(text).not.toContain('\nWords as first archived\n');
    const message = text.split('\n\n').find((block) => block.includes('“Words as first archived”'));
    expect(message).toMatch(/\n  ✎ Edited \d{4}-\d\d-\d\d [\d:]+\. Earlier versions:/);
    expect(message).toContain(`${current}\n  ✎ Edited `);
    const store = new Database(join(out, 'textkeeper.sqlite'), { readonly: true });
    expect(store.prepare('SELECT COUNT(*) FROM message_history WHERE body LIKE ?').pluck().get('%Words as first archived%')).toBe(1);
    store.close();
  });

  it('records a message moved to Junk after run 1 as a change, with its earlier revision', async () => {
    const out = join(tempDir('junk-later'), 'archive');
    await exportFrom(history.dir, out, 'txt,html');
    let guid = '';
    const after = changedDevice(history, (db) => {
      const row = db.prepare(`SELECT ROWID AS id, guid FROM message WHERE is_spam = 0 AND is_from_me = 0 AND associated_message_type = 0 AND item_type = 0
        AND text IS NOT NULL ORDER BY ROWID LIMIT 1`).get() as { id: number; guid: string };
      db.prepare('UPDATE message SET is_spam = 1 WHERE ROWID = ?').run(row.id);
      guid = row.guid;
    });
    // It read the conversation as unchanged (its change mark did not see junk), or took the mark as one read anew.
    const run = await exportFrom(after, out, 'txt,html');
    expect(run.stdout).toContain('since the last run: 0 messages added, 1 changed,');
    expect(readFileSync(join(out, 'index.html'), 'utf8')).toContain('0 added, 1 changed,');
    const store = new Database(join(out, 'textkeeper.sqlite'), { readonly: true });
    const earlier = store.prepare('SELECT body FROM message_history WHERE guid = ?').pluck().all(guid) as string[];
    expect(earlier).toHaveLength(1);
    expect(earlier[0]).not.toContain('"junk":');
    expect(store.prepare('SELECT body FROM messages WHERE guid = ?').pluck().get(guid)).toContain('"junk":true');
    store.close();
  });

  it('keeps the text of a message archived in run 1 and unsent before run 2', async () => {
    const source = new Database(join(history.dir, 'chat.db'), { readonly: true });
    const rows = source.prepare(`SELECT ROWID AS id, attributedBody AS body FROM message WHERE is_from_me = 1 AND date_edited = 0
      AND associated_message_type = 0 AND item_type = 0 AND cache_has_attachments = 0 AND balloon_bundle_id IS NULL AND attributedBody IS NOT NULL`).all() as { id: number; body: Buffer }[];
    source.close();
    const chosen = rows.map((r) => ({ id: r.id, text: decodeAttributedBody(r.body).text })).find((r) => r.text.length > 12 && !r.text.includes('\ufffc'))!;
    const out = join(tempDir('unsend'), 'archive');
    await exportFrom(history.dir, out, 'txt,html,pdf');
    expect(archiveText(out)).toContain(`${chosen.text}\n`);
    const after = changedDevice(history, (db) => {
      const at = db.prepare('SELECT date FROM message WHERE ROWID = ?').pluck().get(chosen.id) as number;
      const summary = encodeSummaryInfo({ partRanges: [[0, chosen.text.length]], edits: new Map(), unsentParts: [0] });
      db.prepare('UPDATE message SET text = NULL, attributedBody = NULL, date_edited = ?, date_retracted = ?, message_summary_info = ? WHERE ROWID = ?')
        .run(at + 60e9, at + 60e9, summary, chosen.id);
    });
    await exportFrom(after, out, 'txt,html,pdf,json,csv');
    const keepsIt = () => {
      const text = archiveText(out);
      const unsent = text.search(UNSENT_UNEDITED);
      expect(unsent).toBeGreaterThan(0);
      expect(text.slice(unsent).split('\n\n')[0]).toContain(`“${chosen.text}”`);
    };
    keepsIt();
    // Never unsent after an edit, it reads nowhere as edited: HTML and PDF say what the kept text was too.
    const page = filesOf(out).filter((f) => f.endsWith('.html')).map((f) => readFileSync(join(out, f), 'utf8'))
      .find((html) => html.includes(`</span> ${chosen.text}</li>`))!;
    const message = page.slice(page.lastIndexOf('<li class="msg', page.indexOf(`</span> ${chosen.text}</li>`))).split('</li>\n')[0]!;
    expect(message).toContain('<details class="edits"><summary>Text before it was unsent</summary>');
    expect(message).not.toContain('Edited');
    const record = filesOf(out).filter((f) => f.endsWith('.json')).flatMap((f) => (JSON.parse(readFileSync(join(out, f), 'utf8')) as { messages: { parts: { kind: string }[]; edited: boolean }[] }).messages)
      .find((m) => JSON.stringify(m.parts).includes(JSON.stringify(chosen.text)))!;
    expect(record.parts[0]!.kind).toBe('unsent');
    expect(record.edited).toBe(false);
    if (pdfToolsPresent) {
      const pdf = readdirSync(out).filter((f) => f.endsWith('.pdf')).map((f) => pdfText(join(out, f)).replace(/\s+/g, ' ')).join(' ');
      const escaped = chosen.text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      // The note under it, its reactions (one taken back among them), then the line of its time, delivery and read receipts (no "Edited").
      const [, meta] = new RegExp(`Before it was unsent \\([\\d: -]+\\): ${escaped} (?:.*? )?(\\d\\d:\\d\\d:\\d\\d(?: · \\w+ [\\d:]+)*)`).exec(pdf)!;
      expect(meta).toMatch(/ · Read /);
      expect(meta).not.toContain('Edited');
    }
    expect(readFileSync(join(out, 'SHA256SUMS'), 'utf8')).toMatch(/\.txt\n/);
    // A later run reads its conversation again (another of its messages is gone): the archived text stays.
    const later = tempDir('later');
    cpSync(after, later, { recursive: true });
    const db = new Database(join(later, 'chat.db'));
    const chat = db.prepare('SELECT chat_id FROM chat_message_join WHERE message_id = ?').pluck().get(chosen.id) as number;
    const other = db.prepare('SELECT message_id FROM chat_message_join WHERE chat_id = ? AND message_id != ? LIMIT 1').pluck().get(chat, chosen.id) as number;
    db.prepare('DELETE FROM chat_message_join WHERE message_id = ?').run(other);
    db.prepare('DELETE FROM message WHERE ROWID = ?').run(other);
    db.close();
    await exportFrom(later, out);
    keepsIt();
  });

  it('keeps the text of a message unsent when the device says so only by its date (no summary of its parts)', async () => {
    const source = new Database(join(history.dir, 'chat.db'), { readonly: true });
    const row = source.prepare(`SELECT ROWID AS id, text FROM message WHERE date_edited = 0 AND associated_message_type = 0 AND item_type = 0
      AND cache_has_attachments = 0 AND balloon_bundle_id IS NULL AND length(text) > 12 AND instr(text, char(65532)) = 0 LIMIT 1`).get() as { id: number; text: string };
    source.close();
    const out = join(tempDir('unsend-bare'), 'archive');
    await exportFrom(history.dir, out);
    const after = changedDevice(history, (db) => {
      const at = db.prepare('SELECT date FROM message WHERE ROWID = ?').pluck().get(row.id) as number;
      db.prepare('UPDATE message SET text = NULL, attributedBody = NULL, date_edited = ?, date_retracted = ?, message_summary_info = NULL WHERE ROWID = ?')
        .run(at + 60e9, at + 60e9, row.id);
    });
    await exportFrom(after, out);
    const text = archiveText(out);
    const unsent = text.search(UNSENT_UNEDITED);
    expect(unsent).toBeGreaterThan(0);
    expect(text.slice(unsent).split('\n\n')[0]).toContain(`“${row.text}”`);
  });
});

describe('a chat.db read from another folder (a copy of each quarter in a folder of its own)', () => {
  it('changes no message: a missing attachment shows where this run looked, and no revision is kept for it', async () => {
    const history = await generateHistory(400, 305);
    const out = join(tempDir('moved'), 'archive');
    const first = await exportFrom(history.dir, out);
    expect(first.stdout).toMatch(/\(([1-9]\d*) missing\)/);
    const copy = join(tempDir('moved-copy'), 'quarter-2');
    cpSync(history.dir, copy, { recursive: true });
    const again = await exportFrom(copy, out);
    // It said '0 messages added, 4 changed', and kept a revision of each message with a missing file.
    expect(again.stdout).not.toMatch(/^ {2}since the last run: /m);
    const store = new Database(join(out, 'textkeeper.sqlite'), { readonly: true });
    expect(store.prepare('SELECT COUNT(*) FROM message_history').pluck().get()).toBe(0);
    store.close();
    const missing = archiveText(out).split('\n').filter((line) => line.includes(' — missing — '));
    expect(missing.length).toBeGreaterThan(0);
    for (const line of missing) expect(line).toContain(`(expected at ${join(copy, 'Attachments')}`);
  });
});
