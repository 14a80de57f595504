import { cpSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../support/cli.js';
import { compareText } from '../../src/model/people.js';
import { deviceSlice, exportFrom, filesOf, generateHistory, transcripts, type History } from './device.js';

const KEPT = 'Kept by this archive: not on the device since';

/** A copy of a device (its folder), changed by `change` on its database (given the copy's folder too). */
function changedDevice(device: string, change: (db: Database.Database, dir: string) => void): string {
  const dir = tempDir('changed');
  cpSync(device, dir, { recursive: true });
  const db = new Database(join(dir, 'chat.db'));
  change(db, dir);
  db.close();
  return dir;
}

/**
 * Renames the group `from` to `to` on the device (its folder), with the rename event a device keeps, sent a
 * second after its last message; gives the folder.
 */
function renameGroup(device: string, from: string, to: string): string {
  const db = new Database(join(device, 'chat.db'));
  const chat = db.prepare('SELECT ROWID FROM chat WHERE display_name = ?').pluck().get(from) as number;
  const date = (db.prepare('SELECT max(date) FROM message').pluck().get() as number) + 1e9;
  db.exec('CREATE TEMP TABLE renamed AS SELECT * FROM message WHERE item_type = 2 LIMIT 1');
  const id = db.prepare("UPDATE renamed SET ROWID = (SELECT max(ROWID) + 1 FROM message), guid = 'RENAMED-' || ?, group_title = ?, date = ? RETURNING ROWID").pluck().get(to, to, date) as number;
  db.exec('INSERT INTO message SELECT * FROM renamed');
  db.prepare('INSERT INTO chat_message_join (chat_id, message_id, message_date) VALUES (?, ?, ?)').run(chat, id, date);
  db.prepare('UPDATE chat SET display_name = ? WHERE ROWID = ?').run(to, chat);
  db.close();
  return device;
}

function storeRows<T>(out: string, sql: string): T[] {
  const store = new Database(join(out, 'textkeeper.sqlite'), { readonly: true });
  try {
    return store.prepare(sql).all() as T[];
  } finally {
    store.close();
  }
}

function absentCounts(out: string): number[] {
  return storeRows<{ counts: string }>(out, 'SELECT counts FROM runs ORDER BY id').map((r) => (JSON.parse(r.counts) as { absent: number }).absent);
}

/** The one message deleted from the device (with its join rows; `also`: more conditions on it, `m`): its text, as the transcripts show it, and GUID. */
function deleteOneMessage(db: Database.Database, chatId: number, also = ''): { text: string; guid: string } {
  const row = db.prepare(`SELECT m.ROWID AS id, m.text AS text, m.guid AS guid FROM message m JOIN chat_message_join j ON j.message_id = m.ROWID
    WHERE j.chat_id = ? AND m.text IS NOT NULL AND length(m.text) > 15 AND m.associated_message_type = 0 AND m.cache_has_attachments = 0 ${also} LIMIT 1`).get(chatId) as { id: number; text: string; guid: string };
  db.prepare('DELETE FROM chat_message_join WHERE message_id = ?').run(row.id);
  db.prepare('DELETE FROM message WHERE ROWID = ?').run(row.id);
  return row;
}

/** The messages of a folder's messages.ndjson, by GUID. */
function ndjsonMessages(out: string): Map<string, { conversationId: string; sender: { name: string }; absentSince?: string }> {
  const lines = readFileSync(join(out, 'messages.ndjson'), 'utf8').split('\n').filter(Boolean);
  return new Map(lines.map((line) => JSON.parse(line) as { guid: string; conversationId: string; sender: { name: string } }).map((m) => [m.guid, m]));
}

describe('a conversation stays itself across runs when what names it changes', () => {
  let history: History;
  beforeAll(async () => {
    history = await generateHistory(400, 302, 7);
  });

  it('keeps a group renamed and joined by someone in its file, with the new name and people, and nothing marked gone', async () => {
    const out = join(tempDir('renamed'), 'archive');
    await exportFrom(history.dir, out);
    const files = [...transcripts(out).keys()].sort();
    expect(files).toContain('Family 🏡.txt');
    const renamed = changedDevice(history.dir, (db) => {
      db.prepare("UPDATE chat SET display_name = 'Reunion 2026' WHERE display_name = 'Family 🏡'").run();
      const chat = db.prepare("SELECT ROWID FROM chat WHERE display_name = 'Reunion 2026'").pluck().get() as number;
      const newcomer = db.prepare("SELECT ROWID FROM handle WHERE id = 'chiara2@example.com'").pluck().get() as number;
      db.prepare('INSERT INTO chat_handle_join (chat_id, handle_id) VALUES (?, ?)').run(chat, newcomer);
    });
    await exportFrom(renamed, out);
    const again = await exportFrom(renamed, out);
    expect(again.stdout).toMatch(/unchanged since the last run/);
    const after = transcripts(out);
    expect([...after.keys()].sort()).toEqual(files);
    const group = after.get('Family 🏡.txt')!;
    expect(group).toMatch(/^Conversation: Reunion 2026\n/);
    expect(group.split('\n')[1]).toContain('chiara2@example.com');
    expect([...after.values()].join('\n')).not.toContain(KEPT);
    expect(absentCounts(out)).toEqual([0, 0, 0]);
  });

  it('makes one conversation of a group renamed on one of two devices read in one run, named as it is now', async () => {
    const [older, newer] = [deviceSlice(history, undefined, history.thirds[1]), deviceSlice(history, history.thirds[0], undefined)];
    renameGroup(newer, 'Family 🏡', 'Reunion 2026');
    const alone = await Promise.all([older, newer, renameGroup(changedDevice(history.dir, () => {}), 'Family 🏡', 'Reunion 2026')].map(async (device) => {
      const out = join(tempDir('alone'), 'archive');
      await exportFrom(device, out);
      return transcripts(out);
    }));
    const out = join(tempDir('renamed-in-one-run'), 'archive');
    const run = await runCli(['export', '--db', join(older, 'chat.db'), '--db', join(newer, 'chat.db'), '--out', out, '--format', 'txt', '--no-progress']);
    expect(run.code, run.stderr).toBe(0);
    const files = transcripts(out);
    expect([...files.keys()].filter((f) => /Family|Reunion/.test(f))).toEqual(['Reunion 2026.txt']);
    const group = files.get('Reunion 2026.txt')!;
    expect(group).toMatch(/^Conversation: Reunion 2026\n/);
    // Every message once, as the device that has them all shows them (reactions the slices part from their messages aside).
    const heads = (text: string) => text.split('\n').filter((line) => /^(Participants|Messages): |^\s*\[\d{4}-/.test(line));
    expect(heads(group)).toEqual(heads(alone[2]!.get('Reunion 2026.txt')!));
    const count = (text: string) => Number(/^Messages: ([\d,]+)/m.exec(text)![1]!.replace(/,/g, ''));
    const [inOlder, inNewer] = [count(alone[0]!.get('Family 🏡.txt')!), count(alone[1]!.get('Reunion 2026.txt')!)];
    const inBoth = inOlder + inNewer - count(group);
    // The sources in the order of their names, whichever was given first.
    const each = [[join(older, 'chat.db'), inOlder], [join(newer, 'chat.db'), inNewer]].sort(([a], [b]) => compareText(`chat.db at ${a}`, `chat.db at ${b}`));
    expect(group).toContain(`Sources: ${inBoth} in every source; ${each.map(([path, n]) => `chat.db at ${path} has ${n}`).join(', ')}\n`);
    // Known by the name the older device still has, until the day it was renamed.
    const chosen = await runCli(['export', '--db', join(older, 'chat.db'), '--db', join(newer, 'chat.db'), '--out', tempDir('chosen'), '--chat', 'Family 🏡', '--no-progress']);
    expect(chosen.stderr).toMatch(/selected “Reunion 2026” \(.*\): group named “Family 🏡” until \d{4}-\d\d-\d\d/);
  });

  it('makes one conversation of two when contacts join their people, its file holding both, the other’s files gone', async () => {
    const out = join(tempDir('joined'), 'archive');
    await exportFrom(history.dir, out, 'txt,html');
    const before = transcripts(out);
    const phone = before.get('+15555550100.txt')!;
    const email = before.get('chiara2@example.com.txt')!;
    const count = (text: string) => Number(/^Messages: ([\d,]+)/m.exec(text)![1]!.replace(/,/g, ''));
    const card = join(tempDir('contacts'), 'people.vcf');
    writeFileSync(card, 'BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Chiara Rossi\r\nTEL:+15555550100\r\nEMAIL:chiara2@example.com\r\nEND:VCARD\r\n');
    await exportFrom(history.dir, out, 'txt,html', ['--contacts', card]);
    await exportFrom(history.dir, out, 'txt,html', ['--contacts', card]);
    const after = transcripts(out);
    expect(after.has('chiara2@example.com.txt')).toBe(false);
    expect(readdirSync(join(out, 'conversations'))).not.toContain('chiara2@example.com');
    const joined = after.get('+15555550100.txt')!;
    expect(joined).toMatch(/^Conversation: Chiara Rossi\n/);
    expect(count(joined)).toBe(count(phone) + count(email));
    expect([...after.values()].join('\n')).not.toContain(KEPT);
    expect(absentCounts(out)).toEqual([0, 0, 0]);
    // New names are not new revisions (but for group events, whose descriptions name people).
    const revised = storeRows<{ n: number }>(out, `SELECT COUNT(*) AS n FROM message_history h JOIN messages m ON m.guid = h.guid WHERE m.body NOT LIKE '%"kind":"event"%'`);
    expect(revised[0]!.n).toBe(0);
    expect(joined).toContain('Chiara Rossi:');
    const verify = await import('../support/cli.js').then(({ runCli }) => runCli(['verify', out]));
    expect(verify.code).toBe(0);
  });

  it('joins the messages only the archive keeps too, and names them anew with the device’s, when contacts come later', async () => {
    const out = join(tempDir('joined-kept'), 'archive');
    await exportFrom(history.dir, out, 'txt,ndjson');
    const before = transcripts(out);
    const count = (text: string) => Number(/^Messages: ([\d,]+)/m.exec(text)![1]!.replace(/,/g, ''));
    const both = count(before.get('+15555550100.txt')!) + count(before.get('chiara2@example.com.txt')!);
    // A message of theirs from each thread, and a group's "You added +15555550102", then only in the archive.
    const kept: string[] = [];
    let added = '';
    const device = changedDevice(history.dir, (db) => {
      for (const thread of ['+15555550100', 'chiara2@example.com']) {
        const chat = db.prepare('SELECT ROWID FROM chat WHERE chat_identifier = ?').pluck().get(thread) as number;
        kept.push(deleteOneMessage(db, chat, 'AND m.is_from_me = 0').guid);
      }
      const event = db.prepare("SELECT ROWID AS id, guid FROM message WHERE item_type = 1 AND other_handle = (SELECT ROWID FROM handle WHERE id = '+15555550102')").get() as { id: number; guid: string };
      db.prepare('DELETE FROM chat_message_join WHERE message_id = ?').run(event.id);
      db.prepare('DELETE FROM message WHERE ROWID = ?').run(event.id);
      added = event.guid;
    });
    const card = (surname: string) => {
      const file = join(tempDir('contacts'), 'people.vcf');
      writeFileSync(file, `BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Chiara ${surname}\r\nTEL:+15555550100\r\nEMAIL:chiara2@example.com\r\nEND:VCARD\r\n`
        + `BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Liam ${surname}\r\nTEL:+15555550102\r\nEND:VCARD\r\n`);
      return file;
    };
    const description = () => (ndjsonMessages(out).get(added) as unknown as { event: { description: string } }).event.description;
    expect(description()).toBe('You added +15555550102 to the conversation.');
    await exportFrom(device, out, 'txt,ndjson', ['--contacts', card('Rossi')]);
    const after = transcripts(out);
    expect(after.has('chiara2@example.com.txt')).toBe(false);
    const joined = after.get('+15555550100.txt')!;
    expect(count(joined)).toBe(both);
    expect(joined).not.toMatch(/\] chiara2@example\.com:/);
    const [phone, email] = kept.map((guid) => ndjsonMessages(out).get(guid)!);
    expect(email!.conversationId).toBe(phone!.conversationId);
    for (const message of [phone!, email!]) expect([message.sender.name, message.absentSince === undefined]).toEqual(['Chiara Rossi', false]);
    expect(description()).toBe('You added Liam Rossi to the conversation.');
    expect(absentCounts(out)).toEqual([0, 3]);

    await exportFrom(device, out, 'txt,ndjson', ['--contacts', card('Bianchi')]);
    for (const guid of kept) expect(ndjsonMessages(out).get(guid)!.sender.name).toBe('Chiara Bianchi');
    expect(description()).toBe('You added Liam Bianchi to the conversation.');
    const everything = [...transcripts(out).values(), readFileSync(join(out, 'messages.ndjson'), 'utf8')].join('\n');
    expect(everything).not.toContain('Rossi');
    expect(absentCounts(out)).toEqual([0, 3, 0]);
  });

  it('keeps what contacts joined, by the names they gave, in a run without them, and says when other contacts part it', async () => {
    const out = join(tempDir('joined-then-without'), 'archive');
    const card = join(tempDir('contacts'), 'people.vcf');
    writeFileSync(card, 'BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Chiara Rossi\r\nTEL:+15555550100\r\nEMAIL:chiara2@example.com\r\nEND:VCARD\r\n'
      + 'BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Liam Rossi\r\nTEL:+15555550102\r\nEND:VCARD\r\n');
    await exportFrom(history.dir, out, 'txt,html', ['--contacts', card]);
    const files = filesOf(out);
    const joined = transcripts(out);
    expect(joined.get('Chiara Rossi.txt')).toMatch(/^Conversation: Chiara Rossi\nParticipants: Chiara Rossi \(\+15555550100, chiara2@example\.com\)\n/);
    // A message of each of her threads deleted: the run without contacts reads them again.
    const device = changedDevice(history.dir, (db) => {
      for (const thread of ['+15555550100', 'chiara2@example.com']) deleteOneMessage(db, db.prepare('SELECT ROWID FROM chat WHERE chat_identifier = ?').pluck().get(thread) as number);
    });
    const withContacts = join(tempDir('joined-then-with'), 'archive');
    cpSync(out, withContacts, { recursive: true });
    await exportFrom(device, withContacts, 'txt', ['--contacts', card]);

    const without = await exportFrom(device, out, 'txt');
    expect(without.stderr).not.toMatch(/warning/);
    expect(filesOf(out)).toEqual(files);
    expect(transcripts(out)).toEqual(transcripts(withContacts));
    const after = transcripts(out);
    expect(after.get('Chiara Rossi.txt')).toMatch(/^Conversation: Chiara Rossi\n/);
    expect([...after.values()].join('\n')).not.toMatch(/\] (\+15555550100|chiara2@example\.com|\+15555550102):/);
    expect(absentCounts(out)).toEqual([0, 2]);

    const again = await exportFrom(device, out, 'txt', ['--contacts', card]);
    const counted = (pattern: RegExp) => pattern.exec(again.stdout)?.[1];
    expect(counted(/(\d+) conversations unchanged since the last run/)).toBe(counted(/^Exported (\d+) conversations/));
    expect(transcripts(out)).toEqual(after);
    expect(absentCounts(out)).toEqual([0, 2, 0]);

    // Contacts that give her email to someone else part the conversation, and the run says so.
    const other = join(tempDir('contacts'), 'other.vcf');
    writeFileSync(other, 'BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Chiara Rossi\r\nTEL:+15555550100\r\nEND:VCARD\r\nBEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada Bianchi\r\nEMAIL:chiara2@example.com\r\nEND:VCARD\r\n');
    const parted = await exportFrom(device, out, 'txt', ['--contacts', other]);
    expect(parted.stderr).toContain('warning: “Ada Bianchi” was part of the conversation “Chiara Rossi”; this run\'s contacts');
    expect(transcripts(out).get('Ada Bianchi.txt')).toMatch(/^Conversation: Ada Bianchi\n/);
  });

  it('sees a conversation again that came back as it was before the device deleted it', async () => {
    const out = join(tempDir('recovered'), 'archive');
    const device = changedDevice(history.dir, () => {});
    await exportFrom(device, out);
    const db = new Database(join(device, 'chat.db'));
    // The conversation with +15555550101 is its one chat.
    db.exec(`DELETE FROM message WHERE ROWID IN (SELECT message_id FROM chat_message_join WHERE chat_id = 3);
      DELETE FROM chat_message_join WHERE chat_id = 3; DELETE FROM chat_handle_join WHERE chat_id = 3; DELETE FROM chat WHERE ROWID = 3;`);
    db.close();
    await exportFrom(device, out);
    expect(transcripts(out).get('+15555550101.txt')).toContain(KEPT);
    // Recovered from Recently Deleted: the very rows again.
    cpSync(join(history.dir, 'chat.db'), join(device, 'chat.db'));
    await exportFrom(device, out);
    expect(transcripts(out).get('+15555550101.txt')).not.toContain(KEPT);
    expect(storeRows(out, 'SELECT guid FROM messages WHERE absent_since IS NOT NULL')).toEqual([]);
  });

  it('marks a message gone that a --chat run saw missing first, on the next whole run', async () => {
    const out = join(tempDir('chat-first'), 'archive');
    await exportFrom(history.dir, out);
    let text = '';
    const device = changedDevice(history.dir, (db) => {
      text = deleteOneMessage(db, 1).text;
    });
    await exportFrom(device, out, 'txt', ['--chat', '+15555550100']);
    await exportFrom(device, out);
    const block = transcripts(out).get('+15555550100.txt')!.split('\n\n').find((b) => b.includes(text));
    expect(block).toContain(KEPT);
    expect(absentCounts(out)).toEqual([0, 0, 1]);
  });
});

describe('what the archive keeps of a message stays through later runs', () => {
  let history: History;
  beforeAll(async () => {
    history = await generateHistory(300, 303);
  });

  it('keeps the copy of a photo after a run with --attachments link, when the device later deletes the file', async () => {
    const out = join(tempDir('linked'), 'archive');
    await exportFrom(history.dir, out);
    const [photo] = storeRows<{ path: string }>(out, 'SELECT path FROM attachments ORDER BY path LIMIT 1');
    const name = photo!.path.split('/').at(-1)!;
    // A message deleted beside the photo has the link run read its conversation again.
    const linked = changedDevice(history.dir, (db) => {
      const chat = db.prepare(`SELECT j.chat_id FROM chat_message_join j JOIN message_attachment_join a ON a.message_id = j.message_id
        JOIN attachment f ON f.ROWID = a.attachment_id WHERE f.transfer_name = ? LIMIT 1`).pluck().get(name) as number;
      deleteOneMessage(db, chat);
    });
    await exportFrom(linked, out, 'txt', ['--attachments', 'link']);
    // Its messages with copies are what the archive had: their history is not added to.
    expect(storeRows(out, `SELECT guid FROM message_history WHERE body LIKE '%"path":"attachments/%'`)).toEqual([]);
    const device = changedDevice(linked, (db, dir) => {
      const stored = db.prepare('SELECT filename FROM attachment WHERE transfer_name = ?').pluck().all(name) as string[];
      for (const file of stored) rmSync(join(dir, file.replace(/^~\/Library\/Messages\//, '')), { force: true });
    });
    await exportFrom(device, out);
    const lines = [...transcripts(out).values()].join('\n').split('\n').filter((l) => l.includes(`[Attachment: ${name}`));
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).toContain('in this archive as attachments/');
    expect(existsSync(join(out, photo!.path))).toBe(true);
    expect(readFileSync(join(out, 'SHA256SUMS'), 'utf8')).toContain(photo!.path);
  });

  it('copies the files a run with --attachments link left on the device once a run copies, though nothing changed there', async () => {
    const out = join(tempDir('link-then-copy'), 'archive');
    await exportFrom(history.dir, out, 'txt', ['--attachments', 'link']);
    await exportFrom(history.dir, out);
    const lines = [...transcripts(out).values()].join('\n').split('\n').filter((l) => l.startsWith('[Attachment: ') && !l.includes('missing'));
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).toContain('in this archive as attachments/');
    expect(storeRows(out, 'SELECT path FROM attachments').length).toBeGreaterThan(0);
  });
});
