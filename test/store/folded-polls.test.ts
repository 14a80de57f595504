// A poll's votes and added options are rows of their own in chat.db that textkeeper reads as part of the poll:
// an archive that kept them as messages of their own (an older textkeeper's, or a run that did not show the
// poll) keeps them so no longer, and never as gone from the device.
import { copyFileSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateApart, runCli, tempDir } from '../support/cli.js';

const APPLE_EPOCH_MS = Date.UTC(2001, 0, 1);

/** The votes and later versions of the polls in chat.db: GUID, date (ms since 1970), row id, chat, poll. */
interface FoldedRow {
  guid: string;
  date: number;
  rowId: number;
  chatId: number;
  fromMe: number;
  handle: string | null;
  /** 2: a later version (an option added); 4000: a vote. */
  type: number;
  poll: string;
}

function foldedRows(chatDb: string): FoldedRow[] {
  const db = new Database(chatDb, { readonly: true });
  const rows = db.prepare(`SELECT m.guid, m.date / 1000000 AS date, m.ROWID AS rowId, j.chat_id AS chatId, m.is_from_me AS fromMe,
      (SELECT id FROM handle WHERE ROWID = m.handle_id) AS handle, m.associated_message_type AS type,
      substr(m.associated_message_guid, instr(m.associated_message_guid, '/') + 1) AS poll
    FROM message m JOIN chat_message_join j ON j.message_id = m.ROWID
    WHERE m.balloon_bundle_id LIKE '%Polls' AND m.associated_message_type IN (2, 4000)`).all() as FoldedRow[];
  db.close();
  return rows.map((r) => ({ ...r, date: APPLE_EPOCH_MS + r.date, poll: r.poll.replace(/^bp:/, '') }));
}

/** A Polls balloon as textkeeper showed it before it read polls: an app balloon with nothing to say. */
function barePolls(bundleId: string, title?: string): object {
  return { type: 'app', bundleId, appName: 'Polls', title, captions: [] };
}

/**
 * Makes the store as a textkeeper that did not read polls left it: each poll a bare Polls balloon, each vote and
 * later version a message of its own beside it; its conversations' files are written again from it.
 */
function asBeforePolls(store: string, chatDb: string): void {
  const db = new Database(store);
  const polls = db.prepare(`SELECT guid, conversation_key AS key, body, source_set AS sourceSet, first_run AS run FROM messages WHERE body LIKE '%"poll":{%'`).all() as
    { guid: string; key: string; body: string; sourceSet: number; run: number }[];
  expect(polls.length).toBeGreaterThan(1);
  const bundleOf = new Map<string, string>();
  for (const poll of polls) {
    const message = JSON.parse(poll.body) as { parts: { app?: { bundleId: string; poll?: unknown } }[] };
    for (const part of message.parts) {
      if (!part.app?.poll) continue;
      bundleOf.set(poll.guid, part.app.bundleId);
      part.app = barePolls(part.app.bundleId, 'Sent a poll') as typeof part.app;
    }
    db.prepare('UPDATE messages SET body = ? WHERE guid = ?').run(JSON.stringify(message), poll.guid);
  }
  const insert = db.prepare('INSERT INTO messages (guid, conversation_key, date, seq, body, source_set, revision, first_run, last_run) VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?)');
  for (const row of foldedRows(chatDb)) {
    const poll = polls.find((p) => p.guid === row.poll)!;
    const sender = row.fromMe ? { handle: 'me', name: 'Me', isMe: true } : { handle: row.handle, name: row.handle };
    const body = { sender, isFromMe: Boolean(row.fromMe), parts: [{ kind: 'app', index: 0, app: barePolls(bundleOf.get(poll.guid)!), attachments: [] }] };
    insert.run(row.guid, poll.key, row.date, row.rowId, JSON.stringify(body), poll.sourceSet, poll.run, poll.run);
  }
  db.prepare('UPDATE conversations SET revision = revision + 1 WHERE key IN (SELECT conversation_key FROM messages WHERE body LIKE \'%"appName":"Polls"%\')').run();
  // The store version before this one read polls again.
  db.prepare('DELETE FROM migrations WHERE version > 7').run();
  db.pragma('user_version = 7');
  db.close();
}

/** Adds a message at the end of a chat, as a device would. */
function addMessage(chatDb: string, chatId: number): void {
  const db = new Database(chatDb);
  db.exec(`CREATE TEMP TABLE added AS SELECT * FROM message WHERE ROWID = (SELECT max(m.ROWID) FROM message m JOIN chat_message_join j ON j.message_id = m.ROWID
      WHERE j.chat_id = ${chatId} AND m.text IS NOT NULL AND m.associated_message_type = 0 AND m.item_type = 0 AND m.balloon_bundle_id IS NULL);
    UPDATE added SET ROWID = (SELECT max(ROWID) + 1 FROM message), guid = 'ADDED-ON-THE-DEVICE', text = 'added on the device', attributedBody = NULL,
      date = (SELECT max(date) FROM message) + 60000000000;
    INSERT INTO message SELECT * FROM added;
    INSERT INTO chat_message_join (chat_id, message_id, message_date) SELECT ${chatId}, ROWID, date FROM added;`);
  db.close();
}

/** The folder's transcripts by name, without the line saying when they were exported. */
function transcripts(dir: string): Map<string, string> {
  const files = readdirSync(dir).filter((f) => f.endsWith('.txt')).sort();
  return new Map(files.map((f) => [f, readFileSync(join(dir, f), 'utf8').replace(/^Exported .*\n/m, '')]));
}

function exportTo(chatDb: string, out: string, extra: string[] = []) {
  return runCli(['export', '--db', chatDb, '--out', out, '--format', 'txt', '--attachments', 'none', '--no-progress', ...extra]);
}

describe('votes and added options an archive kept as messages of their own', () => {
  let dir: string;
  let chatDb: string;
  let folded: FoldedRow[];
  beforeAll(async () => {
    dir = tempDir('folded-polls');
    chatDb = await generateApart(dir, 2000, 5);
    folded = foldedRows(chatDb);
    expect(folded.length).toBeGreaterThan(5);
  });

  /** A copy of the generated database in a folder of its own, to change as a device would. */
  const deviceCopy = (name: string) => {
    mkdirSync(join(dir, name));
    copyFileSync(chatDb, join(dir, name, 'chat.db'));
    return join(dir, name, 'chat.db');
  };

  const storedGuids = (out: string) => {
    const store = new Database(join(out, 'textkeeper.sqlite'), { readonly: true });
    const guids = new Set(store.prepare('SELECT guid FROM messages').pluck().all() as string[]);
    const absent = store.prepare('SELECT count(*) FROM messages WHERE absent_since IS NOT NULL').pluck().get();
    const revisions = store.prepare('SELECT count(*) FROM message_history').pluck().get();
    store.close();
    return { guids, absent, revisions };
  };

  it('an archive an older textkeeper made, whose poll conversation changed on the device, holds each vote in its poll, none gone from the device', async () => {
    const out = join(dir, 'older');
    const device = deviceCopy('older-device');
    expect((await exportTo(device, out)).code).toBe(0);
    asBeforePolls(join(out, 'textkeeper.sqlite'), device);
    const chatId = folded[0]!.chatId;
    addMessage(device, chatId);

    const run = await exportTo(device, out);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('since the last run: 1 message added, 0 changed, 0 newly not on the device');
    const { guids, absent, revisions } = storedGuids(out);
    expect(folded.filter((r) => r.chatId === chatId && guids.has(r.guid))).toEqual([]);
    expect([absent, revisions]).toEqual([0, 0]);

    const fresh = join(dir, 'older-fresh');
    expect((await exportTo(device, fresh)).code).toBe(0);
    const [title] = [...transcripts(fresh)].find(([, text]) => text.includes('added on the device'))!;
    expect(transcripts(out).get(title)).toBe(transcripts(fresh).get(title));
  });

  it('an archive an older textkeeper made, unchanged on the device since, shows each poll with its votes after its next run, nothing added, changed or gone', async () => {
    const out = join(dir, 'unchanged');
    const device = deviceCopy('unchanged-device');
    expect((await exportTo(device, out)).code).toBe(0);
    asBeforePolls(join(out, 'textkeeper.sqlite'), device);
    expect(transcripts(out).size).toBeGreaterThan(0);

    const run = await exportTo(device, out);
    expect(run.code).toBe(0);
    expect(run.stdout).not.toMatch(/since the last run: .* added/);
    const { guids, absent, revisions } = storedGuids(out);
    expect(folded.filter((r) => guids.has(r.guid))).toEqual([]);
    expect([absent, revisions]).toEqual([0, 0]);
    const fresh = join(dir, 'unchanged-fresh');
    expect((await exportTo(device, fresh)).code).toBe(0);
    expect(transcripts(out)).toEqual(transcripts(fresh));
    expect((await runCli(['verify', out])).code).toBe(0);
  });

  it('a whole run after one with --since, which showed a poll by its added option, keeps that option in the poll, not as a message gone from the device', async () => {
    const out = join(dir, 'since');
    // The first option added is in the window, its poll is not: that version shows the poll, and its votes in it.
    const since = new Date(Math.min(...folded.filter((r) => r.type === 2).map((r) => r.date))).toISOString();
    const first = await exportTo(chatDb, out, ['--since', since]);
    expect(first.code).toBe(0);
    const shown = storedGuids(out).guids;
    expect(folded.filter((r) => shown.has(r.guid)).length).toBeGreaterThan(0);

    const run = await exportTo(chatDb, out);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/since the last run: [\d,]+ messages added, 0 changed, 0 newly not on the device/);
    const { guids, absent } = storedGuids(out);
    expect(folded.filter((r) => guids.has(r.guid))).toEqual([]);
    expect(absent).toBe(0);
    const fresh = join(dir, 'since-fresh');
    expect((await exportTo(chatDb, fresh)).code).toBe(0);
    expect(transcripts(out)).toEqual(transcripts(fresh));
  });
});
