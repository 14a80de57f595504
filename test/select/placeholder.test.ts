import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateChatDb } from '../../src/generate/index.js';
import { runCli, tempDir } from '../support/cli.js';
import { pdfText } from '../pdf/pdf-tools.js';
import { readJsonFiles, readNdjson, schemaValidators } from '../data/support.js';

const NOTE = 'Attachment not in the database';

describe('an attachment placeholder (U+FFFC) with no attachment row', () => {
  const dir = tempDir('select-placeholder');
  const db = join(dir, 'chat.db');
  let chatGuid: string;

  beforeAll(async () => {
    await generateChatDb({ path: db, messages: 400, seed: 61 });
    const sqlite = new Database(db);
    // In one conversation: a plain-text body that is only the placeholder, and an attachment message whose row is gone.
    const withFile = sqlite.prepare(`SELECT j.chat_id AS chat, m.ROWID AS id FROM message m JOIN message_attachment_join a ON a.message_id = m.ROWID
      JOIN chat_message_join j ON j.message_id = m.ROWID WHERE m.balloon_bundle_id IS NULL AND m.associated_message_type = 0 ORDER BY m.ROWID LIMIT 1`).get() as { chat: number; id: number };
    const plain = sqlite.prepare(`SELECT m.ROWID FROM message m JOIN chat_message_join j ON j.message_id = m.ROWID WHERE j.chat_id = ? AND m.ROWID != ?
      AND m.associated_message_type = 0 AND m.item_type = 0 AND m.balloon_bundle_id IS NULL AND m.cache_has_attachments = 0 AND m.text IS NOT NULL LIMIT 1`).pluck().get(withFile.chat, withFile.id) as number;
    sqlite.prepare('UPDATE message SET text = ?, attributedBody = NULL WHERE ROWID = ?').run('\ufffc', plain);
    sqlite.prepare('DELETE FROM message_attachment_join WHERE message_id = ?').run(withFile.id);
    chatGuid = sqlite.prepare('SELECT guid FROM chat WHERE ROWID = ?').pluck().get(withFile.chat) as string;
    sqlite.close();
  });

  it('is a visible note in txt, HTML and PDF, never a bare U+FFFC or an empty bubble, and the summary counts it', async () => {
    const out = join(dir, 'out');
    const result = await runCli(['export', '--db', db, '--out', out, '--format', 'txt,html,pdf', '--chat', chatGuid, '--quiet']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/\(\d+ missing, 2 more not in the database\)/);
    const txt = readdirSync(out).find((f) => f.endsWith('.txt'))!;
    const text = readFileSync(join(out, txt), 'utf8');
    expect(text.split(`[${NOTE}`).length - 1).toBe(2);
    expect(text).not.toContain('\ufffc');
    const pages = readdirSync(join(out, 'conversations'), { recursive: true }).map(String).filter((f) => f.endsWith('.html'));
    const html = pages.map((p) => readFileSync(join(out, 'conversations', p), 'utf8')).join('');
    expect(html.split(`<div class="missing">${NOTE}`).length - 1).toBe(2);
    expect(html).not.toContain('\ufffc');
    const pdf = readdirSync(out).find((f) => f.endsWith('.pdf'))!;
    expect(pdfText(join(out, pdf)).replace(/\s+/g, ' ').split(NOTE).length - 1).toBe(2);
  });

  it('is valid against the published schemas in JSON and NDJSON, where the attachment says notInDatabase', async () => {
    const out = join(dir, 'data');
    const result = await runCli(['export', '--db', db, '--out', out, '--format', 'json,ndjson', '--chat', chatGuid, '--quiet']);
    expect(result.code, result.stderr).toBe(0);
    const validate = schemaValidators();
    const lines = readNdjson(join(out, 'messages.ndjson'));
    for (const line of lines) expect(validate.message(line), line.guid).toBe('');
    for (const [stem, file] of readJsonFiles(out)) expect(validate.conversation(file), stem).toBe('');
    expect(JSON.stringify(lines).split('"notInDatabase":true').length - 1).toBe(2);
  });

  it('is named in the CSV attachments column as not in the database, not as a missing file', async () => {
    const out = join(dir, 'csv');
    const result = await runCli(['export', '--db', db, '--out', out, '--format', 'csv', '--chat', chatGuid, '--quiet']);
    expect(result.code, result.stderr).toBe(0);
    const csv = readdirSync(out).find((f) => f.endsWith('.csv'))!;
    const rows = parse(readFileSync(join(out, csv)), { bom: true, columns: true }) as Record<string, string>[];
    expect(rows.filter((row) => row.attachments!.startsWith(NOTE))).toHaveLength(2);
  });
});
