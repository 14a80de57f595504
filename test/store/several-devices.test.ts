import { cpSync, existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeBackup } from '../../src/generate/backup.js';
import { runCli, tempDir } from '../support/cli.js';
import { pdfText, pdfToolsPresent } from '../pdf/pdf-tools.js';
import { anotherMac, beforeEdits, changedDevice, deviceSlice, exportFrom, filesOf, generateHistory, transcripts, withoutOne, type History } from './device.js';

const MARK = 'Kept by this archive: not on the device since ';

/** A new archive of these devices read together in one run (txt and JSON). */
async function exportedTogether(devices: string[]): Promise<string> {
  const out = join(tempDir('together'), 'archive');
  const run = await runCli(['export', ...devices.flatMap((d) => ['--db', join(d, 'chat.db')]), '--out', out, '--format', 'txt,json', '--no-progress']);
  expect(run.code, run.stderr).toBe(0);
  return out;
}

/** A new archive of these devices read in runs of their own, in this order (txt and JSON). */
async function exportedInTurns(devices: string[]): Promise<string> {
  const out = join(tempDir('in-turns'), 'archive');
  for (const device of devices) await exportFrom(device, out, 'txt,json');
  return out;
}

/** The ids the archive knows its Mac databases by, and the sources its messages came from. */
function sourcesOf(archive: string): { lineages: string[]; names: string[] } {
  const db = new Database(join(archive, 'textkeeper.sqlite'), { readonly: true });
  try {
    const lineages = db.prepare('SELECT DISTINCT source FROM lineages ORDER BY source').pluck().all() as string[];
    const names = db.prepare('SELECT DISTINCT j.value FROM source_sets, json_each(source_sets.sources) AS j ORDER BY 1').pluck().all() as string[];
    return { lineages, names };
  } finally {
    db.close();
  }
}

/** Text a run prints that says the archive marked messages as no longer on the device, or found them back. */
const FLAPPED = /[1-9]\d* newly not on the device|back on the device/;

describe('a Mac that keeps every message and an iPhone that keeps the last months, exported in runs of their own', () => {
  it('marks none of the Mac’s messages as no longer on the device when the iPhone is read, and marks what the Mac purges', async () => {
    const history = await generateHistory(300, 316);
    const work = tempDir('mac-and-iphone');
    const archive = join(work, 'archive');
    const phone = deviceSlice(history, history.thirds[1], undefined);
    await writeBackup({ chatDb: join(phone, 'chat.db'), attachmentsDir: join(phone, 'Attachments'), outDir: join(work, 'backup'), seed: 316 });
    const fromBackup = async () => {
      const run = await runCli(['export', '--backup', join(work, 'backup'), '--out', archive, '--format', 'txt', '--no-progress']);
      expect(run.code, run.stderr).toBe(0);
      return run.stdout;
    };
    const runs = [(await exportFrom(history.dir, archive)).stdout, await fromBackup(), (await exportFrom(history.dir, archive)).stdout, await fromBackup()];
    for (const run of runs) expect(run).not.toMatch(FLAPPED);
    // The two store each attachment under their own folders (~/Library/Messages, ~/Library/SMS): no change of its message.
    for (const run of runs) expect(run).not.toMatch(/ [1-9]\d* changed/);
    const text = [...transcripts(archive).values()].join('\n');
    expect(text).not.toContain(MARK);
    // The iPhone lacks the Mac's messages from before its first one: that says nothing, and no message names the Mac.
    expect(text).not.toContain('⧉ Found in');
    // The Mac purges the first third, which the iPhone no longer has either; the iPhone does not bring it back.
    expect((await exportFrom(deviceSlice(history, history.thirds[0], undefined), archive)).stdout).toMatch(/ [1-9]\d* newly not on the device/);
    expect(await fromBackup()).not.toMatch(FLAPPED);
    expect([...transcripts(archive).values()].join('\n')).toContain(MARK);
  });
});

describe('two Macs’ databases exported into one archive in runs of their own', () => {
  let history: History;
  let work: string;
  let macbook: string;
  let imac: string;
  const runs: string[] = [];

  beforeAll(async () => {
    history = await generateHistory(300, 315);
    work = tempDir('two-macs');
    // They share the middle third (iCloud); the MacBook has the first, the iMac the last.
    macbook = deviceSlice(history, undefined, history.thirds[1]);
    imac = anotherMac(deviceSlice(history, history.thirds[0], undefined));
    for (const device of [macbook, imac, macbook, imac]) runs.push((await exportFrom(device, join(work, 'archive'))).stdout);
  });

  it('keep two sources: no run marks the other Mac’s messages as no longer on the device, nor changes them', () => {
    for (const run of runs) expect(run).not.toMatch(FLAPPED);
    // Each lacks the reactions the other got after its last message.
    for (const run of runs.slice(2)) expect(run).not.toMatch(/ [1-9]\d* changed/);
    const text = [...transcripts(join(work, 'archive')).values()].join('\n');
    expect(text).not.toContain(MARK);
    // Each lacks the other's messages from before its first or after its last only: no message names its Mac.
    expect(text).not.toContain('⧉ Found in');
    expect(sourcesOf(join(work, 'archive'))).toEqual({ lineages: ['chat.db', `chat.db at ${join(imac, 'chat.db')}`], names: ['chat.db', `chat.db at ${join(imac, 'chat.db')}`] });
  });

  it('keep two sources when each is copied into a new folder, and mark what both no longer have', async () => {
    const archive = join(work, 'archive');
    // The MacBook has purged its first third: those messages were on it alone. It lost one of the months the iMac holds
    // too, after its first message now (the first it has since the purge: what came before that it lacks says nothing).
    const [purgedTo, stopped] = history.thirds;
    const purged = withoutOne(deviceSlice(history, purgedTo, stopped), (purgedTo + stopped) / 2, stopped);
    const moved = [join(work, 'macbook-june'), join(work, 'imac-june')];
    cpSync(purged, moved[0]!, { recursive: true });
    cpSync(imac, moved[1]!, { recursive: true });
    const june = [(await exportFrom(moved[0]!, archive)).stdout, (await exportFrom(moved[1]!, archive)).stdout];
    expect(june[0]).toMatch(/ [1-9]\d* newly not on the device/);
    expect(june[1]).not.toMatch(FLAPPED);
    expect(sourcesOf(archive).lineages).toEqual(['chat.db', `chat.db at ${join(imac, 'chat.db')}`]);
    const text = [...transcripts(archive).values()].join('\n');
    expect(text).toContain(MARK);
    expect(text).toContain(`⧉ Found in: chat.db at ${join(moved[1]!, 'chat.db')}\n`);
  });
});

/** The GUIDs of the messages a device's database holds. */
function guidsOf(device: string): Set<string> {
  const db = new Database(join(device, 'chat.db'), { readonly: true });
  try {
    return new Set(db.prepare('SELECT guid FROM message').pluck().all() as string[]);
  } finally {
    db.close();
  }
}

/** Every message of a folder's JSON files whose sources are named under it (not in every source), by GUID. */
function namedSources(out: string): Map<string, string[]> {
  const named = new Map<string, string[]>();
  for (const file of readdirSync(out).filter((f) => f.endsWith('.json'))) {
    const { messages } = JSON.parse(readFileSync(join(out, file), 'utf8')) as { messages: { guid: string; sources?: string[] }[] };
    for (const { guid, sources } of messages) if (sources) named.set(guid, sources);
  }
  return named;
}

describe('two copies of one Mac’s database read together, then a later copy alone', () => {
  it('names the messages only the older copy had by that copy, not by the later one, which never held them', async () => {
    const history = await generateHistory(300, 317);
    const all = new Database(join(history.dir, 'chat.db'), { readonly: true });
    const lastTenth = all.prepare('SELECT date FROM message ORDER BY date LIMIT 1 OFFSET (SELECT count(*) * 9 / 10 FROM message)').pluck().get() as number;
    all.close();
    // The older copy has the first two thirds; the newer one has purged the first and got the rest but the last
    // tenth, which the later one (in a folder of its own) has too.
    const older = deviceSlice(history, undefined, history.thirds[1]);
    const newer = deviceSlice(history, history.thirds[0], lastTenth);
    const later = deviceSlice(history, history.thirds[0], undefined);
    const archive = join(tempDir('two-copies'), 'archive');
    const together = await runCli(['export', '--db', join(older, 'chat.db'), '--db', join(newer, 'chat.db'), '--out', archive, '--format', 'json', '--no-progress']);
    expect(together.code, together.stderr).toBe(0);
    await exportFrom(later, archive, 'json');
    const named = [...namedSources(archive)];
    const [olderHeld, laterHeld] = [guidsOf(older), guidsOf(later)];
    const naming = (device: string) => named.filter(([, sources]) => sources.includes(`chat.db at ${join(device, 'chat.db')}`)).map(([guid]) => guid);
    expect(naming(older).length).toBeGreaterThan(0);
    expect(naming(older).filter((guid) => !olderHeld.has(guid))).toEqual([]);
    expect(naming(later).length).toBeGreaterThan(0);
    expect(naming(later).filter((guid) => !laterHeld.has(guid))).toEqual([]);
  });
});

describe('a new iPhone that took over from the old one (its messages restored from the old one’s backup)', () => {
  it('names no source under the messages one of them lacks from before its first or after its last, and names the old one under a message only the new one lost', async () => {
    const history = await generateHistory(300, 317);
    const work = tempDir('new-iphone');
    const archive = join(work, 'archive');
    const [, changeover] = history.thirds;
    // The old iPhone, last backed up before the new one took over; the new one has all but the first third, and lost one message of the old one's months.
    const phones = [
      { device: deviceSlice(history, undefined, changeover), udid: '00008030-0000000000000001', date: '2026-01-01' },
      { device: withoutOne(deviceSlice(history, history.thirds[0], undefined), history.thirds[0], changeover), udid: '00008030-0000000000000002', date: '2026-06-01' },
    ];
    for (const [i, { device, udid, date }] of phones.entries()) {
      const backup = join(work, `backup-${i}`);
      await writeBackup({ chatDb: join(device, 'chat.db'), attachmentsDir: join(device, 'Attachments'), outDir: backup, seed: 317, device: { udid, lastBackupDate: new Date(`${date}T12:00:00Z`) } });
      const result = await runCli(['export', '--backup', backup, '--out', archive, '--format', 'txt,json', '--no-progress']);
      expect(result.code, result.stderr).toBe(0);
    }
    const text = [...transcripts(archive).values()].join('\n');
    expect(text.match(/⧉ Found in: .*/g)).toEqual([`⧉ Found in: iPhone backup: Sample iPhone, iOS 17.5.1, backed up 2026-01-01`]);
    // The data formats name the sources of every message one of them lacks.
    const json = readdirSync(archive).filter((f) => f.endsWith('.json')).map((f) => JSON.parse(readFileSync(join(archive, f), 'utf8')) as { messages: { sources?: string[] }[] });
    expect(json.flatMap((c) => c.messages).filter((m) => m.sources).length).toBeGreaterThan(100);
  });
});

/** Exports the Mac's database and a backup of the iPhone's into `archive` in turns, three times each; gives what each run printed. */
async function inTurns(mac: string, phone: string, seed: number, archive: string, extra: string[] = []): Promise<string[]> {
  const backup = join(archive, '..', `backup-${seed}`);
  if (!existsSync(backup)) await writeBackup({ chatDb: join(phone, 'chat.db'), attachmentsDir: join(phone, 'Attachments'), outDir: backup, seed });
  const fromBackup = async () => {
    const run = await runCli(['export', '--backup', backup, '--out', archive, '--format', 'txt,json', '--no-progress', ...extra]);
    expect(run.code, run.stderr).toBe(0);
    return run.stdout;
  };
  const runs: string[] = [];
  for (let i = 0; i < 3; i++) runs.push((await exportFrom(mac, archive, 'txt,json', extra)).stdout, await fromBackup());
  return runs;
}

const CHANGED = / [1-9]\d* changed|newly not on the device|back on the device/;

describe('a Mac and an iPhone that know a message otherwise, exported in turns', () => {
  it('change no message at any run after the first of each: a reaction the Mac never got stays, one the iPhone took back stays taken back', async () => {
    const history = await generateHistory(600, 318);
    const work = tempDir('late-reactions');
    // The Mac stopped getting messages; the iPhone got reactions to its messages later, and took some back.
    const runs = await inTurns(deviceSlice(history, undefined, history.thirds[1]), deviceSlice(history, history.thirds[0], undefined), 318, join(work, 'archive'));
    expect(runs[1]).toMatch(/ [1-9]\d* changed/);
    for (const run of runs.slice(2)) expect(run).not.toMatch(CHANGED);
    const tapbacks = readdirSync(join(work, 'archive')).filter((f) => f.endsWith('.json'))
      .flatMap((f) => (JSON.parse(readFileSync(join(work, 'archive', f), 'utf8')) as { messages: { parts: { tapbacks?: { removedAt?: string; absentSince?: string }[] }[] }[] }).messages)
      .flatMap((m) => m.parts.flatMap((p) => p.tapbacks ?? []));
    expect(tapbacks.filter((t) => t.absentSince)).toEqual([]);
    expect(tapbacks.filter((t) => t.removedAt).length).toBeGreaterThan(0);
  });

  it('with --attachments link or none: each keeps its files where it does, which is no change of their messages', async () => {
    const history = await generateHistory(300, 320);
    const work = tempDir('linked-in-turns');
    const [mac, phone] = [deviceSlice(history, undefined, history.thirds[1]), deviceSlice(history, history.thirds[0], undefined)];
    // The iPhone keeps only recent files (its storage optimised): its oldest ones are on the Mac alone.
    const phoneFiles = readdirSync(join(phone, 'Attachments'), { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
    const macFiles = new Set(readdirSync(join(mac, 'Attachments'), { recursive: true }).map(String));
    const onlyOnMac = phoneFiles.filter((e) => macFiles.has(relative(join(phone, 'Attachments'), join(e.parentPath, e.name)))).slice(0, 3);
    expect(onlyOnMac).toHaveLength(3);
    for (const e of onlyOnMac) rmSync(join(e.parentPath, e.name));
    for (const mode of ['link', 'none']) {
      const runs = await inTurns(mac, phone, 320, join(work, `archive-${mode}`), ['--attachments', mode]);
      for (const run of runs.slice(2)) expect(run, mode).not.toMatch(CHANGED);
    }
  });

  it('keep an edit and an unsending the Mac never saw (it stopped getting messages before them)', async () => {
    const history = await generateHistory(600, 322);
    const work = tempDir('edits-in-turns');
    const mac = deviceSlice(history, undefined, undefined);
    const stale = beforeEdits(mac);
    expect(stale.edited.length).toBeGreaterThan(0);
    expect(stale.unsent.length).toBeGreaterThan(0);
    const runs = await inTurns(mac, deviceSlice(history, undefined, undefined), 322, join(work, 'archive'));
    expect(runs[1]).toMatch(new RegExp(` ${stale.edited.length + stale.unsent.length} changed`));
    for (const run of runs.slice(2)) expect(run).not.toMatch(CHANGED);
    const messages = new Map(readdirSync(join(work, 'archive')).filter((f) => f.endsWith('.json'))
      .flatMap((f) => (JSON.parse(readFileSync(join(work, 'archive', f), 'utf8')) as { messages: { guid: string; edited: boolean; parts: { kind: string }[] }[] }).messages)
      .map((m) => [m.guid, m]));
    for (const guid of stale.edited) expect(messages.get(guid)).toMatchObject({ edited: true, parts: [{ kind: 'text' }] });
    for (const guid of stale.unsent) expect(messages.get(guid)!.parts[0]!.kind).toBe('unsent');
  });

  it('keep when a message was delivered and read, though the Mac never learned it (read on the iPhone, its read state not shared)', async () => {
    const history = await generateHistory(300, 319);
    const work = tempDir('receipts');
    const mac = deviceSlice(history, undefined, history.thirds[1]);
    const db = new Database(join(mac, 'chat.db'));
    const unread = db.prepare('UPDATE message SET date_read = 0, is_read = 0, date_delivered = 0 WHERE date >= ? AND date_read > 0').run(history.thirds[0]).changes;
    db.close();
    const runs = await inTurns(mac, deviceSlice(history, history.thirds[0], undefined), 319, join(work, 'archive'));
    // The iPhone brings when they were delivered and read.
    expect(runs[1]).toMatch(/ [1-9]\d* changed/);
    for (const run of runs.slice(2)) expect(run).not.toMatch(CHANGED);
    const text = [...transcripts(join(work, 'archive')).values()].join('\n');
    expect(text.match(/✓ Read /g)!.length).toBeGreaterThan(unread);
  });
});

describe('a Mac and an iPhone read together, then the Mac with a newer backup of the iPhone that keeps less', () => {
  it('counts what only the Mac has as a run that reads them into a new archive does: the iPhone no longer has it', async () => {
    const history = await generateHistory(300, 318);
    const work = tempDir('mac-with-newer-backup');
    const backups = [deviceSlice(history, undefined, undefined), deviceSlice(history, history.thirds[0], undefined)].map((phone, i) => {
      const outDir = join(work, `backup-${i}`);
      return writeBackup({ chatDb: join(phone, 'chat.db'), attachmentsDir: join(phone, 'Attachments'), outDir, seed: 318, device: { lastBackupDate: new Date(`2026-0${3 + 3 * i}-01T12:00:00Z`) } }).then(() => outDir);
    });
    const [older, newer] = await Promise.all(backups);
    const withBackup = async (backup: string, archive: string) => {
      const run = await exportFrom(history.dir, archive, 'txt', ['--backup', backup]);
      return run.stdout.split('\n').filter((line) => / messages (in every source|only in) /.test(line));
    };
    const sources = (archive: string) => [...transcripts(archive).values()].map((text) => /^Sources: .*$/m.exec(text)?.[0]);
    await withBackup(older!, join(work, 'archive'));
    const counts = await withBackup(newer!, join(work, 'archive'));
    expect(counts).toEqual(await withBackup(newer!, join(work, 'new')));
    expect(counts.join('\n')).toMatch(/ [1-9]\d* messages only in chat\.db/);
    expect(sources(join(work, 'archive'))).toEqual(sources(join(work, 'new')));
  });
});

describe('a group someone joined on one of two devices', () => {
  it('lists everyone either says took part, in one order, read together in either order or in runs of their own', async () => {
    const history = await generateHistory(400, 302, 7);
    const joinedByChiara = (device: string) => {
      const db = new Database(join(device, 'chat.db'));
      db.exec(`INSERT INTO chat_handle_join (chat_id, handle_id) SELECT c.ROWID, h.ROWID FROM chat c, handle h
        WHERE c.display_name = 'Family 🏡' AND h.id = 'chiara2@example.com'`);
      db.close();
      return device;
    };
    // The MacBook, which numbers its handles otherwise, has the first two thirds; on the iPhone someone joined the group since.
    const macbook = anotherMac(deviceSlice(history, undefined, history.thirds[1]));
    const phone = joinedByChiara(deviceSlice(history, history.thirds[0], undefined));
    const participants = (out: string) => {
      const line = /^Participants: .*$/m.exec(readFileSync(join(out, 'Family 🏡.txt'), 'utf8'))![0];
      const json = JSON.parse(readFileSync(join(out, 'Family 🏡.json'), 'utf8')) as { conversation: { participants: { handle: string }[] } };
      return [line, json.conversation.participants.map((p) => p.handle).join(', ')];
    };
    const together = async (devices: string[]) => participants(await exportedTogether(devices));
    const inTurns = async (devices: string[]) => participants(await exportedInTurns(devices));
    const alone = join(tempDir('alone'), 'archive');
    await exportFrom(joinedByChiara(deviceSlice(history, undefined, undefined)), alone, 'txt,json');
    const everyone = (found: string[]) => found[1]!.split(', ').sort();
    const merged = await together([macbook, phone]);
    // Everyone a device that has it all lists, in one order whichever source comes first.
    expect(everyone(merged)).toEqual(everyone(participants(alone)));
    expect(everyone(merged)).toContain('chiara2@example.com');
    expect(merged[0]).toContain('chiara2@example.com');
    expect(await together([phone, macbook])).toEqual(merged);
    // A run of the MacBook alone after the iPhone's keeps her, as a run of both lists them; after the MacBook's, the iPhone's lists everyone.
    expect(await inTurns([phone, macbook])).toEqual(merged);
    expect(await inTurns([macbook, phone])).toEqual(merged);
    const list = await runCli(['list', '--db', join(macbook, 'chat.db'), '--db', join(phone, 'chat.db')]);
    expect(list.stdout.split('\n').find((line) => line.includes('Family 🏡'))).toContain('chiara2@example.com');
  });
});

describe('a group someone left and someone was removed from, and a device that keeps only what came after', () => {
  it('marks who left and who was removed, each where one run of both lists them, read together in either order or in runs of their own', async () => {
    const history = await generateHistory(400, 302, 7);
    const [early, late] = history.thirds.map(BigInt) as [bigint, bigint];
    const handles: string[] = [];
    // Before the iPhone's first message one member left, one was removed, and one was removed and then (after the
    // MacBook's last) added back: the group's only membership changes. Both still list everyone (a missed deletion).
    const changed = changedDevice(history, (db) => {
      const group = db.prepare(`SELECT ROWID FROM chat WHERE display_name = 'Family 🏡'`).pluck().get() as number;
      const members = db.prepare('SELECT h.ROWID AS id, h.id AS handle FROM chat_handle_join j JOIN handle h ON h.ROWID = j.handle_id WHERE j.chat_id = ? ORDER BY h.ROWID').all(group) as { id: number; handle: string }[];
      const [left, removed, back] = members;
      handles.push(left!.handle, removed!.handle, back!.handle);
      const changes = 'item_type = 1 OR (item_type = 3 AND group_action_type = 0)';
      db.exec(`DELETE FROM chat_message_join WHERE message_id IN (SELECT ROWID FROM message WHERE ${changes}); DELETE FROM message WHERE ${changes};`);
      const add = db.prepare(`INSERT INTO message (guid, handle_id, is_from_me, service, date, associated_message_type, item_type, other_handle, group_action_type)
        VALUES (?, ?, ?, 'iMessage', ?, 0, ?, ?, ?)`);
      const rows: [bigint, number, number, number, number, number][] = [
        [early - 3_000_000_000n, left!.id, 0, 3, 0, 0], // left
        [early - 2_000_000_000n, 0, 1, 1, removed!.id, 1], // I removed them
        [early - 1_000_000_000n, 0, 1, 1, back!.id, 1], // I removed them
        [late + 1_000_000_000n, 0, 1, 1, back!.id, 0], // and added them back
      ];
      rows.forEach(([date, sender, fromMe, itemType, other, action], i) => {
        const id = add.run(`MEMBERSHIP-${i}`, sender, fromMe, date, itemType, other, action).lastInsertRowid;
        db.prepare('INSERT INTO chat_message_join (chat_id, message_id, message_date) VALUES (?, ?, ?)').run(group, id, date);
      });
    });
    const changedHistory = { dir: changed, thirds: history.thirds };
    // The MacBook, which numbers its handles otherwise, has the first two thirds; the iPhone the last two.
    const macbook = anotherMac(deviceSlice(changedHistory, undefined, history.thirds[1]));
    const phone = deviceSlice(changedHistory, history.thirds[0], undefined);
    const header = (out: string) => {
      const text = readFileSync(join(out, 'Family 🏡.txt'), 'utf8');
      const json = JSON.parse(readFileSync(join(out, 'Family 🏡.json'), 'utf8')) as { conversation: { participants: { handle: string; former?: string }[] } };
      return { line: /^Participants: .*$/m.exec(text)![0], participants: json.conversation.participants.map((p) => [p.handle, p.former]), text };
    };
    const together = async (devices: string[]) => header(await exportedTogether(devices));
    const inTurns = async (devices: string[]) => header(await exportedInTurns(devices));
    const formers = ({ participants }: { participants: (string | undefined)[][] }) => participants.filter(([, former]) => former);
    const alone = join(tempDir('alone'), 'archive');
    await exportFrom(changed, alone, 'txt,json');
    expect(formers(header(alone))).toEqual([[handles[0], 'left'], [handles[1], 'removed']]);
    const merged = await together([macbook, phone]);
    expect(formers(merged)).toEqual(formers(header(alone)));
    expect(merged.line.match(/\(left the group\)|\(removed from the group\)/g)).toEqual(['(left the group)', '(removed from the group)']);
    const reversed = await together([phone, macbook]);
    expect([reversed.line, reversed.participants]).toEqual([merged.line, merged.participants]);
    // The iPhone's run after the MacBook's keeps what became of them, and where they came.
    for (const order of [[macbook, phone], [phone, macbook]]) {
      const found = await inTurns(order);
      expect([found.line, found.participants]).toEqual([merged.line, merged.participants]);
    }
    // The header names the sources in one order, whichever was given first.
    const sourcesIn = (line: string) => [...line.matchAll(/chat\.db at (\S+?\/chat\.db)/g)].map((m) => m[1]);
    const sourcesLine = /^Sources: .*$/m.exec(merged.text)![0];
    expect(sourcesIn(sourcesLine)).toHaveLength(2);
    expect(sourcesIn(sourcesLine)).toEqual(sourcesIn(/^Exported .*$/m.exec(merged.text)![0]));
    expect(/^Sources: .*$/m.exec(reversed.text)![0]).toBe(sourcesLine);
  });
});

describe('an old Mac, then an iPhone in two backups, the later keeping only its last months, exported in runs of their own', () => {
  it('say of their sources what one run with the Mac and the later backup says, in either order: no “Found in”, the same counts in the summary and in each conversation', async () => {
    const history = await generateHistory(300, 323);
    const work = tempDir('purging-iphone');
    const [stopped, kept] = history.thirds;
    // The Mac stopped getting messages; the iPhone had them all, then kept only the last third.
    const mac = join(deviceSlice(history, undefined, stopped), 'chat.db');
    const [older, newer] = await Promise.all([undefined, kept].map(async (from, i) => {
      const phone = deviceSlice(history, from, undefined);
      const outDir = join(work, `backup-${i}`);
      await writeBackup({ chatDb: join(phone, 'chat.db'), attachmentsDir: join(phone, 'Attachments'), outDir, seed: 323, device: { lastBackupDate: new Date(`2026-0${3 + 3 * i}-01T12:00:00Z`) } });
      return outDir;
    }));
    const run = async (archive: string, sources: string[]) => {
      const result = await runCli(['export', ...sources, '--out', archive, '--format', 'txt,json', '--no-progress']);
      expect(result.code, result.stderr).toBe(0);
      return result.stdout.split('\n').filter((line) => / messages? (in every source|only in) /.test(line));
    };
    const said = (archive: string) => ({
      sources: [...transcripts(archive)].map(([file, text]) => [file, /^Sources: .*$/m.exec(text)?.[0]]),
      counts: readdirSync(archive).filter((f) => f.endsWith('.json')).map((f) => (JSON.parse(readFileSync(join(archive, f), 'utf8')) as { conversation: { sourceCounts?: unknown } }).conversation.sourceCounts),
      foundIn: [...transcripts(archive).values()].join('\n').match(/⧉ Found in: .*/g),
    });
    const together = await run(join(work, 'together'), ['--db', mac, '--backup', newer!]);
    const oneRun = said(join(work, 'together'));
    expect(together.join('\n')).toMatch(/ [1-9]\d* messages only in iPhone backup/);
    expect(oneRun.sources.every(([, line]) => line !== undefined)).toBe(true);
    expect(oneRun.foundIn).toBeNull();
    for (const [name, order] of [['in date order', [['--db', mac], ['--backup', older!], ['--backup', newer!]]], ['newest first', [['--backup', newer!], ['--db', mac]]]] as const) {
      const archive = join(work, name);
      let last: string[] = [];
      for (const sources of order) last = await run(archive, [...sources]);
      // The messages only the older backup had are kept by the archive: in no source now.
      expect(last, name).toEqual(together);
      expect(said(archive), name).toEqual(oneRun);
    }
    expect([...transcripts(join(work, 'in date order')).values()].join('\n')).toContain(MARK);
  });
});

/** Each message block of the folder's transcripts that says a part was unsent, in order. */
function unsentBlocks(out: string): string[] {
  return [...transcripts(out).values()].flatMap((text) => text.split('\n\n').filter((block) => block.includes('[This part of the message was unsent at ')));
}

/** The folder's JSON messages of the given GUIDs, by GUID. */
function messagesOf(out: string, guids: string[]): Map<string, { edited: boolean; parts: { kind: string; edits?: { text: string }[] }[] }> {
  const wanted = new Set(guids);
  return new Map(readdirSync(out).filter((f) => f.endsWith('.json'))
    .flatMap((f) => (JSON.parse(readFileSync(join(out, f), 'utf8')) as { messages: { guid: string; edited: boolean; parts: { kind: string }[] }[] }).messages)
    .filter((m) => wanted.has(m.guid)).map((m) => [m.guid, m]));
}

describe('a Mac that saw messages unsent and an iPhone backed up before, which still shows their text', () => {
  it('keeps that text as each part’s text before it was unsent, read together as in runs of their own in either order', async () => {
    const history = await generateHistory(600, 322);
    const work = tempDir('unsent-on-one');
    const phone = deviceSlice(history, undefined, undefined);
    const { unsent } = beforeEdits(phone);
    expect(unsent.length).toBeGreaterThan(0);
    const backup = join(work, 'backup');
    await writeBackup({ chatDb: join(phone, 'chat.db'), attachmentsDir: join(phone, 'Attachments'), outDir: backup, seed: 322 });
    const fromBackup = async (archive: string) => {
      const run = await runCli(['export', '--backup', backup, '--out', archive, '--format', 'txt,json', '--no-progress']);
      expect(run.code, run.stderr).toBe(0);
      return run.stdout;
    };
    const [together, phoneFirst, macFirst] = ['together', 'phone-first', 'mac-first'].map((name) => join(work, name));
    await exportFrom(history.dir, together, 'txt,json', ['--backup', backup]);
    await fromBackup(phoneFirst);
    await exportFrom(history.dir, phoneFirst, 'txt,json');
    await exportFrom(history.dir, macFirst, 'txt,json');
    const runs = [await fromBackup(macFirst), (await exportFrom(history.dir, macFirst, 'txt,json')).stdout];
    const merged = messagesOf(together, unsent);
    expect(merged.size).toBe(unsent.length);
    for (const [guid, message] of merged) {
      expect(message.parts[0]!.kind, guid).toBe('unsent');
      expect(message.parts[0]!.edits ?? [], guid).not.toEqual([]);
    }
    expect(messagesOf(phoneFirst, unsent)).toEqual(merged);
    expect(messagesOf(macFirst, unsent)).toEqual(merged);
    const blocks = unsentBlocks(together);
    expect(blocks.filter((block) => block.includes('\n  Text before it was unsent:\n')).length).toBeGreaterThan(0);
    expect(unsentBlocks(phoneFirst)).toEqual(blocks);
    expect(unsentBlocks(macFirst)).toEqual(blocks);
    // The iPhone read after the Mac brings the texts; the Mac read again changes nothing.
    expect(runs[0]).toMatch(/ [1-9]\d* changed/);
    expect(runs[1]).not.toMatch(CHANGED);
  });
});

describe('a group event one of two copies of a database lost, read together', () => {
  it('names where it was found beside it in txt, HTML and PDF, as under a message', async () => {
    const history = await generateHistory(400, 302, 7);
    const work = tempDir('event-found-in');
    const lost = withoutOne(deviceSlice(history, undefined, undefined), history.thirds[0], history.thirds[1], 'event');
    const out = join(work, 'out');
    await exportFrom(history.dir, out, 'txt,html,pdf,json', ['--db', join(lost, 'chat.db')]);
    const where = `chat.db at ${join(history.dir, 'chat.db')}`;
    const events = readdirSync(out).filter((f) => f.endsWith('.json'))
      .flatMap((f) => (JSON.parse(readFileSync(join(out, f), 'utf8')) as { messages: { kind: string; sources?: string[]; event?: { description: string } }[] }).messages)
      .filter((m) => m.kind === 'event' && m.sources);
    expect(events.map((m) => m.sources)).toEqual([[where]]);
    const description = events[0]!.event!.description;
    expect([...transcripts(out).values()].join('\n')).toContain(`] — ${description}\n  ⧉ Found in: ${where}\n\n`);
    const html = filesOf(out).filter((f) => f.endsWith('.html')).map((f) => readFileSync(join(out, f), 'utf8')).join('\n');
    const found = html.split('<li class="event"').filter((item) => item.split('</li>')[0]!.includes('<span class="sources">'));
    expect(found.map((item) => item.split('</li>')[0]!.replace(/<\/?bdi>/g, ''))).toEqual([expect.stringContaining(`${description} · `)]);
    expect(found[0]).toContain(`<span class="sources">Found in ${where}</span></span>`);
    if (pdfToolsPresent) {
      const pdf = readdirSync(out).filter((f) => f.endsWith('.pdf')).map((f) => pdfText(join(out, f)).replace(/\s+/g, ' ')).join(' ');
      expect(pdf).toContain(`${description} · `);
      expect(pdf).toMatch(new RegExp(`${escaped(description)} · [\\d:]+ · found in ${escaped(where)}`));
    }
  });
});

function escaped(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
