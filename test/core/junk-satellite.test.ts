// A message Messages filed as junk, and one that went over satellite (Messages via satellite), say so in every
// format: a reader of the PDF must not take junk for an ordinary message, nor wonder why a reply took hours.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import sharp from 'sharp';
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
    const summary = await generateChatDb({ path: db, messages: 400, seed: 7 });
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
    expect(count(html, /<div class="meta junk">[^\n]*? · Junk/g)).toBe(2);
    expect(count(html, /<div class="meta">[^\n]*? · iMessage via satellite/g)).toBe(2);
    const csv = allOf(out, '.csv');
    expect(csv.split('\r\n')[0]).toMatch(/,undelivered,satellite,junk,owner_handle,kind$/);
    expect(count(csv, /,false,true,[^,\r\n]*,message\r\n/g)).toBe(2);
    expect(count(csv, /,true,false,[^,\r\n]*,message\r\n/g)).toBe(2);
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

describe('a message filed as junk', () => {
  it('has its notes in the alert colour in HTML and in both PDF styles, as one not delivered does', { timeout: 120_000 }, async () => {
    const dir = tempDir('junk-alert');
    const exported = async (spam: number, format: string, extra: string[] = []) => {
      let chat = '';
      const db = spoiledCopy(await makeBase(dir, 30), dir, `junk-${spam}-${format}-${extra.length}`, (d) => {
        chat = addMessage(d, { text: 'win a prize now', is_spam: spam }).chat;
      });
      const out = join(dir, `out-${spam}-${format}-${extra.length}`);
      const result = await runCli(['export', '--db', db, '--out', out, '--format', format, '--chat', chat, '--exact', '--quiet', ...extra]);
      expect(result.code, result.stderr).toBe(0);
      return out;
    };
    const html = await exported(1, 'html');
    expect(fileOf(html, 'p1.html')).toMatch(/win a prize now.*?<div class="meta junk">[^\n]*· Junk/s);
    expect(fileOf(html, 'style.css')).toContain('.meta.junk { color: var(--alert); }');
    if (!pdfToolsPresent) return;
    const alertPixels = async (spam: number, style: string) => {
      const out = await exported(spam, 'pdf', ['--pdf-style', style, '--no-cover']);
      const pdf = join(out, readdirSync(out).find((f) => f.endsWith('.pdf'))!);
      const page = pdfText(pdf).split('\f').findIndex((text) => text.includes('win a prize now')) + 1;
      const png = join(dir, `page-${spam}-${style}`);
      execFileSync('pdftoppm', ['-r', '100', '-f', String(page), '-l', String(page), '-png', '-singlefile', pdf, png]);
      const { data, info } = await sharp(`${png}.png`).removeAlpha().raw().toBuffer({ resolveWithObject: true });
      let reds = 0;
      // #b3261e, the alert colour, give or take the anti-aliasing of small print.
      for (let i = 0; i < info.width * info.height * 3; i += 3) if (data[i]! > 150 && data[i + 1]! < 80 && data[i + 2]! < 80) reds++;
      return reds;
    };
    for (const style of ['chat', 'transcript']) {
      expect(await alertPixels(0, style), style).toBe(0);
      expect(await alertPixels(1, style), style).toBeGreaterThan(20);
    }
  });
});
