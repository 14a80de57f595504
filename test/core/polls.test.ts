// Polls (the Messages Polls app) end to end on a generated database: each poll with its options, who added
// each and the votes on each in every format; votes and added options are no messages of their own; a
// vote whose poll is not exported says what it chose; anything unreadable is shown as before.
import { copyFileSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { parse } from 'csv-parse/sync';
import { launchChromium } from '../support/chromium.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodePollPayload } from '../../src/decode/polls.js';
import { encodePollLayout } from '../../src/generate/keyed-archive.js';
import { APPLE_EPOCH_MS } from '../../src/generate/apple-time.js';
import { messageAnchor } from '../../src/render/html/anchors.js';
import { readJsonFiles, readNdjson, schemaValidators, type MessageLine } from '../data/support.js';
import { pdfText } from '../pdf/pdf-tools.js';
import { generateApart, runCli, tempDir } from '../support/cli.js';

interface PollRecord {
  question?: string;
  options: { id: string; text?: string; addedBy?: { handle: string; name: string; isMe: boolean }; votes: { voter: { handle: string; name: string }; date: string }[] }[];
}
type Line = MessageLine & { rowId: number; parts: { kind: string; tapbacks: unknown[]; app?: { appName?: string; poll?: PollRecord; ballot?: { pollGuid: string; choices: { id: string; text?: string }[] } } }[]; problems: string[] };

/** A poll as the database has it: its options in order (later versions' too, with who sent them), and each voter's latest vote. */
interface Expected {
  guid: string;
  date: number;
  chatId: number;
  options: { id: string; text: string; addedBy: string }[];
  votes: Map<string, { ids: string[]; seconds: number }>;
}

const APPLE_EPOCH_MS = Date.UTC(2001, 0, 1);
/** A Polls balloon whose payload cannot be read, as textkeeper showed every poll and vote before it read them. */
const UNREADABLE = /^\[(App message: )?Polls\]$/;
/** What --chat says on stderr of the conversation it chose. */
const CHOSEN = /^(selected .*|  .*)?$/;

function expectedPolls(dbPath: string): Expected[] {
  const db = new Database(dbPath, { readonly: true });
  const handle = (row: { fromMe: number; handleId: number }) =>
    row.fromMe ? 'me' : (db.prepare('SELECT id FROM handle WHERE ROWID = ?').pluck().get(row.handleId) as string);
  const rows = `SELECT m.guid, m.date, m.ROWID AS id, m.is_from_me AS fromMe, m.handle_id AS handleId, m.payload_data AS payload, m.associated_message_type AS type, j.chat_id AS chatId
                FROM message m JOIN chat_message_join j ON j.message_id = m.ROWID`;
  type Row = { guid: string; date: bigint; id: number; fromMe: number; handleId: number; payload: Buffer; type: number; chatId: number };
  const polls = db.prepare(`${rows} WHERE m.balloon_bundle_id LIKE '%Polls' AND m.associated_message_type = 0 ORDER BY m.ROWID`).safeIntegers(false).all() as Row[];
  const expected = polls.map((poll): Expected => {
    const aimed = db.prepare(`${rows} WHERE substr(m.associated_message_guid, instr(m.associated_message_guid, '/') + 1) = ? ORDER BY m.date`).all(poll.guid) as Row[];
    const options: Expected['options'] = [];
    for (const version of [poll, ...aimed.filter((r) => r.type === 2)]) {
      for (const option of decodePollPayload(version.payload).options) {
        if (!options.some((o) => o.id === option.id)) options.push({ id: option.id, text: option.text, addedBy: handle(version) });
      }
    }
    const votes = new Map<string, { ids: string[]; seconds: number }>();
    for (const vote of aimed.filter((r) => r.type === 4000)) {
      const cast = decodePollPayload(vote.payload).votes!;
      votes.set(handle(vote), { ids: cast.map((v) => v.optionId), seconds: (cast[0]!.date!.getTime() - APPLE_EPOCH_MS) / 1000 });
    }
    return { guid: poll.guid, date: Number(poll.date), chatId: poll.chatId, options, votes };
  });
  db.close();
  return expected;
}

/** The option lines txt writes for a poll (and the data formats' text), from the export's own record of it. */
function optionLines(poll: PollRecord): string[] {
  const creator = poll.options[0]!.addedBy!.handle;
  return poll.options.map((o, i) => {
    const added = o.addedBy!.handle !== creator ? ` (added by ${o.addedBy!.name})` : '';
    const votes = o.votes.length === 0 ? 'no votes' : `${o.votes.length} ${o.votes.length === 1 ? 'vote' : 'votes'}: ${o.votes.map((v) => v.voter.name).join(', ')}`;
    return `  ${i + 1}. ${o.text}${added} — ${votes}`;
  });
}

/**
 * Exports to txt and the data formats, each NDJSON record valid against the published schema; what it says on
 * stderr is `said` (every line of it: nothing, by default).
 */
async function exportTo(db: string, out: string, extra: string[] = [], said: RegExp = /^$/): Promise<Line[]> {
  const result = await runCli(['export', '--db', db, '--out', out, '--format', 'txt,json,ndjson,csv', '--attachments', 'none', '--timezone', 'America/New_York', '--no-progress', ...extra]);
  for (const line of result.stderr.trimEnd().split('\n')) expect(line).toMatch(said);
  expect(result.code).toBe(0);
  const lines = readNdjson(join(out, 'messages.ndjson')) as Line[];
  validate ??= schemaValidators();
  for (const line of lines) expect(validate.message(line), line.guid).toBe('');
  return lines;
}

let validate: ReturnType<typeof schemaValidators> | undefined;

const apps = (lines: Line[]) => lines.flatMap((line) => line.parts.flatMap((p) => (p.app ? [{ line, app: p.app }] : [])));

describe('polls in every format', () => {
  const dir = tempDir('polls');
  const db = join(dir, 'chat.db');
  let polls: Expected[];
  let lines: Line[];

  beforeAll(async () => {
    await generateApart(dir, 2000, 5);
    polls = expectedPolls(db);
    lines = await exportTo(db, join(dir, 'out'));
  }, 120_000);

  it('writes each poll as one message with every option in order, who added each, and each voter on what they vote for now', () => {
    expect(polls.length).toBeGreaterThanOrEqual(3);
    expect(polls.some((p) => new Set(p.options.map((o) => o.addedBy)).size > 1), 'an option someone else added').toBe(true);
    for (const poll of polls) {
      const line = lines.find((l) => l.guid === poll.guid)!;
      const record = line.parts[0]!.app!.poll!;
      expect(record.options.map((o) => [o.id, o.text, o.addedBy!.handle])).toEqual(poll.options.map((o) => [o.id, o.text, o.addedBy]));
      for (const option of record.options) {
        const voters = [...poll.votes].filter(([, vote]) => vote.ids.includes(option.id));
        expect(option.votes.map((v) => v.voter.handle).sort()).toEqual(voters.map(([voter]) => voter).sort());
        for (const vote of option.votes) {
          // When each voted, in the export's time zone (New York: -05:00 in winter).
          const seconds = poll.votes.get(vote.voter.handle)!.seconds;
          expect(new Date(vote.date).getTime()).toBe(Math.round(APPLE_EPOCH_MS + seconds * 1000));
          expect(vote.date).toMatch(/-0[45]:00$/);
        }
      }
      expect(record.options.reduce((n, o) => n + o.votes.length, 0)).toBe([...poll.votes.values()].reduce((n, v) => n + v.ids.length, 0));
    }
  });

  it('folds the votes and the options added into their poll: no message of their own, none shown as a bare app balloon', () => {
    const folded = new Set(expectedFolded(db));
    expect(folded.size).toBeGreaterThan(polls.length);
    expect(lines.filter((l) => folded.has(l.guid))).toEqual([]);
    expect(apps(lines).filter(({ app }) => app.appName === 'Polls' && !app.poll)).toEqual([]);
    expect(lines.some((l) => /\[Polls\]/.test(l.text))).toBe(false);
  });

  it('says each poll in txt, and in the text of JSON, NDJSON and CSV, as "[Poll]" and a line per option with its voters', () => {
    const validate = schemaValidators();
    const files = readJsonFiles(join(dir, 'out'));
    for (const poll of polls) {
      const line = lines.find((l) => l.guid === poll.guid)!;
      const text = ['[Poll]', ...optionLines(line.parts[0]!.app!.poll!)].join('\n');
      expect(line.text).toBe(text);
      expect(validate.message(line)).toBe('');
      const [stem, file] = [...files].find(([, f]) => f.conversation.id === line.conversationId)!;
      expect(validate.conversation(file)).toBe('');
      expect(file.messages.find((m) => m.guid === poll.guid)).toEqual(line);
      expect(readFileSync(join(dir, 'out', `${stem}.txt`), 'utf8')).toContain(`:\n${text}\n`);
      const rows = parse(readFileSync(join(dir, 'out', `${stem}.csv`)), { bom: true, columns: true }) as Record<string, string>[];
      expect(rows.find((r) => r.guid === poll.guid)!.text).toBe(text);
    }
    expect(lines.find((l) => l.guid === polls[0]!.guid)!.text).toMatch(/\(added by [^)]+\) — /);
  });

  it('shows each poll in HTML: every option with a bar of its votes, its voters (when each voted, on hover), who added it; searchable by its options', async () => {
    const out = join(dir, 'html');
    const result = await runCli(['export', '--db', db, '--out', out, '--format', 'html', '--attachments', 'none', '--timezone', 'America/New_York', '--no-progress']);
    expect(result.stderr).toBe('');
    const pages = readdirSync(join(out, 'conversations'), { recursive: true }).map(String).filter((f) => f.endsWith('.html'));
    const html = pages.map((page) => readFileSync(join(out, 'conversations', page), 'utf8')).join('\n');
    for (const poll of polls) {
      const line = lines.find((l) => l.guid === poll.guid)!;
      const record = line.parts[0]!.app!.poll!;
      const card = new RegExp(`<li class="msg [^"]+" id="${messageAnchor(line.guid, new Date(line.date))}">[\\s\\S]*?</ol>`).exec(html)![0];
      const voters = new Set(record.options.flatMap((o) => o.votes.map((v) => v.voter.handle))).size;
      for (const option of record.options) {
        const count = option.votes.length === 0 ? 'no votes' : `${option.votes.length} vote${option.votes.length === 1 ? '' : 's'}`;
        expect(card).toContain(`<span class="poll-option" dir="auto">${option.text}</span> <span class="poll-count">${count}</span><meter min="0" max="${voters}" value="${option.votes.length}"></meter>`);
        for (const vote of option.votes) expect(card).toMatch(new RegExp(`<span title="Voted ${vote.date.slice(0, 10)} [^"]+"><bdi>${vote.voter.name.replace('+', '\\+')}</bdi></span>`));
      }
      const added = record.options.filter((o) => o.addedBy!.handle !== record.options[0]!.addedBy!.handle);
      expect(card.match(/class="poll-added"/g) ?? []).toHaveLength(added.length);
      for (const option of added) expect(card).toContain(`Added by <bdi>${option.addedBy!.name}</bdi>`);
    }
    // No vote nor added option is a message of the pages.
    const sqlite = new Database(db, { readonly: true });
    const rows = sqlite.prepare('SELECT guid, date FROM message WHERE associated_message_type IN (2, 4000)').all() as { guid: string; date: number }[];
    sqlite.close();
    for (const { guid, date } of rows) expect(html).not.toContain(`id="${messageAnchor(guid, new Date(APPLE_EPOCH_MS + date / 1e6))}"`);
    expect(html).not.toMatch(/app-name">Polls</);

    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.goto(`${pathToFileURL(join(out, 'search.html')).href}?q=${encodeURIComponent('Overstory')}`);
      await expect.poll(() => page.locator('.search-status').textContent()).toMatch(/match/);
      expect(await page.locator('.search-status').textContent()).toBe('1 message matches “Overstory”.');
    } finally {
      await browser.close();
    }
  });

  it('writes each poll in both PDF styles as "Poll" and a line per option with its voters', async () => {
    for (const style of ['chat', 'transcript']) {
      const out = join(dir, `pdf-${style}`);
      const chats = [...new Set(polls.map((p) => chatGuid(db, p.chatId)))].join(',');
      const result = await runCli(['export', '--db', db, '--out', out, '--format', 'pdf', '--pdf-style', style, '--chat', chats, '--attachments', 'none', '--no-progress']);
      for (const line of result.stderr.trimEnd().split('\n')) expect(line).toMatch(CHOSEN);
      const text = readdirSync(out).filter((f) => f.endsWith('.pdf')).map((f) => pdfText(join(out, f))).join('\n').replace(/\s+/g, ' ');
      for (const poll of polls) {
        const record = lines.find((l) => l.guid === poll.guid)!.parts[0]!.app!.poll!;
        for (const option of optionLines(record)) expect(text, style).toContain(option.trim());
      }
      expect(text).not.toMatch(/\bPolls\b/);
    }
  });

  it('keeps the same polls in an archive folder: an export from it alone writes them as the device did', async () => {
    const again = await runCli(['export', '--archive', join(dir, 'out'), '--out', join(dir, 'from-archive'), '--format', 'ndjson', '--no-progress', '--timezone', 'America/New_York']);
    expect(again.stderr).toBe('');
    const kept = readNdjson(join(dir, 'from-archive', 'messages.ndjson')) as Line[];
    for (const poll of polls) expect(kept.find((l) => l.guid === poll.guid)!.parts).toEqual(lines.find((l) => l.guid === poll.guid)!.parts);
  });
});

describe('votes whose poll is not exported, and payloads that cannot be read', () => {
  const dir = tempDir('polls-apart');
  const db = join(dir, 'chat.db');
  let polls: Expected[];

  beforeAll(async () => {
    await generateApart(dir, 2000, 5);
    polls = expectedPolls(db);
  }, 120_000);

  const copy = (name: string, change: (sqlite: Database.Database) => void) => {
    const path = join(dir, `${name}.db`);
    copyFileSync(db, path);
    const sqlite = new Database(path);
    change(sqlite);
    sqlite.close();
    return path;
  };

  it('shows a vote whose poll is before --since as a message saying what it chose; a later version of the poll in the window shows the poll', async () => {
    const since = (poll: Expected) => new Date(APPLE_EPOCH_MS + poll.date / 1e6 + 1000).toISOString();
    const plain = polls.find((p) => new Set(p.options.map((o) => o.addedBy)).size === 1)!;
    const lines = await exportTo(db, join(dir, 'since'), ['--since', since(plain), '--chat', chatGuid(db, plain.chatId)], CHOSEN);
    const ballots = apps(lines).filter(({ app }) => app.ballot);
    expect(ballots).toHaveLength(plain.votes.size);
    for (const { line, app } of ballots) {
      const voter = line.sender.handle;
      expect(app.ballot!.pollGuid).toBe(plain.guid);
      expect(app.ballot!.choices).toEqual(plain.votes.get(voter)!.ids.map((id) => ({ id, text: plain.options.find((o) => o.id === id)!.text })));
      expect(line.text).toBe(`[Poll vote: ${app.ballot!.choices.map((c) => c.text).join(', ')}]`);
    }
    const txt = readdirSync(join(dir, 'since')).find((f) => f.endsWith('.txt'))!;
    expect(readFileSync(join(dir, 'since', txt), 'utf8')).toContain(`[Poll vote: ${ballots[0]!.app.ballot!.choices[0]!.text}`);

    const grown = polls.find((p) => new Set(p.options.map((o) => o.addedBy)).size > 1)!;
    const later = await exportTo(db, join(dir, 'since-grown'), ['--since', since(grown), '--chat', chatGuid(db, grown.chatId)], CHOSEN);
    const shown = apps(later).filter(({ app }) => app.poll);
    expect(shown).toHaveLength(1);
    expect(shown[0]!.app.poll!.options.map((o) => o.id)).toEqual(grown.options.map((o) => o.id));
    expect(shown[0]!.app.poll!.options.reduce((n, o) => n + o.votes.length, 0)).toBe([...grown.votes.values()].reduce((n, v) => n + v.ids.length, 0));
    expect(apps(later).filter(({ app }) => app.ballot)).toEqual([]);
  });

  it('keeps only the latest vote message of each voter; a vote for an option no version lists says so', async () => {
    const poll = polls[1]!;
    const [voter] = [...poll.votes.keys()].filter((v) => v !== 'me');
    const path = copy('changed', (sqlite) => {
      const row = sqlite.prepare(`SELECT * FROM message WHERE associated_message_type = 4000 AND substr(associated_message_guid, instr(associated_message_guid, '/') + 1) = ? AND handle_id = (SELECT ROWID FROM handle WHERE id = ?)`).get(poll.guid, voter) as Record<string, unknown>;
      const chosen = poll.options.find((o) => !poll.votes.get(voter)!.ids.includes(o.id))!.id;
      // An earlier vote for another option (its message left in the database) and a vote of the owner for an option no version lists.
      insertAimed(sqlite, row, { guid: 'EARLIER-VOTE', date: BigInt(row.date as bigint) - 60_000_000_000n, payload: vote(voter, [chosen]) });
      insertAimed(sqlite, row, { guid: 'OWNER-VOTE', date: BigInt(row.date as bigint) + 864_000_000_000_000n, payload: vote('owner@example.com', ['NOT-AN-OPTION']), fromMe: true });
    });
    const lines = await exportTo(path, join(dir, 'changed'));
    const record = lines.find((l) => l.guid === poll.guid)!.parts[0]!.app!.poll!;
    const votesOf = (handle: string) => record.options.filter((o) => o.votes.some((v) => v.voter.handle === handle)).map((o) => o.id);
    expect(votesOf(voter!)).toEqual(poll.votes.get(voter!)!.ids);
    expect(record.options.at(-1)).toMatchObject({ id: 'NOT-AN-OPTION', votes: [{ voter: { handle: 'me' } }] });
    expect(record.options.at(-1)!.text).toBeUndefined();
    expect(lines.find((l) => l.guid === poll.guid)!.text).toContain('. an option not in the database — 1 vote: Me');
    expect(lines.some((l) => l.guid === 'EARLIER-VOTE' || l.guid === 'OWNER-VOTE')).toBe(false);
  });

  it('shows what cannot be read as before: a poll unreadable as the app it is, its votes saying what they chose, an unreadable vote as a message of its own', async () => {
    const poll = polls[0]!;
    const path = copy('unreadable', (sqlite) => {
      sqlite.prepare("UPDATE message SET payload_data = X'0102' WHERE guid = ?").run(poll.guid);
      sqlite.prepare(`UPDATE message SET payload_data = X'62706c6973743030' WHERE ROWID = (SELECT max(ROWID) FROM message WHERE associated_message_type = 4000
        AND substr(associated_message_guid, instr(associated_message_guid, '/') + 1) = ?)`).run(polls[2]!.guid);
    });
    // Each unreadable payload is a warning of its own (stderr), as any other.
    const lines = await exportTo(path, join(dir, 'unreadable'), [], /^(warning: message [\w-]+: unreadable Polls balloon: .*)?$/);
    const first = lines.find((l) => l.guid === poll.guid)!;
    expect(first.text).toMatch(UNREADABLE);
    expect(first.problems.join(' ')).toMatch(/unreadable Polls balloon/);
    // Its later version (an option added) is readable: it shows the poll, with the votes.
    const shown = apps(lines).filter(({ line, app }) => app.poll && line.conversationId === first.conversationId);
    expect(shown.map(({ app }) => app.poll!.options.length)).toEqual([poll.options.length]);
    const broken = lines.filter((l) => UNREADABLE.test(l.text) && l.guid !== poll.guid);
    expect(broken).toHaveLength(1);
    expect(broken[0]!.problems.join(' ')).toMatch(/unreadable Polls balloon/);
    const third = lines.find((l) => l.guid === polls[2]!.guid)!.parts[0]!.app!.poll!;
    expect(third.options.reduce((n, o) => n + o.votes.length, 0)).toBeLessThan([...polls[2]!.votes.values()].reduce((n, v) => n + v.ids.length, 0));
  });

  it('shows the votes of a poll the database lost as what they chose, by option id', async () => {
    const poll = polls.find((p) => new Set(p.options.map((o) => o.addedBy)).size === 1)!;
    const path = copy('lost', (sqlite) => sqlite.prepare('DELETE FROM message WHERE guid = ?').run(poll.guid));
    const lines = await exportTo(path, join(dir, 'lost'));
    const ballots = apps(lines).filter(({ app }) => app.ballot?.pollGuid === poll.guid);
    expect(ballots).toHaveLength(poll.votes.size);
    for (const { line, app } of ballots) {
      expect(app.ballot!.choices).toEqual(poll.votes.get(line.sender.handle)!.ids.map((id) => ({ id })));
      expect(line.text).toMatch(/^\[Poll vote: an option not in the database/);
    }
  });
});

function expectedFolded(dbPath: string): string[] {
  const db = new Database(dbPath, { readonly: true });
  const guids = db.prepare('SELECT guid FROM message WHERE associated_message_type IN (2, 4000)').pluck().all() as string[];
  db.close();
  return guids;
}

function chatGuid(dbPath: string, chatId: number): string {
  const db = new Database(dbPath, { readonly: true });
  const identifier = db.prepare('SELECT chat_identifier FROM chat WHERE ROWID = ?').pluck().get(chatId) as string;
  db.close();
  return identifier;
}

function vote(handle: string, ids: string[]): Buffer {
  return encodePollLayout({ version: 1, item: { votes: ids.map((id) => ({ participantHandle: handle, voteOptionIdentifier: id })) } }, '11111111-2222-4333-8444-555555555555');
}

/** A copy of a vote row with another GUID, date and payload (from the owner when `fromMe`), in the same chat. */
function insertAimed(sqlite: Database.Database, row: Record<string, unknown>, change: { guid: string; date: bigint; payload: Buffer; fromMe?: boolean }): void {
  const columns = Object.keys(row).filter((c) => c !== 'ROWID');
  const values = columns.map((c) => ({ guid: change.guid, date: change.date, payload_data: change.payload, is_from_me: change.fromMe ? 1 : row[c], handle_id: change.fromMe ? 0 : row[c] } as Record<string, unknown>)[c] ?? row[c]);
  const id = sqlite.prepare(`INSERT INTO message (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`).run(...values).lastInsertRowid;
  const chat = sqlite.prepare('SELECT chat_id FROM chat_message_join WHERE message_id = ?').pluck().get(row.ROWID);
  sqlite.prepare('INSERT INTO chat_message_join (chat_id, message_id, message_date) VALUES (?, ?, ?)').run(chat, id, change.date);
}
