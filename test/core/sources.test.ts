import { copyFileSync, cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import * as plist from 'plist';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateChatDb } from '../../src/generate/index.js';
import { writeBackup } from '../../src/generate/backup.js';
import { fileIdFor } from '../../src/sources/backup/layout.js';
import { runCli, tempDir } from '../support/cli.js';
import { schemaValidators } from '../data/support.js';
import { pdfText } from '../pdf/pdf-tools.js';
import { SHOWN_ALONE } from '../support/visible-sql.js';

/** Visible messages (no reactions, no poll votes or added options: folded into their poll) of a database, by GUID, with their chat's identifier. */
function visibleGuids(path: string): Map<string, string> {
  const db = new Database(path, { readonly: true });
  const rows = db
    .prepare(
      `SELECT m.guid, c.chat_identifier AS chat FROM message m JOIN chat_message_join j ON j.message_id = m.ROWID JOIN chat c ON c.ROWID = j.chat_id
       WHERE ${SHOWN_ALONE}`,
    )
    .all() as { guid: string; chat: string }[];
  db.close();
  return new Map(rows.map((r) => [r.guid, r.chat]));
}

/** Deletes messages (and their joins) matching a condition, as if that device never had them. */
function forget(db: Database.Database, where: string): void {
  db.exec(`CREATE TEMP TABLE gone AS SELECT ROWID AS id FROM message WHERE ${where};
           DELETE FROM chat_message_join WHERE message_id IN (SELECT id FROM gone);
           DELETE FROM message_attachment_join WHERE message_id IN (SELECT id FROM gone);
           DELETE FROM message WHERE ROWID IN (SELECT id FROM gone);
           DROP TABLE gone;`);
}

describe('a Mac database and an iPhone backup that overlap partly, as one archive', () => {
  const dir = tempDir('sources');
  const original = join(dir, 'original', 'chat.db');
  const mac = join(dir, 'original', 'mac.db');
  let onlyPhoneChat: string;

  beforeAll(async () => {
    await generateChatDb({ path: original, messages: 1500, seed: 21 });
    const db = new Database(original, { readonly: true });
    onlyPhoneChat = db.prepare("SELECT chat_identifier FROM chat WHERE style = 45 ORDER BY ROWID DESC LIMIT 1").pluck().get() as string;
    db.close();
    copyFileSync(original, mac);
    const macDb = new Database(mac);
    // The Mac lacks every fifth message and one whole conversation.
    forget(macDb, 'ROWID % 5 = 0');
    forget(macDb, `ROWID IN (SELECT message_id FROM chat_message_join WHERE chat_id = (SELECT ROWID FROM chat WHERE chat_identifier = '${onlyPhoneChat}' AND style = 45))`);
    macDb.close();
    // The phone lacks every seventh message.
    for (const [name, encryption] of [['plain', undefined], ['encrypted', { password: 'correct horse', dpIterations: 1000, iterations: 10 }]] as const) {
      await writeBackup({
        chatDb: original,
        attachmentsDir: join(dir, 'original', 'Attachments'),
        outDir: join(dir, name),
        seed: 5,
        encryption,
        editSmsDb: (phone) => forget(phone, 'ROWID % 7 = 0'),
      });
    }
    writeFileSync(join(dir, 'password.txt'), 'correct horse\n', { mode: 0o600 });
  });

  for (const kind of ['plain', 'encrypted'] as const) {
    it(`exports the union of both, each message once (${kind} backup)`, async () => {
      const out = join(dir, `out-${kind}`);
      const args = ['export', '--db', mac, '--backup', join(dir, kind), '--out', out, '--format', kind === 'plain' ? 'txt,html,json' : 'txt', '--quiet'];
      if (kind === 'encrypted') args.push('--password-file', join(dir, 'password.txt'));
      const result = await runCli(args);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const all = visibleGuids(original);
      const macOnly = [...visibleGuids(mac).keys()];
      const union = [...all.keys()].filter((guid) => macOnly.includes(guid) || !isForgottenOnPhone(original, guid));
      expect(result.stdout).toContain(`, ${union.length.toLocaleString('en-US')} messages,`);
      expect(result.stdout).toMatch(/messages only in chat\.db at /);
      expect(result.stdout).toMatch(/messages only in iPhone backup/);
      const files = readdirSync(out);
      expect(files).not.toContain('Messages without a conversation.txt');
      const phoneOnly = files.find((f) => f.startsWith(onlyPhoneChat) && f.endsWith('.txt'));
      expect(phoneOnly, `the conversation only the phone has (${onlyPhoneChat})`).toBeDefined();
      const text = readFileSync(join(out, phoneOnly!), 'utf8');
      expect(text).toMatch(/⧉ Found in: iPhone backup/);
      expect(text).not.toMatch(/⧉ Found in: chat\.db/);
      // Sources are marked only where one lacks the message: never both, and not under most messages.
      const everyText = files.filter((f) => f.endsWith('.txt')).map((f) => readFileSync(join(out, f), 'utf8')).join('\n');
      const marks = everyText.match(/⧉ Found in: .*/g) ?? [];
      expect(marks.every((line) => !line.includes(';'))).toBe(true);
      const inEvery = Number(/^ {2}([\d,]+) messages? in every source/m.exec(result.stdout)![1]!.replace(/,/g, ''));
      expect(inEvery).toBeGreaterThan(marks.length);
      expect(inEvery + marks.length).toBeLessThanOrEqual(union.length);
      // Each conversation says what each source holds of it; together they make the archive's count.
      const perConversation = [...everyText.matchAll(/^Sources: ([\d,]+) in every source; chat\.db at .* has ([\d,]+), iPhone backup.* has ([\d,]+)$/gm)];
      expect(perConversation).toHaveLength(files.filter((f) => f.endsWith('.txt')).length);
      expect(perConversation.reduce((sum, m) => sum + Number(m[1]!.replace(/,/g, '')), 0)).toBe(inEvery);
      const phoneOnlyCounts = /^Sources: 0 in every source; chat\.db at .* has 0, iPhone backup.* has ([\d,]+)$/m.exec(text);
      expect(phoneOnlyCounts, text.slice(0, 600)).not.toBeNull();
      if (kind === 'encrypted') {
        // Decrypted copies are temporary: the archive names where the backup keeps each file.
        const all = files.filter((f) => f.endsWith('.txt')).map((f) => readFileSync(join(out, f), 'utf8')).join('\n');
        // Decrypted files the archive copied are named by their place in it.
        expect(all).toMatch(/— (in the backup as (~|\/var\/mobile)\/Library\/SMS\/Attachments\/|in this archive as attachments\/)/);
        expect(all).not.toMatch(/textkeeper-backup-/);
      }
      if (kind === 'plain') {
        const pages = readdirSync(join(out, 'conversations'), { recursive: true }).map(String).filter((f) => f.endsWith('.html'));
        const html = pages.map((page) => readFileSync(join(out, 'conversations', page), 'utf8')).join('\n');
        expect(html).toMatch(/Found in iPhone backup: Sample iPhone, iOS 17\.5\.1/);
        expect(html).toMatch(/Sources: [\d,]+ in every source; chat\.db at /);
        const validate = schemaValidators();
        for (const file of files.filter((f) => f.endsWith('.json'))) {
          const data = JSON.parse(readFileSync(join(out, file), 'utf8')) as { conversation: { sourceCounts?: { inEvery: number } } };
          expect(validate.conversation(data), file).toBe('');
          expect(data.conversation.sourceCounts?.inEvery).toBeGreaterThanOrEqual(0);
        }
      }
    });
  }

  it('an encrypted backup with --attachments link: HTML and PDF say where the backup keeps each file, with no warning', async () => {
    const out = join(dir, 'out-encrypted-link');
    const result = await runCli(['export', '--backup', join(dir, 'encrypted'), '--password-file', join(dir, 'password.txt'), '--out', out,
      '--format', 'html,pdf', '--attachments', 'link', '--pdf-style', 'chat', '--no-progress']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/, 0 warnings in /);
    const pages = readdirSync(join(out, 'conversations'), { recursive: true }).map(String).filter((f) => f.endsWith('.html'));
    const html = pages.map((page) => readFileSync(join(out, 'conversations', page), 'utf8')).join('\n');
    expect(html).toMatch(/class="missing">Photo [^<]+ — in the backup as (~|\/var\/mobile)\/Library\/SMS\/Attachments\//);
    expect(html).not.toMatch(/textkeeper-backup-/);
    const pdfs = readdirSync(out).filter((f) => f.endsWith('.pdf'));
    const text = pdfs.map((f) => pdfText(join(out, f))).join('\n');
    expect(text).toContain('Not in this archive: in the backup as');
  });

  it('says when --password-file was not needed, and goes on', async () => {
    const result = await runCli(['list', '--backup', join(dir, 'plain'), '--password-file', join(dir, 'password.txt'), '--json']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(`warning: --password-file ${join(dir, 'password.txt')} was not needed: no --backup given is encrypted\n`);
    expect(JSON.parse(result.stdout).length).toBeGreaterThan(0);
  });

  it('refuses a --password-file that is not there or not a file at once, needed or not', async () => {
    for (const backup of ['plain', 'encrypted']) {
      for (const [file, why] of [[join(dir, 'nonexistent.txt'), 'no such file or folder'], [dir, 'not a file']]) {
        const result = await runCli(['export', '--backup', join(dir, backup), '--password-file', file, '--out', join(dir, `out-no-password-${backup}`)]);
        expect(result.stderr).toBe(`textkeeper: --password-file ${file}: ${why}.\n`);
        expect(result.code).toBe(1);
        expect(existsSync(join(dir, `out-no-password-${backup}`))).toBe(false);
      }
    }
  });

  it('says clearly when the password is wrong', async () => {
    writeFileSync(join(dir, 'wrong.txt'), 'battery staple\n', { mode: 0o600 });
    const result = await runCli(['export', '--backup', join(dir, 'encrypted'), '--password-file', join(dir, 'wrong.txt'), '--out', join(dir, 'out-wrong')]);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^textkeeper: .*password/i);
  });

  it('says when the backup did not finish, and exports what it holds', async () => {
    const unfinished = join(dir, 'unfinished');
    cpSync(join(dir, 'plain'), unfinished, { recursive: true });
    writeFileSync(join(unfinished, 'Status.plist'), plist.buildBinary({ IsFullBackup: false, Version: '3.3', BackupState: 'new', SnapshotState: 'uploading' }));
    const result = await runCli(['export', '--backup', unfinished, '--out', join(dir, 'out-unfinished'), '--format', 'txt', '--no-progress']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(`warning: The backup in ${unfinished} may not have finished (its Status.plist says “uploading”): messages and attachments it did not get to are missing\n`);
    expect(result.stdout).toMatch(/, 1 warning in /);
    // A Status.plist that cannot be read says so the same way, and stops nothing.
    writeFileSync(join(unfinished, 'Status.plist'), 'bplist00 cut short');
    const damaged = await runCli(['export', '--backup', unfinished, '--out', join(dir, 'out-unfinished'), '--format', 'txt', '--no-progress']);
    expect(damaged.code).toBe(0);
    expect(damaged.stderr).toMatch(/^warning: The backup in .* may not have finished \(Status\.plist cannot be read \(.*\)\): messages and attachments it did not get to are missing\n$/);
  });

  it('says when the backup lists a write-ahead log of sms.db that is not there', async () => {
    const walless = join(dir, 'walless');
    cpSync(join(dir, 'plain'), walless, { recursive: true });
    const wal = { domain: 'HomeDomain', relativePath: 'Library/SMS/sms.db-wal' };
    const manifest = new Database(join(walless, 'Manifest.db'));
    manifest.prepare('INSERT INTO Files VALUES (?, ?, ?, 1, NULL)').run(fileIdFor(wal), wal.domain, wal.relativePath);
    manifest.close();
    const result = await runCli(['export', '--backup', walless, '--out', join(dir, 'out-walless'), '--format', 'txt', '--no-progress']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(`warning: Library/SMS/sms.db-wal is listed in the backup ${walless} but its file ${fileIdFor(wal)} is missing: the newest changes to sms.db are not read\n`);
    expect(result.stdout).toMatch(/, 1 warning in /);
  });

  it('a wrong password that ends with a space says so', async () => {
    writeFileSync(join(dir, 'spaced.txt'), 'correct horse \r\n', { mode: 0o600 });
    const result = await runCli(['list', '--backup', join(dir, 'encrypted'), '--password-file', join(dir, 'spaced.txt')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`textkeeper: Wrong password for the encrypted backup in ${join(dir, 'encrypted')} (the password given starts or ends with a space: is that part of it?)\n`);
  });

  it('a password file with one password a line opens backups with passwords of their own: each is tried with each line', async () => {
    const other = join(dir, 'encrypted-other');
    await writeBackup({ chatDb: original, attachmentsDir: join(dir, 'original', 'Attachments'), outDir: other, seed: 6, encryption: { password: 'battery staple', dpIterations: 1000, iterations: 10 } });
    const file = join(dir, 'two-passwords.txt');
    writeFileSync(file, 'correct horse\r\n\r\nbattery staple\r\n', { mode: 0o600 });
    const result = await runCli(['export', '--backup', join(dir, 'encrypted'), '--backup', other, '--password-file', file, '--out', join(dir, 'out-two-passwords'), '--format', 'txt', '--quiet']);
    expect(result.stderr).toBe('');
    // Either backup left locked would have stopped the run.
    expect(result.code).toBe(0);
    // Neither line opens a backup whose password is another: said as for one password.
    writeFileSync(file, 'battery staple\nsomething else\n', { mode: 0o600 });
    const wrong = await runCli(['list', '--backup', join(dir, 'encrypted'), '--password-file', file]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toBe(`textkeeper: Wrong password for the encrypted backup in ${join(dir, 'encrypted')}\n`);
  });

  it('reads a password file in UTF-16 with a byte-order mark, as Windows PowerShell writes it', async () => {
    const file = join(dir, 'powershell.txt');
    writeFileSync(file, Buffer.from('\uFEFFcorrect horse\r\n', 'utf16le'), { mode: 0o600 });
    const result = await runCli(['list', '--backup', join(dir, 'encrypted'), '--password-file', file, '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).length).toBeGreaterThan(0);
  });
});

/** ROWID % 7 = 0 in the original: the phone never had it. */
function isForgottenOnPhone(path: string, guid: string): boolean {
  const db = new Database(path, { readonly: true });
  const rowId = db.prepare('SELECT ROWID FROM message WHERE guid = ?').pluck().get(guid) as number;
  db.close();
  return rowId % 7 === 0;
}
