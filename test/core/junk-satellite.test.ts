// A message Messages filed as junk, and one that went over satellite (Messages via satellite), say so in every
// format: a reader of the PDF must not take junk for an ordinary message, nor wonder why a reply took hours.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { generateChatDb } from '../../src/generate/index.js';
import { addMessage, fileOf, makeBase, spoiledCopy } from '../robust/support.js';
import { runCli, tempDir } from '../support/cli.js';
import { readJsonFiles, readNdjson, schemaValidators } from '../data/support.js';
import { pdfText, pdfToolsPresent } from '../pdf/pdf-tools.js';

const count = (text: string, pattern: RegExp) => text.match(pattern)?.length ?? 0;
const allOf = (out: string, ending: string) => readdirSync(out, { recursive: true }).map(String).filter((f) => f.endsWith(ending)).map((f) => readFileSync(join(out, f), 'utf8')).join('\n');

describe('junk and satellite messages', () => {
  it('are marked in txt, HTML, PDF, CSV, JSON and NDJSON, the JSON valid against its schema', async () => {
    const dir = tempDir('junk-satellite');
    const db = join(dir, 'chat.db');
    const summary = await generateChatDb({ path: db, messages: 300, seed: 7 });
    expect([summary.junk, summary.satellite]).toEqual([2, 2]);
    const sqlite = new Database(db, { readonly: true });
    const junk = sqlite.prepare('SELECT guid FROM message WHERE is_spam = 1 ORDER BY guid').pluck().all() as string[];
    const satellite = sqlite.prepare("SELECT guid FROM message WHERE service IN ('iMessageLite', 'SatelliteSMS') ORDER BY guid").pluck().all() as string[];
    sqlite.close();
    const out = join(dir, 'out');
    const result = await runCli(['export', '--db', db, '--out', out, '--format', 'txt,html,pdf,csv,json,ndjson', '--timezone', 'UTC', '--quiet']);
    expect(result.code, result.stderr).toBe(0);

    const validate = schemaValidators();
    const messages = [...readJsonFiles(out).values()].flatMap((file) => {
      expect(validate.conversation(file)).toBe('');
      return file.messages as { guid: string; service: string; junk?: true; satellite?: true }[];
    });
    expect(messages.filter((m) => m.junk).map((m) => m.guid).sort()).toEqual(junk);
    expect(messages.filter((m) => m.satellite).map((m) => m.guid).sort()).toEqual(satellite);
    // chat.db's iMessageLite is iMessage by satellite: the service is named as a reader knows it.
    expect(new Set(messages.filter((m) => m.satellite).map((m) => m.service))).toEqual(new Set(['iMessage']));
    const lines = readNdjson(join(out, 'messages.ndjson'));
    for (const line of lines) expect(validate.message(line)).toBe('');
    expect(lines.filter((m) => m.junk)).toHaveLength(2);

    const txt = allOf(out, '.txt');
    expect(count(txt, /^\[[^\]]+\] [^\n]*\((?:RCS; )?Junk\):$/gm)).toBe(2);
    expect(count(txt, /^\[[^\]]+\] [^\n]* \(iMessage via satellite\):$/gm)).toBe(2);
    const html = allOf(out, '.html');
    expect(count(html, /<div class="meta">[^\n]*? · Junk/g)).toBe(2);
    expect(count(html, /<div class="meta">[^\n]*? · iMessage via satellite/g)).toBe(2);
    const csv = allOf(out, '.csv');
    expect(csv.split('\r\n')[0]).toMatch(/,undelivered,satellite,junk$/);
    expect(count(csv, /,false,true\r\n/g)).toBe(2);
    expect(count(csv, /,true,false\r\n/g)).toBe(2);
    if (pdfToolsPresent) {
      const pdf = readdirSync(out).filter((f) => f.endsWith('.pdf')).map((f) => pdfText(join(out, f))).join('\n');
      expect(count(pdf, /·\s+Junk/g)).toBe(2);
      expect(count(pdf, /iMessage via satellite/g)).toBe(2);
    }
  });

  it('read from a database without is_spam (before it had one), and an SMS over satellite says SMS via satellite', async () => {
    const dir = tempDir('satellite-sms');
    let chat = '';
    const db = spoiledCopy(await makeBase(dir, 30), dir, 'older', (d) => {
      chat = addMessage(d, { text: 'sent from the canyon', service: 'SatelliteSMS' }).chat;
      d.exec('ALTER TABLE message DROP COLUMN is_spam');
    });
    const out = join(dir, 'out');
    const result = await runCli(['export', '--db', db, '--out', out, '--format', 'txt,json', '--chat', chat, '--exact', '--timezone', 'UTC', '--quiet']);
    expect(result.code, result.stderr).toBe(0);
    expect(fileOf(out, '.txt')).toMatch(/\] Me \(SMS via satellite\):\nsent from the canyon\n/);
    expect(fileOf(out, '.txt')).not.toContain('Junk');
    const json = JSON.parse(fileOf(out, '.json')) as { messages: { text: string; service: string; satellite?: true; junk?: true }[] };
    expect(schemaValidators().conversation(json)).toBe('');
    expect(json.messages.filter((m) => m.satellite).map((m) => [m.text, m.service])).toEqual([['sent from the canyon', 'SMS']]);
    expect(json.messages.some((m) => m.junk)).toBe(false);
  });
});
