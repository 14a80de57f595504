import { cpSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../support/cli.js';
import { changedDevice, deviceSlice, exportFrom, generateHistory, transcripts, withoutOne, type History } from './device.js';

const MARK = 'Kept by this archive: not on the device since ';
const FORMATS = 'txt,json,html';
const OLDER = /chat\.db at \S+\/chat\.db: an older copy of the database the run of \d{4}-\d\d-\d\d \d\d:\d\d:\d\d read: what it lacks is not taken as gone from the device/;

const marks = (out: string) => [...transcripts(out).values()].join('\n').split(MARK).length - 1;

/** A reaction row of the history placed before `before` on a message sent before it too, that nothing later takes back. */
interface Placed {
  id: number;
  target: string;
  handle: number;
  isFromMe: number;
}

function lastingReaction(history: History, before: number): Placed {
  const db = new Database(join(history.dir, 'chat.db'), { readonly: true });
  try {
    return db.prepare(`SELECT r.ROWID AS id, r.associated_message_guid AS target, r.handle_id AS handle, r.is_from_me AS isFromMe FROM message r
      JOIN message m ON r.associated_message_guid = 'p:0/' || m.guid
      WHERE r.associated_message_type BETWEEN 2000 AND 2005 AND r.date < @before AND m.date < @before AND NOT EXISTS (
        SELECT 1 FROM message l WHERE l.associated_message_guid = r.associated_message_guid AND l.handle_id = r.handle_id
          AND l.is_from_me = r.is_from_me AND l.ROWID > r.ROWID)
      ORDER BY r.ROWID LIMIT 1`).get({ before }) as Placed;
  } finally {
    db.close();
  }
}

/** Its sender takes the reaction back, now: a removal row (its type + 1000) at the end of the database, as Messages adds one. */
function takeBack(db: Database.Database, placed: Placed): void {
  const { date, type, chat } = db.prepare(`SELECT (SELECT MAX(date) FROM message) + 60000000000 AS date, associated_message_type AS type,
    (SELECT chat_id FROM chat_message_join WHERE message_id = ?) AS chat FROM message WHERE ROWID = ?`).get(placed.id, placed.id) as { date: number; type: number; chat: number };
  const { lastInsertRowid } = db.prepare(`INSERT INTO message (guid, associated_message_guid, associated_message_type, handle_id, is_from_me, date, service)
    VALUES ('TAKEN-BACK-1', ?, ?, ?, ?, ?, 'iMessage')`).run(placed.target, type + 1000, placed.handle, placed.isFromMe, date);
  db.prepare('INSERT INTO chat_message_join (chat_id, message_id, message_date) VALUES (?, ?, ?)').run(chat, lastInsertRowid, date);
}

/**
 * The device as a copy made when it held only messages sent before `until` would be: the later ones not yet
 * received, and none of their ROWIDs given yet (deleting rows leaves SQLite's AUTOINCREMENT counter where it was).
 */
function olderCopy(history: History, until: number): string {
  const dir = deviceSlice(history, undefined, until);
  const db = new Database(join(dir, 'chat.db'));
  db.exec("UPDATE sqlite_sequence SET seq = (SELECT MAX(ROWID) FROM message) WHERE name = 'message'");
  db.close();
  return dir;
}

/** The reactions on a message by its GUID, from the folder's JSON files. */
function tapbacksOn(out: string, guid: string): { sender: { handle: string; isMe: boolean }; removedAt?: string }[] {
  for (const file of readdirSync(out).filter((f) => f.endsWith('.json'))) {
    const { messages } = JSON.parse(readFileSync(join(out, file), 'utf8')) as { messages: { guid: string; parts: { tapbacks: [] }[] }[] };
    const message = messages.find((m) => m.guid === guid);
    if (message) return message.parts.flatMap((p) => p.tapbacks);
  }
  throw new Error(`no message ${guid} in ${out}`);
}

describe('an older copy of a Mac’s chat.db exported into an archive after a newer one', () => {
  let out: string;
  let placed: Placed;
  let target: string;
  let history: History;
  let newer: string;
  let older: string;
  const stdouts: string[] = [];
  const texts: Map<string, string>[] = [];
  const reactions: ReturnType<typeof tapbacksOn>[] = [];

  beforeAll(async () => {
    history = await generateHistory(300, 331);
    placed = lastingReaction(history, history.thirds[1]);
    target = placed.target.replace(/^p:\d+\//, '');
    // Now: every message, the reaction taken back. The older copy: the first two thirds, the reaction still on.
    newer = changedDevice(history, (db) => takeBack(db, placed));
    older = olderCopy(history, history.thirds[1]);
    out = join(tempDir('older-copy'), 'archive');
    for (const device of [newer, older]) {
      stdouts.push((await exportFrom(device, out, FORMATS)).stdout);
      texts.push(transcripts(out));
      reactions.push(tapbacksOn(out, target));
    }
  });

  it('marks none of the newer messages it lacks as not on the device, and says why', () => {
    expect(stdouts[1]).not.toMatch(/newly not on the device|back on the device/);
    expect(stdouts[1]).toMatch(OLDER);
    expect(marks(out)).toBe(0);
    expect(readFileSync(join(out, 'index.html'), 'utf8')).toContain('an older copy of the database the run of');
  });

  it('leaves the archive as the newer copy made it: the reaction taken back stays taken back', async () => {
    // The older copy alone shows the reaction placed; the newer one, taken back.
    const alone = join(tempDir('older-alone'), 'archive');
    await exportFrom(older, alone, 'json');
    const placedOnes = (tapbacks: ReturnType<typeof tapbacksOn>) => tapbacks.filter((t) => !t.removedAt).length;
    expect(placedOnes(tapbacksOn(alone, target))).toBe(placedOnes(reactions[0]!) + 1);
    expect(reactions[0]!.filter((t) => t.removedAt)).toHaveLength(1);
    expect(reactions[1]).toEqual(reactions[0]);
    expect(texts[1]).toEqual(texts[0]);
  });

  it('still marks a message the device deletes later, which a second look at the older copy does not bring back', async () => {
    const deleted = tempDir('deleted');
    cpSync(newer, deleted, { recursive: true });
    withoutOne(deleted, 0, history.thirds[0]);
    const after = (await exportFrom(deleted, out, FORMATS)).stdout;
    expect(after).toMatch(/, 1 newly not on the device \(kept by this archive\)$/m);
    expect(after).not.toMatch(OLDER);
    expect(marks(out)).toBe(1);
    // The older copy still has the deleted message: it is not back on the device.
    const again = (await exportFrom(older, out, FORMATS)).stdout;
    expect(again).toMatch(OLDER);
    expect(again).not.toMatch(/back on the device|newly not on the device/);
    expect(marks(out)).toBe(1);
    expect(tapbacksOn(out, target)).toEqual(reactions[0]);
    expect((await runCli(['verify', out])).code).toBe(0);
  });
});
