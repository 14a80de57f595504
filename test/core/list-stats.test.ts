import { spawn } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import Database from 'better-sqlite3';
import stringWidth from 'string-width';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateApart, onTerminal, ROOT, runCli, tempDir } from '../support/cli.js';

const SAMPLE = join(ROOT, 'sample-data');

/** The sample's chat.db copied, so that rows can be taken out of it as a device loses them. */
function sampleCopy(): string {
  const dir = tempDir('list-stats');
  cpSync(join(SAMPLE, 'chat.db'), join(dir, 'chat.db'));
  return dir;
}

/** Deletes rows of one conversation as a purge would: `count` of each kind, oldest first. */
function purge(db: string, chat: string, kinds: { messages: number; events: number; tapbacks: number }): void {
  const database = new Database(db);
  const rows = (where: string, count: number) =>
    database.prepare(`SELECT m.ROWID FROM message m JOIN chat_message_join j ON j.message_id = m.ROWID JOIN chat c ON c.ROWID = j.chat_id
      WHERE c.chat_identifier = ? AND ${where} ORDER BY m.date LIMIT ?`).pluck().all(chat, count) as number[];
  const gone = [
    ...rows('m.item_type = 0 AND m.associated_message_type = 0', kinds.messages),
    ...rows('m.item_type != 0', kinds.events),
    ...rows('m.associated_message_type BETWEEN 2000 AND 2005', kinds.tapbacks),
  ].join(',');
  database.exec(`DELETE FROM message_attachment_join WHERE message_id IN (${gone}); DELETE FROM chat_message_join WHERE message_id IN (${gone});
    DELETE FROM message WHERE ROWID IN (${gone});`);
  database.close();
}

describe('list and stats of an archive whose device lost messages and group events', () => {
  let archive: string;
  let absent: number;
  let secondRun: string;

  beforeAll(async () => {
    const device = sampleCopy();
    archive = join(device, 'archive');
    const db = join(device, 'chat.db');
    const run = (extra: string[] = []) => runCli(['export', '--db', db, '--out', archive, '--format', 'json', '--no-progress', ...extra]);
    expect((await run()).code).toBe(0);
    purge(db, 'chat100000039595', { messages: 7, events: 2, tapbacks: 1 });
    const second = await run();
    expect(second.code, second.stderr).toBe(0);
    absent = Number(/ (\d+) newly not on the device/.exec(second.stdout)![1]);
    secondRun = second.stdout;
  });

  it('keeps the quote of a reply whose original only the archive keeps (the reply is not changed)', () => {
    expect(secondRun).toMatch(/^ {2}since the last run: 0 messages added, 0 changed, 9 newly not on the device/m);
    type Record = { guid: string; absentSince?: string; replyTo?: { guid: string; target?: unknown } };
    const messages = readdirSync(archive)
      .filter((name) => name.endsWith('.json'))
      .flatMap((name) => (JSON.parse(readFileSync(join(archive, name), 'utf8')) as { messages: Record[] }).messages);
    const kept = new Set(messages.filter((m) => m.absentSince).map((m) => m.guid));
    const replies = messages.filter((m) => m.replyTo && kept.has(m.replyTo.guid));
    expect(replies.length).toBeGreaterThan(0);
    for (const reply of replies) expect(reply.replyTo!.target, reply.guid).toBeDefined();
  });

  it('count what only the archive keeps alike: the export’s summary, list’s KEPT ONLY, and stats (its messages and group events)', async () => {
    expect(absent).toBe(9);
    const table = (await runCli(['list', '--archive', archive])).stdout.trim().split('\n');
    const kept = table[0]!.split(/\s{2,}/).indexOf('KEPT ONLY');
    expect(table.slice(1).reduce((sum, row) => sum + Number(row.split(/\s{2,}/)[kept]), 0)).toBe(absent);
    const stats = await runCli(['stats', '--archive', archive]);
    expect(stats.code).toBe(0);
    const lines = stats.stdout.split('\n').filter((l) => l.startsWith('  kept only by this archive: '));
    // The total and the one conversation that lost them.
    expect(lines).toEqual(Array(2).fill('  kept only by this archive: 7 messages (and 2 group events), no longer in the sources'));
    const json = JSON.parse((await runCli(['stats', '--archive', archive, '--json'])).stdout) as { total: { keptOnly: number; keptOnlyEvents: number } };
    expect(json.total.keptOnly + json.total.keptOnlyEvents).toBe(absent);
  });
});

describe('names from the database that hold control or bidirectional-override characters (anyone in a group may name it)', () => {
  let db: string;

  beforeAll(() => {
    db = join(sampleCopy(), 'chat.db');
    const database = new Database(db);
    const rename = database.prepare('UPDATE chat SET display_name = ? WHERE chat_identifier = ?');
    rename.run('Line one\nline two', 'chat100000031676');
    rename.run('\u202eevil group', 'chat100000047514');
    rename.run('Tab\tbed \u001b[31mRED\u001b]0;title\u0007', 'chat100000039595');
    database.close();
  });

  it('list keeps each conversation to one aligned line, the controls shown as pictures, and runs no escape sequence', async () => {
    const list = await runCli(['list', '--db', db]);
    expect(list.code).toBe(0);
    expect(list.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u202e]/);
    const lines = list.stdout.trim().split('\n');
    expect(lines).toHaveLength(13);
    expect(lines.find((l) => l.startsWith('iMessage;+;chat100000031676'))).toContain('Line one␊line two');
    expect(lines.find((l) => l.startsWith('iMessage;+;chat100000039595'))).toContain('Tab␉bed ␛[31mRED␛]0;title␇');
    // Every row's count ends where the header's MESSAGES does.
    const end = lines[0]!.indexOf('MESSAGES') + 'MESSAGES'.length;
    for (const line of lines.slice(1)) expect(line.slice(0, end), line).toMatch(/ \d+$/);
  });

  it('stats and what --chat chose say those names on one line each, without escape sequences', async () => {
    const stats = await runCli(['stats', '--db', db]);
    expect(stats.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u202e]/);
    expect(stats.stdout).toMatch(/^Line one␊line two: 124 messages/m);
    const chosen = await runCli(['list', '--db', db, '--chat', 'line one', '--json']);
    expect(chosen.stderr).toMatch(/^selected “Line one␊line two” \(iMessage;\+;chat100000031676\): [^\n]+\n$/);
  });
});

describe.skipIf(!existsSync('/usr/bin/script'))('list on a terminal (skipped without util-linux script)', () => {
  const sample = ['list', '--db', join(SAMPLE, 'chat.db'), '--contacts', join(SAMPLE, 'contacts.vcf')];
  const table = async (columns: number) => (await onTerminal(sample, columns)).trimEnd().split(/\r?\n/);

  it('fits 80 columns: no row wraps, ids whole, the participants, services and then the first day left out before names are cut to nothing', async () => {
    const lines = await table(80);
    expect(lines[0]!.split(/\s{2,}/)).toEqual(['ID', 'CONVERSATION', 'MESSAGES', 'FIRST', 'LAST']);
    for (const line of lines) expect(stringWidth(line), line).toBeLessThanOrEqual(80);
    expect(lines.find((l) => l.startsWith('iMessage;+;chat100000031676 '))).toMatch(/ Family 🏡 +124 {2}2015-09-17 {2}2024-11-05$/);
  });

  it('leaves the participants out rather than cut names to a few letters (100 columns gave each name column 10)', async () => {
    const lines = await table(100);
    expect(lines[0]!.split(/\s{2,}/)).toEqual(['ID', 'CONVERSATION', 'SERVICES', 'MESSAGES', 'FIRST', 'LAST']);
    for (const line of lines) expect(stringWidth(line), line).toBeLessThanOrEqual(100);
    expect(lines.find((l) => l.startsWith('iMessage;-;+15555550108 '))).toMatch(/ Farah Cohen +iMessage /);
    expect(lines.find((l) => l.startsWith('iMessage;+;chat100000039595 '))).toMatch(/ Liam Müller, Hana Lee/);
  });

  it('shows every column on a wide terminal, and piped', async () => {
    const wide = await table(200);
    expect(wide[0]!.split(/\s{2,}/)).toEqual(['ID', 'CONVERSATION', 'PARTICIPANTS', 'SERVICES', 'MESSAGES', 'FIRST', 'LAST']);
    expect(wide.join('\n')).toBe((await runCli(sample)).stdout.trimEnd());
    // Mom's card gives a phone number and an email: both are hers, as in JSON and the txt header.
    expect(wide.find((l) => l.startsWith('iMessage;-;+15555550100 '))).toMatch(/ Mom +\+15555550100, chiara2@example\.com +iMessage, SMS /);
  });
});

describe('Ctrl-C on list or stats', () => {
  let db: string;

  beforeAll(async () => {
    db = await generateApart(tempDir('signal-db'), 60_000, 41);
    // A -wal beside it: the database is read from a private copy, which must not outlive the run.
    writeFileSync(`${db}-wal`, '');
  }, 120_000);

  it.each(['stats', 'list'])('%s ends at once with exit 130 and one line, its private copy of the database removed', async (command) => {
    const tmp = tempDir('signal-tmp');
    const child = spawn(process.execPath, [join(ROOT, 'dist', 'cli', 'main.js'), command, '--db', db], { env: { ...process.env, TMPDIR: tmp }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const ended = new Promise<number | null>((resolve) => child.on('close', resolve));
    // Underway once the copy is begun (in the temporary folder the launcher gave the process it restarted).
    while (!readdirSync(tmp, { recursive: true }).some((name) => basename(String(name)).startsWith('textkeeper-db-'))) await new Promise((resolve) => setTimeout(resolve, 10));
    child.kill('SIGINT');
    expect(await ended).toBe(130);
    expect(stderr).toBe('textkeeper: interrupted.\n');
    expect(stdout).toBe('');
    expect(readdirSync(tmp)).toEqual([]);
  });
});
