import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateChatDb } from '../../src/generate/index.js';
import { runCli, tempDir } from '../support/cli.js';

describe('options a person may mistype', () => {
  const dir = tempDir('select-bad');
  const db = join(dir, 'chat.db');

  beforeAll(async () => {
    await generateChatDb({ path: db, messages: 200, seed: 41 });
  });

  it('a --contacts file that does not exist is one line and exit 1, like a missing --db', async () => {
    for (const command of [['export', '--out', join(dir, 'o')], ['list']]) {
      const result = await runCli([...command, '--db', db, '--contacts', join(dir, 'nonexistent.vcf')]);
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(`textkeeper: --contacts ${join(dir, 'nonexistent.vcf')}: no such file or folder.\n`);
      expect(result.stdout).toBe('');
    }
    // A pipe would be read without end: refused before anything is read.
    const pipe = join(dir, 'contacts-pipe');
    execFileSync('mkfifo', [pipe]);
    const result = await runCli(['list', '--db', db, '--contacts', pipe]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^textkeeper: --contacts .*contacts-pipe: not a file or folder/);
  });

  it('an --attachments-root that is not there is one line and exit 1, not every attachment missing', async () => {
    const out = join(dir, 'no-root');
    for (const [root, said] of [[join(dir, 'Mesages'), 'no such file or folder'], [db, 'not a folder']] as const) {
      const result = await runCli(['export', '--db', db, '--attachments-root', root, '--out', out, '--quiet']);
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(`textkeeper: --attachments-root ${root}: ${said}.\n`);
    }
    expect(existsSync(out)).toBe(false);
  });

  it('a --chat that chooses only a conversation without messages says so, not that dates left them out', async () => {
    const copy = join(tempDir('select-empty-chat'), 'chat.db');
    copyFileSync(db, copy);
    const sql = new Database(copy);
    const handle = sql.prepare("INSERT INTO handle (id, service) VALUES ('+15555559999', 'iMessage')").run().lastInsertRowid;
    const chat = sql.prepare("INSERT INTO chat (guid, style, chat_identifier, service_name) VALUES ('iMessage;-;+15555559999', 45, '+15555559999', 'iMessage')").run().lastInsertRowid;
    sql.prepare('INSERT INTO chat_handle_join (chat_id, handle_id) VALUES (?, ?)').run(chat, handle);
    sql.close();
    const undated = await runCli(['export', '--db', copy, '--out', join(dir, 'empty-chat'), '--chat', '555-555-9999']);
    expect(undated.code).toBe(1);
    expect(undated.stderr).toBe('textkeeper: No messages to export in the conversations --chat 555-555-9999 chose.\n');
    const dated = await runCli(['export', '--db', copy, '--out', join(dir, 'empty-chat'), '--chat', '555-555-9999', '--since', '2020-01-01']);
    expect(dated.stderr).toMatch(/ chose \(for the dates asked\)\.\n$/);
  });

  it('a name looked for where no contact names anyone says where names come from', async () => {
    const vcf = join(dir, 'mom.vcf');
    const list = await runCli(['list', '--db', db, '--json']);
    const handle = (JSON.parse(list.stdout) as { participants: { handle: string }[] }[]).flatMap((c) => c.participants)[0]!.handle;
    writeFileSync(vcf, `BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Mom\r\n${handle.includes('@') ? 'EMAIL' : 'TEL'}:${handle}\r\nEND:VCARD\r\n`);
    const unnamed = await runCli(['export', '--db', db, '--out', join(dir, 'mom'), '--chat', 'Mom']);
    expect(unnamed.code).toBe(1);
    expect(unnamed.stderr).toMatch(/^textkeeper: No conversation matches --chat Mom; (closest: .*|no name is close to it); no contacts named anyone here, so people go by phone number or email: give --contacts for names \(see `textkeeper list`\)\.\n$/);
    // A phone number looked for gets no such hint; with contacts, the name is found.
    expect((await runCli(['list', '--db', db, '--chat', '+19995550000'])).stderr).not.toContain('--contacts');
    const named = await runCli(['list', '--db', db, '--contacts', vcf, '--chat', 'Mom', '--json']);
    expect(named.code, named.stderr).toBe(0);
    expect(JSON.parse(named.stdout).length).toBeGreaterThan(0);
  });

  it('--chat and --format given again add to the list rather than replace it', async () => {
    const all = JSON.parse((await runCli(['list', '--db', db, '--json'])).stdout) as { id: string }[];
    const [first, second] = [all[0]!.id, all[1]!.id];
    const out = join(dir, 'twice');
    const result = await runCli(['export', '--db', db, '--out', out, '--chat', first, '--chat', second, '--format', 'txt', '--format', 'json', '--quiet']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^Exported 2 conversations, .*\(txt, json\)\.\n/);
    const files = readdirSync(out);
    expect(files.filter((f) => f.endsWith('.txt'))).toHaveLength(2);
    expect(files.filter((f) => f.endsWith('.json'))).toHaveLength(2);
  });

  it('option words in any letter case', async () => {
    const result = await runCli(['export', '--db', db, '--out', join(dir, 'pdf'), '--format', 'PDF', '--page-size', 'A4', '--pdf-style', 'Transcript', '--quiet']);
    expect(result.code, result.stderr).toBe(0);
    const sorted = await runCli(['list', '--db', db, '--sort', 'NAME', '--json']);
    const titles = (JSON.parse(sorted.stdout) as { title: string }[]).map((c) => c.title);
    expect(titles).toEqual([...titles].sort((a, b) => a.localeCompare(b, undefined, { sensitivity: 'base' })));
  });

  it('leaves no archive behind when bad input stops the export of a new one', async () => {
    const cases = [
      [['--chat', 'nobody by this name', '--exact'], 'No conversation matches --chat'],
      [['--since', '2099-01-01'], 'No messages to export'],
      [['--db', join(dir, 'missing.db')], 'No such file'],
    ] as const;
    for (const [args, said] of cases) {
      const out = join(dir, 'never', 'made');
      const result = await runCli(['export', '--db', db, '--out', out, '--format', 'txt', ...args]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(said);
      expect(existsSync(out), args.join(' ')).toBe(false);
      // A folder that was there before stays, empty.
      const kept = join(dir, 'kept');
      mkdirSync(kept, { recursive: true });
      expect((await runCli(['export', '--db', db, '--out', kept, '--format', 'txt', ...args])).code).toBe(1);
      expect(readdirSync(kept)).toEqual([]);
    }
    // A file given as --out is said to be one, and left alone.
    const file = join(dir, 'a-file');
    writeFileSync(file, 'mine');
    const onFile = await runCli(['export', '--db', db, '--out', file, '--format', 'txt']);
    expect(onFile.code).toBe(1);
    expect(onFile.stderr).toMatch(/^textkeeper: Cannot write to the output folder .*a-file/);
    expect(readFileSync(file, 'utf8')).toBe('mine');
  });

  it('reads a quoted ~/ in every path option and in verify\'s folder as the home folder, as the shell would have', async () => {
    const home = tempDir('select-home');
    copyFileSync(db, join(home, 'chat.db'));
    const result = await runCli(['export', '--db', '~/chat.db', '--attachments-root', '~', '--out', '~/archive', '--format', 'txt', '--quiet'], { HOME: home });
    expect(result.code, result.stderr).toBe(0);
    expect(readdirSync(join(home, 'archive')).some((name) => name.endsWith('.txt'))).toBe(true);
    // So does verify's folder.
    const verified = await runCli(['verify', '~/archive'], { HOME: home });
    expect(verified.stderr).toBe('');
    expect(verified.code).toBe(0);
  });

  it('never writes the archive into what it reads: a backup folder, Messages\' own folder (also through a link), a copy\'s attachments', async () => {
    const home = tempDir('select-inside');
    const backup = join(home, 'Backup', '00008030-001');
    mkdirSync(backup, { recursive: true });
    const copied = join(home, 'copy');
    mkdirSync(join(copied, 'Attachments'), { recursive: true });
    const messages = join(home, 'Library', 'Messages');
    mkdirSync(messages, { recursive: true });
    symlinkSync(messages, join(home, 'messages-link'));
    const cases = [
      [['--backup', backup, '--out', join(backup, 'archive')], `lies inside the backup ${backup}, which textkeeper never writes to`],
      [['--db', db, '--out', '~/Library/Messages/archive'], `lies inside Messages' own folder ${messages}`],
      [['--db', db, '--out', join(home, 'messages-link', 'archive')], `lies inside Messages' own folder ${messages}`],
      [['--db', db, '--attachments-root', copied, '--out', join(copied, 'Attachments', 'out')], `lies inside the attachments folder ${join(copied, 'Attachments')}`],
    ] as const;
    for (const [args, said] of cases) {
      const result = await runCli(['export', ...args], { HOME: home });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(said);
    }
    expect(readdirSync(backup)).toEqual([]);
    expect(readdirSync(messages)).toEqual([]);
    expect(readdirSync(join(copied, 'Attachments'))).toEqual([]);
  });
});
