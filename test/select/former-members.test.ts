import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateChatDb } from '../../src/generate/index.js';
import { runCli, tempDir } from '../support/cli.js';
import { schemaValidators } from '../data/support.js';
import { pdfText, pdfToolsPresent } from '../pdf/pdf-tools.js';

const LEFT = '+15557770001';
const REMOVED = '+15557770002';
const NEVER_LISTED = '+15557770003';
const BACK = '+15557770004';

/**
 * A group whose chat_handle_join lists only who is in it now: one member left, one was added then removed, one
 * wrote in it without ever being listed, and one was removed then added back. Each of them took part; the headers
 * say who left and who was removed.
 */
describe('people no longer listed as members of a group', () => {
  const dir = tempDir('select-former-members');
  const db = join(dir, 'chat.db');
  const contacts = join(dir, 'people.vcf');
  let group: { id: number; guid: string; name: string };

  beforeAll(async () => {
    await generateChatDb({ path: db, messages: 300, seed: 83 });
    const sqlite = new Database(db);
    group = sqlite.prepare(`SELECT c.ROWID AS id, c.guid, c.display_name AS name FROM chat c WHERE c.style = 43 AND c.display_name != '' ORDER BY c.ROWID LIMIT 1`).get() as typeof group;
    const handle = sqlite.prepare(`INSERT INTO handle (id, service) VALUES (?, 'iMessage')`);
    const [left, removed, never, back] = [LEFT, REMOVED, NEVER_LISTED, BACK].map((id) => Number(handle.run(id).lastInsertRowid));
    const last = sqlite.prepare('SELECT MAX(message_date) FROM chat_message_join WHERE chat_id = ?').pluck().get(group.id) as number;
    const add = sqlite.prepare(`INSERT INTO message (guid, text, handle_id, is_from_me, service, date, associated_message_type, item_type, other_handle, group_action_type)
      VALUES (?, ?, ?, ?, 'iMessage', ?, 0, ?, ?, ?)`);
    const joinChat = sqlite.prepare('INSERT INTO chat_message_join (chat_id, message_id, message_date) VALUES (?, ?, ?)');
    const rows: [string | null, number, number, number, number, number][] = [
      [null, 0, 1, 1, removed, 0], // I added them
      ['hello from the one who left', left, 0, 0, 0, 0],
      ['hello from the one removed', removed, 0, 0, 0, 0],
      ['hello from one never listed', never, 0, 0, 0, 0],
      [null, left, 0, 3, 0, 0], // left
      [null, 0, 1, 1, removed, 1], // I removed them
      [null, 0, 1, 1, back, 1], // I removed them
      [null, 0, 1, 1, back, 0], // and added them back
    ];
    rows.forEach(([text, sender, fromMe, itemType, other, action], i) => {
      const date = BigInt(last) + BigInt(i + 1) * 1_000_000_000n;
      const id = add.run(`FORMER-${i}`, text, sender, fromMe, date, itemType, other, action).lastInsertRowid;
      joinChat.run(group.id, id, date);
    });
    sqlite.close();
    writeFileSync(contacts, ['Lena Left', 'Rémy Removed', 'Nina Neverlisted', 'Bea Back'].map((name, i) =>
      `BEGIN:VCARD\r\nVERSION:3.0\r\nFN:${name}\r\nTEL:${[LEFT, REMOVED, NEVER_LISTED, BACK][i]}\r\nEND:VCARD\r\n`).join(''));
  });

  it('are chosen by --chat with their name or number, their group among their conversations', async () => {
    for (const term of ['Lena Left', 'Rémy Removed', NEVER_LISTED]) {
      const result = await runCli(['list', '--db', db, '--contacts', contacts, '--json', '--chat', term]);
      expect(result.code, `${term}: ${result.stderr}`).toBe(0);
      expect((JSON.parse(result.stdout) as { id: string }[]).map((c) => c.id)).toEqual([group.guid]);
    }
  });

  it('are among its participants, after the members, in every header, which says who left and who was removed; its name stays its title', async () => {
    const out = join(dir, 'out');
    const result = await runCli(['export', '--db', db, '--contacts', contacts, '--out', out, '--format', 'txt,html,pdf,json', '--chat', group.guid, '--quiet']);
    expect(result.code, result.stderr).toBe(0);
    const stem = join(out, group.name);
    const participants = readFileSync(`${stem}.txt`, 'utf8').split('\n')[1]!;
    const former = 'Lena Left (+15557770001) (left the group), Rémy Removed (+15557770002) (removed from the group), Nina Neverlisted (+15557770003), Bea Back (+15557770004)';
    expect(participants.startsWith('Participants: ') && participants.endsWith(`, ${former}`), participants).toBe(true);
    expect(participants.match(/\(left the group\)|\(removed from the group\)/g)).toHaveLength(2);
    const html = readFileSync(join(out, 'conversations', group.name, 'p1.html'), 'utf8');
    expect(html).toContain('Lena Left</bdi> (+15557770001) (left the group), <bdi>Rémy Removed</bdi> (+15557770002) (removed from the group), <bdi>Nina Neverlisted</bdi> (+15557770003), <bdi>Bea Back</bdi> (+15557770004)');
    if (pdfToolsPresent) {
      // The cover lists every participant, a line each.
      const cover = pdfText(`${stem}.pdf`).split('\f')[0]!;
      expect(cover).toContain('Lena Left (+15557770001) (left the group)\n');
      expect(cover).toContain('Rémy Removed (+15557770002) (removed from the group)\n');
      expect(cover).toContain('Bea Back (+15557770004)\n');
    }
    const json = JSON.parse(readFileSync(`${stem}.json`, 'utf8')) as { conversation: { title: string; participants: { name: string; former?: string }[] } };
    expect(schemaValidators().conversation(json)).toBe('');
    expect(json.conversation.title).toBe(group.name);
    expect(json.conversation.participants.slice(-4).map((p) => [p.name, p.former])).toEqual([['Lena Left', 'left'], ['Rémy Removed', 'removed'], ['Nina Neverlisted', undefined], ['Bea Back', undefined]]);
    expect(json.conversation.participants.filter((p) => p.former)).toHaveLength(2);

    // Found once for the same database file: a run that reads the conversation again (now copying files) has them from the store.
    const again = await runCli(['export', '--db', db, '--contacts', contacts, '--out', out, '--format', 'txt,json', '--chat', group.guid, '--attachments', 'link', '--quiet']);
    expect(again.code, again.stderr).toBe(0);
    const store = new Database(join(out, 'textkeeper.sqlite'), { readonly: true });
    const kept = store.prepare("SELECT COUNT(*) FROM chat_marks WHERE chat_ids IN ('-1', '-3')").pluck().get();
    store.close();
    expect(kept).toBe(2);
    expect(readFileSync(`${stem}.txt`, 'utf8').split('\n')[1]).toBe(participants);
  });
});

const STALE = '+15557770005';
const REJOINED = '+15557770006';

/**
 * A group whose chat_handle_join still lists someone whose newest membership event says they left (a device that
 * missed the row's deletion), beside someone who left and was added back: the first is a former member, the second one.
 */
describe('a listed member whose newest membership event says they left', () => {
  it('is shown as having left the group; one added back after leaving stays a member', async () => {
    const dir = tempDir('select-stale-member');
    const db = join(dir, 'chat.db');
    const contacts = join(dir, 'people.vcf');
    await generateChatDb({ path: db, messages: 300, seed: 83 });
    const sqlite = new Database(db);
    const group = sqlite.prepare(`SELECT c.ROWID AS id, c.guid, c.display_name AS name FROM chat c WHERE c.style = 43 AND c.display_name != '' ORDER BY c.ROWID LIMIT 1`).get() as { id: number; guid: string; name: string };
    const handle = sqlite.prepare(`INSERT INTO handle (id, service) VALUES (?, 'iMessage')`);
    const [stale, rejoined] = [STALE, REJOINED].map((id) => Number(handle.run(id).lastInsertRowid));
    for (const id of [stale, rejoined]) sqlite.prepare('INSERT INTO chat_handle_join (chat_id, handle_id) VALUES (?, ?)').run(group.id, id);
    const last = sqlite.prepare('SELECT MAX(message_date) FROM chat_message_join WHERE chat_id = ?').pluck().get(group.id) as number;
    const add = sqlite.prepare(`INSERT INTO message (guid, text, handle_id, is_from_me, service, date, associated_message_type, item_type, other_handle, group_action_type)
      VALUES (?, ?, ?, ?, 'iMessage', ?, 0, ?, ?, ?)`);
    const joinChat = sqlite.prepare('INSERT INTO chat_message_join (chat_id, message_id, message_date) VALUES (?, ?, ?)');
    const rows: [string | null, number, number, number, number, number][] = [
      ['hello from the one still listed', stale, 0, 0, 0, 0],
      ['hello from the one who came back', rejoined, 0, 0, 0, 0],
      [null, rejoined, 0, 3, 0, 0], // left
      [null, stale, 0, 3, 0, 0], // left
      [null, 0, 1, 1, rejoined, 0], // I added them back
    ];
    rows.forEach(([text, sender, fromMe, itemType, other, action], i) => {
      const date = BigInt(last) + BigInt(i + 1) * 1_000_000_000n;
      joinChat.run(group.id, add.run(`STALE-${i}`, text, sender, fromMe, date, itemType, other, action).lastInsertRowid, date);
    });
    sqlite.close();
    writeFileSync(contacts, ['Stella Stale', 'Rea Rejoined'].map((name, i) => `BEGIN:VCARD\r\nVERSION:3.0\r\nFN:${name}\r\nTEL:${[STALE, REJOINED][i]}\r\nEND:VCARD\r\n`).join(''));
    const out = join(dir, 'out');
    const result = await runCli(['export', '--db', db, '--contacts', contacts, '--out', out, '--format', 'txt,json', '--chat', group.guid, '--quiet']);
    expect(result.code, result.stderr).toBe(0);
    const participants = readFileSync(join(out, `${group.name}.txt`), 'utf8').split('\n')[1]!;
    // The member who left comes after the members, as every former one.
    expect(participants).toMatch(/^Participants: .*Rea Rejoined \(\+15557770006\), .*Stella Stale \(\+15557770005\) \(left the group\)$/);
    expect(participants.match(/\(left the group\)/g)).toHaveLength(1);
    const json = JSON.parse(readFileSync(join(out, `${group.name}.json`), 'utf8')) as { conversation: { participants: { name: string; former?: string }[] } };
    expect(json.conversation.participants.filter((p) => p.former).map((p) => [p.name, p.former])).toEqual([['Stella Stale', 'left']]);
  });
});
