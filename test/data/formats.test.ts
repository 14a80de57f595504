import { copyFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateChatDb } from '../../src/generate/index.js';
import type { ArchiveStats } from '../../src/stats/archive-stats.js';
import { visibleControls } from '../../src/render/control-pictures.js';
import { runCli, tempDir } from '../support/cli.js';
import { addTextMessage, expectedTexts, readJsonFiles, readNdjson, schemaValidators, type MessageLine } from './support.js';

/** A message of the owner's worded as a group event is: still a message. */
const LIKE_AN_EVENT = 'You left the conversation.';

describe('export --format json,ndjson,csv on a generated real-schema database', () => {
  const dir = tempDir('data-formats');
  const db = join(dir, 'chat.db');
  const out = join(dir, 'out');
  let result: ReturnType<typeof runCli>;
  let lines: MessageLine[];

  beforeAll(async () => {
    await generateChatDb({ path: db, messages: 2000, seed: 71 });
    addTextMessage(db, LIKE_AN_EVENT);
    addTextMessage(db, 'She said "fine, then",\r\nand left');
    const sqlite = new Database(db);
    sqlite.prepare('UPDATE message SET subject = ? WHERE ROWID = (SELECT MAX(ROWID) FROM message)').run('Re: Rent');
    sqlite.close();
    result = await runCli(['export', '--db', db, '--out', out, '--format', 'txt,json,ndjson,csv', '--timezone', 'America/New_York', '--quiet']);
    lines = readNdjson(join(out, 'messages.ndjson'));
  });

  it('succeeds and leaves no part files behind', async () => {
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const exported = Number(/, ([\d,]+) messages,/.exec(result.stdout)![1]!.replace(/,/g, ''));
    expect(lines).toHaveLength(exported);
    expect(readdirSync(out).filter((f) => f.startsWith('.') || f.endsWith('.partial'))).toEqual([]);
  });

  it('carries every message text of the database, once', async () => {
    const expected = expectedTexts(db);
    const byGuid = new Map(lines.map((l) => [l.guid, l]));
    expect(byGuid.size).toBe(lines.length);
    let checked = 0;
    for (const [guid, pieces] of expected) {
      const line = byGuid.get(guid);
      expect(line, `message ${guid}`).toBeDefined();
      for (const piece of pieces) {
        expect(line!.text, guid).toContain(piece);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(1500);
  });

  it('is valid against the published schemas', async () => {
    const validate = schemaValidators();
    for (const line of lines) expect(validate.message(line), line.guid).toBe('');
    const files = readJsonFiles(out);
    expect(files.size).toBeGreaterThan(3);
    for (const [stem, file] of files) expect(validate.conversation(file), stem).toBe('');
  });

  it('writes each conversation’s messages in order, the same in the .json file and in messages.ndjson', async () => {
    for (const [stem, file] of readJsonFiles(out)) {
      expect(file.messages.length, stem).toBe(file.conversation.messageCount);
      expect(file.messages).toEqual(lines.filter((l) => l.conversationId === file.conversation.id));
      const dates = file.messages.map((m) => BigInt(m.appleDate));
      expect(dates.every((d, i) => i === 0 || d >= dates[i - 1]!), stem).toBe(true);
      for (const m of file.messages) expect(new Date(m.date).getTime(), m.guid).toBe(Number((BigInt(m.appleDate) + 978_307_200_000_000_000n) / 1_000_000n));
    }
  });

  it('gives each message’s appleDate as the database stores it, to the nanosecond', async () => {
    const sqlite = new Database(db, { readonly: true });
    const stored = new Map(sqlite.prepare('SELECT guid, date FROM message').safeIntegers(true).raw(true).all() as [string, bigint][]);
    sqlite.close();
    const belowMs = lines.filter((l) => BigInt(l.appleDate) % 1_000_000n !== 0n);
    expect(belowMs.length).toBeGreaterThan(lines.length / 2);
    for (const l of lines) expect(l.appleDate, l.guid).toBe(String(stored.get(l.guid)));
  });

  it('writes message texts exactly as the txt export does', async () => {
    for (const [stem, file] of readJsonFiles(out)) {
      const txt = readFileSync(join(out, `${stem}.txt`), 'utf8');
      // The txt export shows control characters as pictures; the data formats keep them as they are.
      for (const m of file.messages) for (const line of visibleControls(m.text).split('\n')) expect(txt, `${stem}: ${m.guid}`).toContain(line);
    }
  });

  it('writes CSV that a standard CSV parser reads back to the same values', async () => {
    const files = readJsonFiles(out);
    for (const [stem, file] of files) {
      const raw = readFileSync(join(out, `${stem}.csv`));
      expect([...raw.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const rows = parse(raw, { bom: true, columns: true, relax_column_count: false }) as Record<string, string>[];
      expect(rows).toHaveLength(file.messages.length);
      for (const [i, m] of file.messages.entries()) {
        const row = rows[i]!;
        expect(row.guid).toBe(m.guid);
        expect(row.date).toBe(m.date);
        expect(row.sender_name).toBe(m.sender.name);
        expect(row.sender_handle).toBe(m.sender.handle);
        expect(row.from_me).toBe(String(m.isFromMe));
        expect(row.service).toBe(m.service);
        expect(row.text).toBe(m.text);
        expect(row.edited).toBe(String(m.edited));
        expect(row.unsent).toBe(String(m.parts.some((p) => p.kind === 'unsent')));
        expect(row.reply_to).toBe(m.replyTo?.guid ?? '');
        expect(row.reactions === '').toBe(m.parts.every((p) => p.tapbacks.length === 0));
        expect(row.subject).toBe(m.subject ?? '');
        expect(row.effect).toBe(m.effect ?? '');
        expect(row.satellite).toBe(String(m.satellite ?? false));
        expect(row.junk).toBe(String(m.junk ?? false));
        expect(row.owner_handle).toBe(m.ownerHandle ?? '');
        expect(row.kind).toBe(m.kind);
      }
    }
    // The subject and the send effect come after the columns the earlier versions wrote, which keep their places.
    const header = readFileSync(join(out, `${[...files.keys()][0]}.csv`), 'utf8').split('\r\n')[0];
    expect(header).toBe('\ufeffdate,sender_name,sender_handle,from_me,service,text,attachments,reactions,reply_to,edited,unsent,guid,not_on_device_since,subject,effect,damaged_sources,undelivered,satellite,junk,owner_handle,kind');
    const messages = [...files.values()].flatMap((f) => f.messages);
    expect(messages.filter((m) => m.subject).map((m) => m.subject)).toEqual(['Re: Rent']);
    expect(messages.some((m) => m.effect)).toBe(true);
    const texts = [...files.values()].flatMap((f) => f.messages.map((m) => m.text));
    // The data must exercise quoting: commas, quotes and line breaks inside a field.
    for (const special of [',', '"', '\n', '\r\n']) expect(texts.some((t) => t.includes(special)), JSON.stringify(special)).toBe(true);
  });

  it('tells group events from messages in CSV (kind), so that its counts per sender are those of stats', async () => {
    const result = await runCli(['stats', '--db', db, '--json', '--no-progress']);
    expect(result.stderr).toBe('');
    const counted = new Map((JSON.parse(result.stdout) as ArchiveStats).conversations.map((c) => [c.conversation.id, c.stats]));
    let events = 0;
    for (const [stem, file] of readJsonFiles(out)) {
      const rows = parse(readFileSync(join(out, `${stem}.csv`)), { bom: true, columns: true }) as Record<string, string>[];
      const stats = counted.get(file.conversation.id)!;
      const bySender: Record<string, number> = {};
      for (const row of rows.filter((r) => r.kind === 'message')) bySender[row.sender_handle!] = (bySender[row.sender_handle!] ?? 0) + 1;
      expect(bySender, stem).toEqual(Object.fromEntries(stats.people.filter((p) => p.messages > 0).map((p) => [p.handle, p.messages])));
      expect(rows.filter((r) => r.kind === 'event'), stem).toHaveLength(stats.events);
      events += stats.events;
      for (const row of rows.filter((r) => r.text === LIKE_AN_EVENT)) expect(row.kind, row.guid).toBe('message');
    }
    expect(events).toBeGreaterThan(10);
    expect(lines.filter((l) => l.text === LIKE_AN_EVENT).map((l) => l.kind)).toEqual(['message']);
  });
});

/** Every attachment of these records, wherever it sits. */
function filesIn(value: unknown): { path?: string; missing: boolean }[] {
  if (Array.isArray(value)) return value.flatMap(filesIn);
  if (value === null || typeof value !== 'object') return [];
  const found = 'fileName' in value && 'missing' in value ? [value as { path?: string; missing: boolean }] : [];
  return [...found, ...Object.values(value).flatMap(filesIn)];
}

describe('data formats with options and filters', () => {
  const dir = tempDir('data-options');
  const db = join(dir, 'chat.db');

  beforeAll(async () => {
    await generateChatDb({ path: db, messages: 400, seed: 72 });
  });

  it('--csv-bom false leaves the byte order mark out', async () => {
    const out = join(dir, 'no-bom');
    expect((await runCli(['export', '--db', db, '--out', out, '--format', 'csv', '--csv-bom', 'false'])).code).toBe(0);
    const files = readdirSync(out).filter((f) => f.endsWith('.csv'));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) expect(readFileSync(join(out, f), 'utf8').startsWith('date,sender_name,'), f).toBe(true);
  });

  it('--csv-formulas quote starts a cell a spreadsheet would run as a formula with an apostrophe; by default every text is exact', async () => {
    const copy = join(dir, 'formulas.db');
    copyFileSync(db, copy);
    const texts = ['=HYPERLINK("http://example.com","hi")', '+1 555 555 0100 called', '-5 degrees', '@SUM(A1:A2)', '\tindented', 'a = b'];
    const sqlite = new Database(copy);
    const guids = sqlite.prepare(`SELECT guid FROM message WHERE item_type = 0 AND associated_message_type = 0 AND balloon_bundle_id IS NULL
      AND ROWID IN (SELECT message_id FROM chat_message_join) AND ROWID NOT IN (SELECT message_id FROM message_attachment_join)
      ORDER BY ROWID LIMIT ?`).pluck().all(texts.length) as string[];
    const set = sqlite.prepare('UPDATE message SET text = ?, attributedBody = NULL, message_summary_info = NULL WHERE guid = ?');
    guids.forEach((guid, i) => set.run(texts[i], guid));
    sqlite.close();
    const cellsOf = async (name: string, extra: string[]) => {
      const out = join(dir, name);
      const result = await runCli(['export', '--db', copy, '--out', out, '--format', 'csv', '--no-progress', ...extra]);
      expect(result.code, result.stderr).toBe(0);
      const rows = readdirSync(out).filter((f) => f.endsWith('.csv'))
        .flatMap((f) => parse(readFileSync(join(out, f)), { bom: true, columns: true }) as Record<string, string>[]);
      return new Map(rows.map((row) => [row.guid!, row]));
    };
    const exact = await cellsOf('formulas-kept', []);
    const quoted = await cellsOf('formulas-quoted', ['--csv-formulas', 'quote']);
    guids.forEach((guid, i) => {
      expect(exact.get(guid)!.text).toBe(texts[i]);
      expect(quoted.get(guid)!.text).toBe(/^[=+\-@\t]/.test(texts[i]!) ? `'${texts[i]}` : texts[i]);
    });
    for (const [guid, row] of quoted) {
      const plain = exact.get(guid)!;
      expect(row.sender_handle).toBe(plain.sender_handle!.startsWith('+') ? `'${plain.sender_handle}` : plain.sender_handle);
      expect(row.date).toBe(plain.date);
    }
    const refused = await runCli(['export', '--db', copy, '--out', join(dir, 'formulas-txt'), '--format', 'txt', '--csv-formulas', 'quote']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('--csv-formulas is for CSV files');
  });

  it('--since and --chat narrow messages.ndjson like every other format', async () => {
    const all = join(dir, 'all');
    expect((await runCli(['export', '--db', db, '--out', all, '--format', 'ndjson,json'])).code).toBe(0);
    const every = readNdjson(join(all, 'messages.ndjson'));
    const since = '2020-01-01T00:00:00Z';
    const recent = join(dir, 'recent');
    expect((await runCli(['export', '--db', db, '--out', recent, '--format', 'ndjson', '--since', since])).code).toBe(0);
    expect(readNdjson(join(recent, 'messages.ndjson')).map((l) => l.guid).sort())
      .toEqual(every.filter((l) => new Date(l.date) >= new Date(since)).map((l) => l.guid).sort());
    const conversations = [...readJsonFiles(all).values()].map((f) => f.conversation);
    const handle = conversations.find((c) => !c.isGroup)!.participants[0]!.handle;
    const matching = new Set(conversations.filter((c) => c.participants.some((p) => p.handle === handle)).map((c) => c.id));
    const chat = join(dir, 'chat');
    expect((await runCli(['export', '--db', db, '--out', chat, '--format', 'ndjson', '--chat', handle])).code).toBe(0);
    const chosen = readNdjson(join(chat, 'messages.ndjson'));
    expect(chosen.length).toBeGreaterThan(0);
    expect(new Set(chosen.map((l) => l.conversationId)).size).toBeLessThanOrEqual(matching.size);
    for (const id of new Set(chosen.map((l) => l.conversationId))) {
      expect(matching.has(id), id).toBe(true);
      // Attachments are each folder's own copies, named by their path in it: the same in both.
      const of = (lines: typeof every) => JSON.stringify(lines.filter((l) => l.conversationId === id));
      expect(of(chosen)).toEqual(of(every));
    }
    const paths = filesIn(every).filter((a) => !a.missing).map((a) => a.path!);
    expect(paths.length).toBeGreaterThan(0);
    for (const path of paths) {
      expect(path).toMatch(/^attachments\//);
      expect(existsSync(join(all, path)), path).toBe(true);
    }
  });
});
