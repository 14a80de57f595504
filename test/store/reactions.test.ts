import { cpSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { readJsonFiles, schemaValidators } from '../data/support.js';
import { runCli, tempDir } from '../support/cli.js';
import { anotherMac, changedDevice, deviceSlice, exportFrom, generateHistory, type History } from './device.js';

interface Reaction {
  id: number;
  guid: string;
  target: string;
  type: number;
  handle: number;
  isFromMe: number;
  date: number;
}

/** Classic tapbacks that nothing later takes back or replaces (their sender's last word on their part). */
function lastingReactions(dir: string): Reaction[] {
  const db = new Database(join(dir, 'chat.db'), { readonly: true });
  const rows = db.prepare(`SELECT ROWID AS id, guid, associated_message_guid AS target, associated_message_type AS type,
      handle_id AS handle, is_from_me AS isFromMe, date FROM message r
    WHERE associated_message_type BETWEEN 2000 AND 2005 AND associated_message_guid LIKE 'p:%' AND NOT EXISTS (
      SELECT 1 FROM message l WHERE l.associated_message_guid = r.associated_message_guid AND l.handle_id = r.handle_id
        AND l.is_from_me = r.is_from_me AND l.ROWID != r.ROWID AND l.associated_message_type >= 2000)`).all() as Reaction[];
  db.close();
  return rows;
}

/** A row the reaction's sender writes `after` ns later on the same part, as Messages writes it. */
function answer(db: Database.Database, reaction: Reaction, { suffix, type, after }: { suffix: string; type: number; after: number }): void {
  const row = db.prepare('SELECT * FROM message WHERE ROWID = ?').get(reaction.id) as Record<string, unknown>;
  const chat = db.prepare('SELECT chat_id FROM chat_message_join WHERE message_id = ?').pluck().get(reaction.id) as number;
  const { ROWID: _rowId, ...columns } = row;
  Object.assign(columns, { guid: `${reaction.guid}-${suffix}`, associated_message_type: type, date: reaction.date + after });
  const names = Object.keys(columns);
  const { lastInsertRowid } = db.prepare(`INSERT INTO message (${names.join(', ')}) VALUES (${names.map(() => '?').join(', ')})`).run(...Object.values(columns));
  db.prepare('INSERT INTO chat_message_join (chat_id, message_id, message_date) VALUES (?, ?, ?)').run(chat, lastInsertRowid, reaction.date + after);
}

/** The reaction's sender takes it back a minute later: a removal row (type + 1000). */
const takeBack = (db: Database.Database, reaction: Reaction) => answer(db, reaction, { suffix: 'removed', type: reaction.type + 1000, after: 60e9 });

/** The reaction's sender gives it again a minute after taking it back. */
const giveAgain = (db: Database.Database, reaction: Reaction) => answer(db, reaction, { suffix: 'again', type: reaction.type, after: 120e9 });

interface TapbackRecord {
  kind: string;
  sender: { handle: string };
  date: string;
  removedAt?: string;
  absentSince?: string;
}

/** The tapbacks on the message a reaction points at, from the folder's JSON files. */
function tapbacksOn(out: string, target: string): TapbackRecord[] {
  const guid = target.replace(/^p:\d+\//, '');
  for (const file of readdirSync(out).filter((f) => f.endsWith('.json'))) {
    const { messages } = JSON.parse(readFileSync(join(out, file), 'utf8')) as { messages: { guid: string; parts: { tapbacks: TapbackRecord[] }[] }[] };
    const message = messages.find((m) => m.guid === guid);
    if (message) return message.parts.flatMap((p) => p.tapbacks);
  }
  throw new Error(`no message ${guid}`);
}

function allText(out: string, extension: string): string {
  return readdirSync(out, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith(extension)).map((f) => readFileSync(join(out, f), 'utf8')).join('\n');
}

/** How many reactions the transcripts show taken back (the generated history takes some back itself). */
function removedCount(out: string): number {
  return allText(out, '.txt').split('(removed ').length - 1;
}

describe('an archive keeps the reactions the device lost', () => {
  let history: History;
  let reactions: Reaction[];
  beforeAll(async () => {
    history = await generateHistory(400, 311);
    reactions = lastingReactions(history.dir);
  });

  it('marks a deleted reaction as not on the device, and one taken back as removed, in txt, html and json', async () => {
    expect(reactions.length).toBeGreaterThanOrEqual(2);
    const [deleted, removed] = reactions as [Reaction, Reaction];
    const out = join(tempDir('reactions'), 'archive');
    await exportFrom(history.dir, out, 'txt,html,json');
    const before = tapbacksOn(out, deleted.target).length;
    const removedBefore = removedCount(out);

    const after = changedDevice(history, (db) => {
      db.prepare('DELETE FROM chat_message_join WHERE message_id = ?').run(deleted.id);
      db.prepare('DELETE FROM message WHERE ROWID = ?').run(deleted.id);
      takeBack(db, removed);
    });
    const started = new Date().toISOString().slice(0, 10);
    await exportFrom(after, out, 'txt,html,json');
    const kept = tapbacksOn(out, deleted.target);
    expect(kept).toHaveLength(before);
    expect(kept.filter((t) => t.absentSince)).toHaveLength(1);
    const taken = tapbacksOn(out, removed.target).filter((t) => t.removedAt);
    expect(taken).toHaveLength(1);
    expect(Date.parse(taken[0]!.removedAt!)).toBeGreaterThan(Date.parse(taken[0]!.date));
    const text = allText(out, '.txt');
    expect(text).toContain(`(kept by this archive: not on the device since ${started})`);
    expect(removedCount(out)).toBe(removedBefore + 1);
    const html = allText(out, '.html');
    expect(html).toMatch(/<del>[^<]+<\/del><bdi class="who">[^<]+ \(removed \d{4}-\d\d-\d\d\)<\/bdi>/);
    expect(html).toMatch(new RegExp(`⌫<bdi class="who">[^<]+ \\(kept by this archive: not on the device since ${started}\\)</bdi>`));

    const validate = schemaValidators();
    for (const [stem, file] of readJsonFiles(out)) expect(validate.conversation(file), stem).toBe('');

    // Statistics count the reaction the archive kept, not the one taken back.
    const reactionCount = async (args: string[]) => (JSON.parse((await runCli(['stats', ...args, '--json'])).stdout) as { total: { reactions: { count: number } } }).total.reactions.count;
    expect(await reactionCount(['--archive', out])).toBe((await reactionCount(['--db', join(after, 'chat.db')])) + 1);

    // A later whole run of the same device keeps both as they were marked.
    await exportFrom(after, out, 'txt,html,json');
    expect(tapbacksOn(out, deleted.target).filter((t) => t.absentSince)).toHaveLength(1);
    expect(tapbacksOn(out, removed.target).filter((t) => t.removedAt)).toHaveLength(1);
  });

  it('shows a reaction given again after it was taken back once, as given, at its new time', async () => {
    const reaction = reactions.at(-1)!;
    const out = join(tempDir('reactions-again'), 'archive');
    await exportFrom(history.dir, out, 'txt,json');
    const given = tapbacksOn(out, reaction.target);
    const removedBefore = removedCount(out);
    await exportFrom(changedDevice(history, (db) => takeBack(db, reaction)), out, 'txt,json');
    const [removed, ...more] = tapbacksOn(out, reaction.target).filter((t) => t.removedAt);
    expect(removed).toBeDefined();
    expect(more).toHaveLength(0);

    const again = changedDevice(history, (db) => {
      takeBack(db, reaction);
      giveAgain(db, reaction);
    });
    // A later whole run of the same device leaves it so.
    for (let run = 0; run < 2; run++) {
      await exportFrom(again, out, 'txt,json');
      const now = tapbacksOn(out, reaction.target);
      expect(now.filter((t) => t.removedAt || t.absentSince)).toHaveLength(0);
      expect(now).toHaveLength(given.length);
      const theirs = now.filter((t) => t.sender.handle === removed!.sender.handle);
      expect(theirs.map((t) => Date.parse(t.date) - Date.parse(removed!.date))).toEqual([120_000]);
    }
    expect(removedCount(out)).toBe(removedBefore);
  });
});

describe('a reaction the database shows placed and taken back', () => {
  it('is kept as removed on a first export and in one run, as an archive that read it before the removal keeps it', async () => {
    const history = await generateHistory(400, 313);
    const reaction = lastingReactions(history.dir)[0]!;
    const after = changedDevice(history, (db) => takeBack(db, reaction));
    const work = tempDir('reaction-taken-back');
    const [first, oneRun, overTime] = ['first', 'one-run', 'over-time'].map((name) => join(work, name));
    await exportFrom(after, first, 'txt,html,json');
    const run = await runCli(['export', '--db', join(history.dir, 'chat.db'), '--db', join(after, 'chat.db'), '--out', oneRun, '--format', 'json', '--no-progress']);
    expect(run.code, run.stderr).toBe(0);
    for (const device of [history.dir, after]) await exportFrom(device, overTime, 'json');

    const kept = tapbacksOn(overTime, reaction.target);
    const taken = kept.filter((t) => t.removedAt);
    expect(taken).toHaveLength(1);
    expect(Date.parse(taken[0]!.removedAt!) - Date.parse(taken[0]!.date)).toBe(60_000);
    expect(tapbacksOn(first, reaction.target)).toEqual(kept);
    expect(tapbacksOn(oneRun, reaction.target)).toEqual(kept);
    expect(allText(first, '.txt')).toContain(`(removed ${taken[0]!.removedAt!.slice(0, 10)})`);
    expect(allText(first, '.html')).toMatch(/<del>[^<]+<\/del><bdi class="who">[^<]+ \(removed \d{4}-\d\d-\d\d\)<\/bdi>/);
    const validate = schemaValidators();
    for (const [stem, file] of readJsonFiles(first)) expect(validate.conversation(file), stem).toBe('');

    // Statistics count reactions net of removals, whether the archive or the database is read.
    const reactionCount = async (args: string[]) => (JSON.parse((await runCli(['stats', ...args, '--json'])).stdout) as { total: { reactions: { count: number } } }).total.reactions.count;
    const net = (await reactionCount(['--db', join(history.dir, 'chat.db')])) - 1;
    expect(await reactionCount(['--db', join(after, 'chat.db')])).toBe(net);
    expect(await reactionCount(['--archive', first])).toBe(net);
    // Read again, nothing changes.
    expect((await exportFrom(after, first, 'txt,html,json')).stdout).not.toMatch(/ [1-9]\d* changed/);
  });
});

/** Every message's reactions in the folder's JSON files, by GUID (those of messages that have any). */
function allTapbacks(out: string): Map<string, TapbackRecord[]> {
  const all = new Map<string, TapbackRecord[]>();
  for (const file of readdirSync(out).filter((f) => f.endsWith('.json'))) {
    const { messages } = JSON.parse(readFileSync(join(out, file), 'utf8')) as { messages: { guid: string; parts: { tapbacks: TapbackRecord[] }[] }[] };
    for (const message of messages) if (message.parts.some((p) => p.tapbacks.length > 0)) all.set(message.guid, message.parts.flatMap((p) => p.tapbacks));
  }
  return all;
}

describe('a reaction on one device to a message only another device still has', () => {
  let history: History;
  let reaction: Reaction;
  let reference: Map<string, TapbackRecord[]>;
  let hasMessage: string;
  let hasReaction: string;
  beforeAll(async () => {
    history = await generateHistory(400, 312);
    // The reaction placed longest after its message: a device that purged up to the message still has it.
    const db = new Database(join(history.dir, 'chat.db'), { readonly: true });
    const sent = db.prepare('SELECT date FROM message WHERE guid = ?').pluck();
    const [latest] = lastingReactions(history.dir).map((r) => ({ r, gap: r.date - (sent.get(r.target.replace(/^p:\d+\//, '')) as number) })).sort((a, b) => b.gap - a.gap);
    db.close();
    reaction = latest!.r;
    const out = join(tempDir('reaction-reference'), 'archive');
    await exportFrom(history.dir, out, 'json');
    reference = allTapbacks(out);
    // Between them, the two hold the whole history: one up to the reaction, the other since its message.
    hasMessage = deviceSlice(history, undefined, reaction.date - 1e6);
    hasReaction = deviceSlice(history, reaction.date - latest!.gap + 1e6, undefined);
  });

  it('shows it on its message when both devices are read in one run, as the whole history does', async () => {
    const out = join(tempDir('reaction-two-devices'), 'archive');
    const run = await runCli(['export', '--db', join(hasMessage, 'chat.db'), '--db', join(hasReaction, 'chat.db'), '--out', out, '--format', 'txt,json', '--no-progress']);
    expect(run.code, run.stderr).toBe(0);
    const target = reaction.target.replace(/^p:\d+\//, '');
    const tapbacks = allTapbacks(out);
    expect(tapbacks.get(target)).toEqual(reference.get(target));
    expect(tapbacks).toEqual(reference);
    // It was found in the device that has it: the other holds only a reaction to it.
    const file = readdirSync(out).find((f) => f.endsWith('.json') && readFileSync(join(out, f), 'utf8').includes(target))!;
    const { messages } = JSON.parse(readFileSync(join(out, file), 'utf8')) as { messages: { guid: string; sources?: string[] }[] };
    expect(messages.find((m) => m.guid === target)!.sources).toEqual([`chat.db at ${join(hasMessage, 'chat.db')}`]);
  });

  it('adds it to the message the archive kept when the device read later has only the reaction', async () => {
    const out = join(tempDir('reaction-kept'), 'archive');
    await exportFrom(hasMessage, out, 'txt,json');
    const later = await exportFrom(hasReaction, out, 'txt,json');
    expect(later.stdout).toMatch(/[1-9]\d* newly not on the device/);
    expect(allTapbacks(out)).toEqual(reference);
    // Read again, it stays so.
    expect((await exportFrom(hasReaction, out, 'txt,json')).stdout).not.toMatch(/ [1-9]\d* changed/);
    expect(allTapbacks(out)).toEqual(reference);
  });
});

/** Adds a reaction row to `target` (part 0), by its sender or by me, as Messages writes it (an existing reaction row's columns). */
function react(db: Database.Database, target: string, { type, date, mine }: { type: number; date: number; mine: boolean }): void {
  const { ROWID: _rowId, ...columns } = db.prepare('SELECT * FROM message WHERE associated_message_type = 2000 LIMIT 1').get() as Record<string, unknown>;
  const { id, handle } = db.prepare('SELECT ROWID AS id, handle_id AS handle FROM message WHERE guid = ?').get(target) as { id: number; handle: number };
  const chat = db.prepare('SELECT chat_id FROM chat_message_join WHERE message_id = ?').pluck().get(id) as number;
  Object.assign(columns, { guid: `${target}-${type}-${date}`, associated_message_guid: `p:0/${target}`, associated_message_type: type, date, is_from_me: mine ? 1 : 0, handle_id: handle });
  const names = Object.keys(columns);
  const { lastInsertRowid } = db.prepare(`INSERT INTO message (${names.join(', ')}) VALUES (${names.map(() => '?').join(', ')})`).run(...Object.values(columns));
  db.prepare('INSERT INTO chat_message_join (chat_id, message_id, message_date) VALUES (?, ?, ?)').run(chat, lastInsertRowid, date);
}

const LOVE = 2000, LIKE = 2001, DISLIKE = 2002, QUESTION = 2005;

describe('reactions an old and a new Mac hold of the same messages, read in runs of their own in either order or in one run', () => {
  // An old Mac that stopped at the second third, a new one (another database) since the first: they share the middle.
  let old: string;
  let fresh: string;
  // Messages the reactions are aimed at: only the old Mac has the first two; both have the others.
  const target = { replacedLove: '', heldOnly: '', placedAgainOld: '', replacedDislike: '', placedAgain: '' };
  beforeAll(async () => {
    const history = await generateHistory(300, 317);
    const [first, second] = history.thirds;
    const db = new Database(join(history.dir, 'chat.db'), { readonly: true });
    const free = db.prepare(`SELECT guid, date FROM message m WHERE associated_message_type = 0 AND handle_id > 0 AND date >= ? AND date < ?
      AND NOT EXISTS (SELECT 1 FROM message r WHERE r.associated_message_guid LIKE '%' || m.guid) ORDER BY date LIMIT 3`);
    const early = free.all(0, first - 60e9) as { guid: string; date: number }[];
    const shared = free.all(first, second - 60e9) as { guid: string; date: number }[];
    db.close();
    [target.replacedLove, target.heldOnly, target.placedAgainOld] = early.map((m) => m.guid);
    [target.replacedDislike, target.placedAgain] = shared.map((m) => m.guid);
    const whole = changedDevice(history, (db) => {
      const middle = (first + second) / 2;
      const late = second + 3600e9;
      // They loved it, then liked it instead: both Macs hold both rows, only the old one the message.
      react(db, target.replacedLove, { type: LOVE, date: middle, mine: false });
      react(db, target.replacedLove, { type: LIKE, date: middle + 60e9, mine: false });
      // A like only the new Mac holds, of a message only the old one has.
      react(db, target.heldOnly, { type: LIKE, date: late, mine: false });
      // I disliked it, then questioned it after the old Mac stopped.
      react(db, target.replacedDislike, { type: DISLIKE, date: middle + 120e9, mine: true });
      react(db, target.replacedDislike, { type: QUESTION, date: late, mine: true });
      // I disliked it, and disliked it again after the old Mac stopped (its message both have, or only the old one).
      for (const guid of [target.placedAgain, target.placedAgainOld]) {
        react(db, guid, { type: DISLIKE, date: guid === target.placedAgain ? middle + 180e9 : early[2]!.date + 60e9, mine: true });
        react(db, guid, { type: DISLIKE, date: late + 60e9, mine: true });
      }
    });
    old = deviceSlice({ ...history, dir: whole }, undefined, second);
    fresh = anotherMac(deviceSlice({ ...history, dir: whole }, first, undefined));
  });

  /** The reactions on each target in the folder's JSON: kind, who, when, and when taken back. */
  const state = (out: string) => Object.fromEntries(Object.entries(target).map(([name, guid]) =>
    [name, tapbacksOn(out, guid).map((t) => `${t.kind} ${t.sender.handle} ${t.date}${t.removedAt ? ` removed ${t.removedAt}` : ''}${t.absentSince ? ' absent' : ''}`)]));
  const placed = (tapbacks: Record<string, string[]>) => Object.fromEntries(Object.entries(tapbacks).map(([name, list]) => [name, list.filter((t) => !/ removed | absent$/.test(t))]));

  it('shows the latest placement of each person, taken back only when a device saw it taken back after it', async () => {
    const work = tempDir('old-and-new-mac');
    const oneRun = join(work, 'one');
    const run = await runCli(['export', '--db', join(fresh, 'chat.db'), '--db', join(old, 'chat.db'), '--out', oneRun, '--format', 'txt,json', '--no-progress']);
    expect(run.code, run.stderr).toBe(0);
    const reference = state(oneRun);
    // The love the like replaced, and the dislike the question replaced (after the old Mac stopped), are taken back then.
    expect(reference.replacedLove).toEqual([expect.stringMatching(/^like /), expect.stringMatching(/^love .* removed /)]);
    expect(reference.heldOnly).toEqual([expect.stringMatching(/^like /)]);
    expect(reference.replacedDislike).toEqual([expect.stringMatching(/^question /), expect.stringMatching(/^dislike .* removed /)]);
    expect(reference.replacedDislike[1]!.endsWith(` removed ${reference.replacedDislike[0]!.split(' ')[2]}`)).toBe(true);
    expect(reference.placedAgain).toHaveLength(1);
    expect(reference.placedAgainOld).toEqual(reference.placedAgain);

    const oldFirst = join(work, 'old-first');
    const newFirst = join(work, 'new-first');
    for (const device of [old, fresh]) await exportFrom(device, oldFirst, 'txt,json');
    for (const device of [fresh, old]) await exportFrom(device, newFirst, 'txt,json');
    const [inOrder, reversed] = [state(oldFirst), state(newFirst)];
    // Runs of their own show what one run shows: the dislike the old Mac still shows is taken back when the question replaced it.
    expect(inOrder).toEqual(reference);
    // What the new Mac holds of a message only the old Mac has is put on it when the old Mac is read later.
    expect(reversed).toEqual(inOrder);

    // Read again in turns, the archive stays so.
    for (const device of [old, fresh]) expect((await exportFrom(device, oldFirst, 'txt,json')).stdout).not.toMatch(/ [1-9]\d* changed/);
    expect(state(oldFirst)).toEqual(inOrder);
    // The like that replaced the love is never shown taken back.
    expect(state(oldFirst).replacedLove[0]).not.toMatch(/ removed /);
  });
});

/** The GUID a reaction row aims at (`p:N/GUID`, `bp:GUID`). */
const aimedAt = (target: string) => target.replace(/^(?:p:\d+\/|bp:)/, '');

/** Deletes these rows of the message table, with what joins them to chats and files. */
function deleteMessages(db: Database.Database, ids: number[]): void {
  for (const table of ['chat_message_join', 'message_attachment_join']) {
    const remove = db.prepare(`DELETE FROM ${table} WHERE message_id = ?`);
    for (const id of ids) remove.run(id);
  }
  const remove = db.prepare('DELETE FROM message WHERE ROWID = ?');
  for (const id of ids) remove.run(id);
}

/** A reaction line of a transcript: "  ❤️ Loved by …", "  Sticker (heart.png) by …". */
const REACTION_LINE = /^ {2}(?:\S+ (?:Loved|Liked|Disliked|Laughed at|Emphasized|Questioned|Reacted)|Sticker(?: \(.*?\))?) by /;

/** The reaction lines of the folder's transcripts, by file and the first line of their message (of messages that have any). */
function reactionLines(out: string): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const file of readdirSync(out).filter((f) => f.endsWith('.txt'))) {
    let message = '';
    for (const line of readFileSync(join(out, file), 'utf8').split('\n')) {
      if (/^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\] /.test(line)) message = `${file} ${line}`;
      else if (REACTION_LINE.test(line)) found.set(message, [...(found.get(message) ?? []), line]);
    }
  }
  return found;
}

describe('reactions a new Mac holds of messages it lost, which an old Mac has, read in runs of their own in either order or in one run', () => {
  let history: History;
  let fresh: string;
  /** The messages the new Mac lost: every other one that reactions are aimed at. */
  let targets: string[];
  beforeAll(async () => {
    history = await generateHistory(400, 319);
    const db = new Database(join(history.dir, 'chat.db'), { readonly: true });
    const aimed = new Set((db.prepare('SELECT associated_message_guid FROM message WHERE associated_message_type BETWEEN 1000 AND 3999 ORDER BY date').pluck().all() as string[]).map(aimedAt));
    const message = db.prepare('SELECT ROWID FROM message WHERE guid = ? AND associated_message_type = 0 AND item_type = 0').pluck();
    targets = [...aimed].filter((guid) => message.get(guid) !== undefined).filter((_, i) => i % 2 === 0);
    db.close();
    // The new Mac (another database) lost those messages, purged or never synced, and kept the reactions on them.
    fresh = anotherMac(changedDevice(history, (db) => {
      const row = db.prepare('SELECT ROWID FROM message WHERE guid = ?').pluck();
      deleteMessages(db, targets.map((guid) => row.get(guid) as number));
    }));
  });

  /** The old Mac has every message; with `reactions` false, none of the reactions on the messages the new Mac lost. */
  const oldMac = (reactions: boolean) => changedDevice(history, (db) => {
    if (reactions) return;
    const rows = db.prepare('SELECT ROWID AS id, associated_message_guid AS target FROM message WHERE associated_message_type BETWEEN 1000 AND 3999').all() as { id: number; target: string }[];
    deleteMessages(db, rows.filter((r) => targets.includes(aimedAt(r.target))).map((r) => r.id));
  });

  const formats = 'txt,json';
  const oneRun = async (devices: string[], out: string) => {
    const run = await runCli(['export', ...devices.flatMap((d) => ['--db', join(d, 'chat.db')]), '--out', out, '--format', formats, '--no-progress']);
    expect(run.code, run.stderr).toBe(0);
  };

  for (const reactions of [false, true]) {
    it(`shows them on their messages as one run does, in txt and json, the old Mac holding them ${reactions ? 'too' : 'or not'}`, async () => {
      const old = oldMac(reactions);
      const work = tempDir('new-mac-reactions');
      const oneRuns = [join(work, 'one-new-old'), join(work, 'one-old-new')];
      await oneRun([fresh, old], oneRuns[0]!);
      await oneRun([old, fresh], oneRuns[1]!);
      const reference = allTapbacks(oneRuns[0]!);
      const shown = targets.filter((guid) => reference.has(guid));
      expect(shown.length).toBeGreaterThanOrEqual(6);
      const lines = reactionLines(oneRuns[0]!);
      expect(allTapbacks(oneRuns[1]!)).toEqual(reference);
      expect(reactionLines(oneRuns[1]!)).toEqual(lines);

      const newFirst = join(work, 'new-first');
      const oldFirst = join(work, 'old-first');
      await exportFrom(fresh, newFirst, formats);
      // Not shown while the archive lacks their messages.
      expect(shown.filter((guid) => allTapbacks(newFirst).has(guid))).toEqual([]);
      const newOnly = join(work, 'new-only');
      cpSync(newFirst, newOnly, { recursive: true });
      await exportFrom(old, newFirst, formats);
      for (const device of [old, fresh]) await exportFrom(device, oldFirst, formats);
      for (const out of [newFirst, oldFirst]) {
        expect(allTapbacks(out), out).toEqual(reference);
        expect(reactionLines(out), out).toEqual(lines);
      }

      // Read again in turns, the archive stays so, and verifies.
      for (const device of [fresh, old]) expect((await exportFrom(device, newFirst, formats)).stdout).not.toMatch(/ [1-9]\d* changed/);
      expect(allTapbacks(newFirst)).toEqual(reference);
      const verified = await runCli(['verify', newFirst]);
      expect(verified.code, verified.stdout).toBe(0);
      // The archive of the new Mac alone remembers them.
      const store = new Database(join(newOnly, 'textkeeper.sqlite'), { readonly: true });
      expect(store.prepare('SELECT DISTINCT guid FROM waiting_reactions').pluck().all()).toEqual(expect.arrayContaining(shown));
      store.close();

      // The new Mac and an archive of the old Mac alone, read together into a new archive: as one run of both devices.
      const oldArchive = join(work, 'old-archive');
      await exportFrom(old, oldArchive, formats);
      const together = join(work, 'new-with-old-archive');
      const run = await runCli(['export', '--db', join(fresh, 'chat.db'), '--archive', oldArchive, '--out', together, '--format', formats, '--no-progress']);
      expect(run.code, run.stderr).toBe(0);
      expect(shown.filter((guid) => !allTapbacks(together).has(guid))).toEqual([]);
    });
  }

  it('puts them on their messages in an archive an older textkeeper (store version 13) began from the new Mac, once the new Mac is read after the old one', async () => {
    const old = oldMac(false);
    const work = tempDir('new-mac-reactions-v13');
    const reference = join(work, 'one');
    await oneRun([fresh, old], reference);
    const out = join(work, 'archive');
    await exportFrom(fresh, out, formats);
    const store = new Database(join(out, 'textkeeper.sqlite'));
    store.exec('DROP TABLE waiting_reactions; DELETE FROM migrations WHERE version > 13');
    store.pragma('user_version = 13');
    store.close();
    // The store is brought to version 14 without a word (but for the edit made here, not by textkeeper).
    const { stderr } = await exportFrom(old, out, formats);
    expect(stderr.trim().split('\n')).toEqual([expect.stringMatching(/^warning: textkeeper\.sqlite was changed since the last export, not by textkeeper/)]);
    await exportFrom(fresh, out, formats);
    expect(allTapbacks(out)).toEqual(allTapbacks(reference));
    expect(reactionLines(out)).toEqual(reactionLines(reference));
  });
});
