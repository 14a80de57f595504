import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateChatDb } from '../../src/generate/index.js';
import type { ArchiveStats } from '../../src/stats/archive-stats.js';
import { runCli, tempDir } from '../support/cli.js';
import { SHOWN_ALONE } from '../support/visible-sql.js';

const VISIBLE = `${SHOWN_ALONE} AND m.item_type = 0`;
const UNIX_SECONDS = '(m.date / 1000000000 + 978307200)';
const SENDER = "CASE WHEN m.is_from_me = 1 THEN 'me' ELSE h.id END";

describe('textkeeper stats against counts made with SQL', () => {
  const dir = tempDir('stats');
  const dbPath = join(dir, 'chat.db');
  let stats: ArchiveStats;
  let db: Database.Database;
  const all = <T>(sql: string, ...params: unknown[]) => db.prepare(sql).all(...params) as T[];

  beforeAll(async () => {
    await generateChatDb({ path: dbPath, messages: 1500, seed: 91 });
    const result = await runCli(['stats', '--db', dbPath, '--json', '--timezone', 'UTC']);
    expect(result.stderr).toBe('');
    stats = JSON.parse(result.stdout) as ArchiveStats;
    db = new Database(dbPath, { readonly: true });
  });

  it('counts messages per month and per person', async () => {
    const months = all<{ month: string; n: number }>(`SELECT strftime('%Y-%m', ${UNIX_SECONDS}, 'unixepoch') AS month, COUNT(*) AS n FROM message m WHERE ${VISIBLE} GROUP BY month`);
    expect(stats.total.messages).toBe(months.reduce((sum, m) => sum + m.n, 0));
    expect(stats.total.months.filter((m) => m.messages > 0).map((m) => [m.month, m.messages])).toEqual(months.map((m) => [m.month, m.n]));
    const people = all<{ sender: string; n: number }>(`SELECT ${SENDER} AS sender, COUNT(*) AS n FROM message m LEFT JOIN handle h ON h.ROWID = m.handle_id WHERE ${VISIBLE} GROUP BY sender`);
    expect(Object.fromEntries(stats.total.people.filter((p) => p.messages > 0).map((p) => [p.handle, p.messages]))).toEqual(Object.fromEntries(people.map((p) => [p.sender, p.n])));
    for (const month of stats.total.months) expect(Object.values(month.bySender).reduce((a, b) => a + b, 0)).toBe(month.messages);
  });

  it('finds the first and last message and the busiest days', async () => {
    const { first, last } = db.prepare(`SELECT MIN(date) AS first, MAX(date) AS last FROM message m WHERE ${VISIBLE}`).get() as { first: number; last: number };
    const iso = (ns: number) => new Date(Math.floor(ns / 1e6) + 978_307_200_000).toISOString().slice(0, 19);
    expect(stats.total.firstDate!.slice(0, 19)).toBe(iso(first));
    expect(stats.total.lastDate!.slice(0, 19)).toBe(iso(last));
    const days = all<{ day: string; n: number }>(`SELECT strftime('%Y-%m-%d', ${UNIX_SECONDS}, 'unixepoch') AS day, COUNT(*) AS n FROM message m WHERE ${VISIBLE} GROUP BY day ORDER BY n DESC, day LIMIT 5`);
    expect(stats.total.busiestDays).toEqual(days.map((d) => ({ day: d.day, messages: d.n })));
  });

  it('counts attachments and their bytes: the messages\' files and the stickers placed on them, as the export\'s summary does', async () => {
    const files = db.prepare(
      `SELECT COUNT(*) AS count, COALESCE(SUM(a.total_bytes), 0) AS bytes FROM message m
       JOIN message_attachment_join j ON j.message_id = m.ROWID JOIN attachment a ON a.ROWID = j.attachment_id WHERE ${VISIBLE}`,
    ).get() as { count: number; bytes: number };
    // A sticker reaction's file, on a message shown ("p:0/GUID"), taken back or not: the export keeps it either way.
    const stickers = db.prepare(
      `SELECT COUNT(*) AS count, COALESCE(SUM(a.total_bytes), 0) AS bytes FROM message r
       JOIN message_attachment_join j ON j.message_id = r.ROWID JOIN attachment a ON a.ROWID = j.attachment_id
       WHERE r.associated_message_type IN (1000, 2007)
         AND EXISTS (SELECT 1 FROM message m WHERE m.guid = substr(r.associated_message_guid, instr(r.associated_message_guid, '/') + 1) AND ${VISIBLE})`,
    ).get() as { count: number; bytes: number };
    expect(stickers.count, 'the generated history has stickers placed on messages').toBeGreaterThan(0);
    const expected = { count: files.count + stickers.count, bytes: files.bytes + stickers.bytes };
    expect({ count: stats.total.attachments.count, bytes: stats.total.attachments.bytes }).toEqual(expected);
    const byKind = Object.values(stats.total.attachments.byKind);
    expect(byKind.reduce((sum, k) => sum + k.count, 0)).toBe(expected.count);
    const exported = await runCli(['export', '--db', dbPath, '--out', join(dir, 'export'), '--format', 'txt', '--quiet']);
    expect(exported.code).toBe(0);
    const summary = /([\d,]+) attachments? \(/.exec(exported.stdout + exported.stderr);
    expect(Number(summary?.[1]?.replace(/,/g, '')), exported.stdout + exported.stderr).toBe(expected.count);
  });

  it('counts reactions given and received, net of removals', async () => {
    // Each person's latest classic reaction on each part stands when it is an addition (2000–2006).
    const given = all<{ sender: string; n: number }>(
      `SELECT sender, COUNT(*) AS n FROM (
         SELECT ${SENDER} AS sender, m.associated_message_type AS type,
                ROW_NUMBER() OVER (PARTITION BY ${SENDER}, m.associated_message_guid ORDER BY m.date DESC, m.ROWID DESC) AS latest
         FROM message m LEFT JOIN handle h ON h.ROWID = m.handle_id
         WHERE m.associated_message_type BETWEEN 2000 AND 2006 OR m.associated_message_type BETWEEN 3000 AND 3006)
       WHERE latest = 1 AND type < 3000 GROUP BY sender`,
    );
    // A sticker placed (1000, 2007) stands unless its sender later removes their stickers from that part (3007).
    const stickers = all<{ sender: string; n: number }>(
      `SELECT s.sender, COUNT(*) AS n FROM (
         SELECT ${SENDER} AS sender, m.associated_message_guid AS target, m.date AS date, m.ROWID AS id
         FROM message m LEFT JOIN handle h ON h.ROWID = m.handle_id WHERE m.associated_message_type IN (1000, 2007)) s
       WHERE NOT EXISTS (
         SELECT 1 FROM message m LEFT JOIN handle h ON h.ROWID = m.handle_id
         WHERE m.associated_message_type = 3007 AND m.associated_message_guid = s.target AND ${SENDER} = s.sender
           AND (m.date > s.date OR (m.date = s.date AND m.ROWID > s.id)))
       GROUP BY s.sender`,
    );
    const classic = stats.total.reactions.count - (stats.total.reactions.byKind.sticker ?? 0);
    expect(classic).toBe(given.reduce((sum, g) => sum + g.n, 0));
    expect(classic).toBeGreaterThan(10);
    expect(stats.total.reactions.byKind.sticker ?? 0).toBe(stickers.reduce((sum, g) => sum + g.n, 0));
    expect(stickers.length, "the generated history has stickers placed on messages").toBeGreaterThan(0);
    const expected = new Map(given.map((g) => [g.sender, g.n]));
    for (const s of stickers) expected.set(s.sender, (expected.get(s.sender) ?? 0) + s.n);
    expect(Object.fromEntries(stats.total.people.filter((p) => p.reactionsGiven > 0).map((p) => [p.handle, p.reactionsGiven])))
      .toEqual(Object.fromEntries(expected));
    const people = stats.total.people;
    expect(people.reduce((sum, p) => sum + p.reactionsReceived, 0)).toBe(stats.total.reactions.count);
  });

  it('adds the conversations up to the total, each counted from its own chats', async () => {
    expect(stats.conversations.reduce((sum, c) => sum + c.stats.messages, 0)).toBe(stats.total.messages);
    for (const { conversation, stats: one } of stats.conversations) {
      const ids = conversation.chatIdentifiers;
      if (ids.length === 0) continue;
      const n = db.prepare(
        `SELECT COUNT(DISTINCT m.ROWID) AS n FROM message m JOIN chat_message_join j ON j.message_id = m.ROWID JOIN chat c ON c.ROWID = j.chat_id
         WHERE ${VISIBLE} AND c.chat_identifier IN (${ids.map(() => '?').join(',')})`,
      ).pluck().get(...ids);
      expect(one.messages, conversation.title).toBe(n);
    }
  });

  it('counts group events apart, so that messages and events add up to what list counts', async () => {
    const events = db.prepare('SELECT COUNT(*) FROM message m WHERE m.item_type <> 0 AND m.associated_message_type NOT BETWEEN 1000 AND 3999').pluck().get() as number;
    expect(events, 'the generated history has group events').toBeGreaterThan(0);
    expect(stats.total.events).toBe(events);
    const listed = JSON.parse((await runCli(['list', '--db', dbPath, '--json'])).stdout) as { id: string; messageCount: number }[];
    const counted = new Map(stats.conversations.map((c) => [c.conversation.id, c.stats.messages + c.stats.events]));
    expect(new Map(listed.map((c) => [c.id, c.messageCount]))).toEqual(counted);
    const text = await runCli(['stats', '--db', dbPath, '--timezone', 'UTC']);
    expect(text.stdout).toContain(`All conversations: ${stats.total.messages.toLocaleString('en-US')} messages (and ${events.toLocaleString('en-US')} group events), `);
  });

  it('takes --chat as list does: says what it chose, and refuses terms that choose nothing', async () => {
    const id = stats.conversations[0]!.conversation.id;
    const one = await runCli(['stats', '--db', dbPath, '--json', '--chat', id]);
    expect(one.code, one.stderr).toBe(0);
    expect(one.stderr).toMatch(/^selected “.+” \(/);
    expect(one.stderr).toContain(`(${id}): `);
    expect((JSON.parse(one.stdout) as ArchiveStats).conversations.map((c) => c.conversation.id)).toEqual([id]);
    const none = await runCli(['stats', '--db', dbPath, '--chat', 'nobody by this name', '--exact']);
    expect(none.code).toBe(1);
    expect(none.stdout).toBe('');
    expect(none.stderr).toMatch(/^textkeeper: No conversation matches --chat nobody by this name/);
  });
  it('says "none" where dates choose no message, and counts one message in the singular', async () => {
    const empty = await runCli(['stats', '--db', dbPath, '--since', '2090-01-01']);
    expect(empty.code, empty.stderr).toBe(0);
    expect(empty.stdout).toBe('All conversations: 0 messages\n  by person: none\n  busiest days: none\n  attachments: 0, 0 B\n  reactions: 0\n  per month: none\n');
    // The last row that is no reaction: a poll vote too is a message of its own once its poll is before --since.
    const [last] = all<{ date: number }>('SELECT m.date FROM message m WHERE m.associated_message_type NOT BETWEEN 1000 AND 3999 AND m.item_type = 0 ORDER BY m.date DESC LIMIT 1');
    const instant = new Date(Number(BigInt(last!.date) / 1_000_000n) + 978_307_200_000).toISOString();
    const one = await runCli(['stats', '--db', dbPath, '--since', instant]);
    expect(one.stdout).toMatch(/^All conversations: 1 message, /);
  });

  it('prints one line per person, however many handles, and the months as a year a row', async () => {
    const [first, second] = all<{ id: string }>(
      `SELECT h.id FROM message m JOIN handle h ON h.ROWID = m.handle_id WHERE ${VISIBLE} AND m.is_from_me = 0 GROUP BY h.id ORDER BY COUNT(*) DESC LIMIT 2`,
    ).map((h) => h.id);
    const card = (id: string) => (id.includes('@') ? `EMAIL:${id}` : `TEL:${id}`);
    const vcf = join(dir, 'two-handles.vcf');
    writeFileSync(vcf, ['BEGIN:VCARD', 'VERSION:3.0', 'FN:Two Handles', 'N:Handles;Two;;;', card(first!), card(second!), 'END:VCARD', ''].join('\r\n'));
    const text = await runCli(['stats', '--db', dbPath, '--contacts', vcf, '--timezone', 'UTC']);
    expect(text.code, text.stderr).toBe(0);
    const total = text.stdout.split('\n\n')[0]!.split('\n');
    const byPerson = total.find((line) => line.startsWith('  by person: '))!;
    const sent = (handle: string) => stats.total.people.find((p) => p.handle === handle)!.messages;
    expect(byPerson.match(/Two Handles/g)).toHaveLength(1);
    expect(byPerson).toContain(`Two Handles ${(sent(first!) + sent(second!)).toLocaleString('en-US')}`);
    expect(total).toContain('          Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec');
    const years = total.filter((line) => /^    \d{4} /.test(line));
    const counted = years.flatMap((line) => line.slice(10).trim().split(/ +/)).map((cell) => Number(cell.replace(/,/g, '')));
    expect(counted.reduce((a, b) => a + b, 0)).toBe(stats.total.messages);
    expect(counted).toEqual(stats.total.months.map((m) => m.messages));
  });
});

describe('stats of a history with many people', () => {
  it('names the twenty busiest in a line and counts the rest, which --json lists', async () => {
    const dir = tempDir('stats-many');
    const db = join(dir, 'chat.db');
    await generateChatDb({ path: db, messages: 3000, seed: 92, conversations: 60 });
    const json = await runCli(['stats', '--db', db, '--json', '--no-progress']);
    const everyone = (JSON.parse(json.stdout) as ArchiveStats).total.people;
    const senders = new Set(everyone.filter((p) => p.messages > 0).map((p) => p.person)).size;
    expect(senders).toBeGreaterThan(22);
    const text = await runCli(['stats', '--db', db, '--no-progress']);
    expect(text.code, text.stderr).toBe(0);
    const total = text.stdout.split('\n\n')[0]!.split('\n');
    // Every one of them was named in the line: 400 people made it 8,800 characters long.
    const byPerson = total.find((line) => line.startsWith('  by person: '))!;
    expect(byPerson).toMatch(new RegExp(` and ${senders - 20} more \\(--json lists everyone\\)$`));
    expect(byPerson.split(', ')).toHaveLength(20);
    expect(total.find((line) => line.startsWith('  reactions: '))).toMatch(/ and \d+ more \(--json lists everyone\)$/);
  });
});

describe('stats of people who share a name', () => {
  it('counts two contacts named alike as two people, told apart as the export’s file names tell them, and so are two groups’ headings and the HTML chart', async () => {
    const dir = tempDir('stats-namesakes');
    const dbPath = join(dir, 'chat.db');
    await generateChatDb({ path: dbPath, messages: 1500, seed: 94 });
    const db = new Database(dbPath);
    db.prepare("UPDATE chat SET display_name = 'Book club' WHERE ROWID IN (SELECT ROWID FROM chat WHERE chat_identifier LIKE 'chat%' AND COALESCE(display_name, '') = '' ORDER BY ROWID LIMIT 2)").run();
    db.close();
    const vcf = join(dir, 'namesakes.vcf');
    writeFileSync(vcf, ['+15555550100', '+15555550101'].map((tel) => `BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ann Lee\r\nTEL:${tel}\r\nEND:VCARD\r\n`).join(''));
    const source = ['--db', dbPath, '--contacts', vcf, '--timezone', 'UTC', '--no-progress'];

    const json = JSON.parse((await runCli(['stats', ...source, '--json'])).stdout) as ArchiveStats;
    const ann = (handle: string) => json.total.people.find((p) => p.handle === handle)!;
    expect([ann('+15555550100'), ann('+15555550101')].map((p) => [p.name, p.person])).toEqual([['Ann Lee', 'Ann Lee (+15555550100)'], ['Ann Lee', 'Ann Lee (+15555550101)']]);
    const text = await runCli(['stats', ...source]);
    expect(text.code, text.stderr).toBe(0);
    const total = text.stdout.split('\n\n')[0]!;
    for (const handle of ['+15555550100', '+15555550101']) {
      expect(total).toContain(`Ann Lee (${handle}) ${ann(handle).messages.toLocaleString('en-US')}`);
      expect(total).toContain(`Ann Lee (${handle}) ${ann(handle).reactionsGiven}/${ann(handle).reactionsReceived}`);
    }
    expect(total).not.toMatch(/Ann Lee \d/);

    // Each conversation's heading is its file's name: the two Ann Lees', the two Book clubs'.
    const out = join(dir, 'out');
    expect((await runCli(['export', ...source, '--out', out, '--format', 'txt', '--attachments', 'none'])).code).toBe(0);
    const files = readdirSync(out).filter((name) => /^(Ann Lee|Book club) /.test(name)).map((name) => name.replace(/\.txt$/, '')).sort();
    const headings = [...text.stdout.matchAll(/^((?:Ann Lee|Book club)\b.*?): \d/gm)].map((m) => m[1]).sort();
    expect(files).toHaveLength(4);
    expect(headings).toEqual(files);

    // The HTML index of the two one-to-one conversations draws each Ann Lee in her own colour.
    const ids = json.conversations.filter((c) => c.conversation.chatIdentifiers.every((id) => ['+15555550100', '+15555550101'].includes(id))).map((c) => c.conversation.id);
    expect(ids).toHaveLength(2);
    const html = join(dir, 'html');
    expect((await runCli(['export', ...source, '--out', html, '--format', 'html', '--attachments', 'none', '--chat', ids.join(','), '--exact'])).code).toBe(0);
    const index = readFileSync(join(html, 'index.html'), 'utf8');
    const legend = [...index.matchAll(/<\/svg>([^<]*)<\/span>/g)].map((m) => m[1]);
    expect([...legend].sort()).toEqual(['Ann Lee (+15555550100)', 'Ann Lee (+15555550101)', 'Me']);
  });
});
