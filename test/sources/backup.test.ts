import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeBackup } from '../../src/generate/backup.js';
import { BackupError, openBackup, type BackupSource } from '../../src/sources/backup/open-backup.js';
import { fileIdFor, SMS_DB, storedFilePath } from '../../src/sources/backup/layout.js';
import { makeTinyChatDb, type TinyChatDb } from './tiny-chat-db.js';
import { hashTree } from './tree-hash.js';

const PASSWORD = 'correct horse';
const ENCRYPTION = { password: PASSWORD, dpIterations: 1000, iterations: 10 };
let work: string;
let chat: TinyChatDb;
let plainDir: string;
let encryptedDir: string;
let privateTmp: string;

/** Temp folders the sources made (TMPDIR points at a folder only this test file uses). */
const sourceTempDirs = () => readdirSync(privateTmp).filter((name) => name.startsWith('textkeeper-backup-'));

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'tk-backup-test-'));
  privateTmp = path.join(work, 'tmp');
  mkdirSync(privateTmp);
  process.env.TMPDIR = privateTmp;
  chat = makeTinyChatDb(work);
  plainDir = path.join(work, 'plain');
  encryptedDir = path.join(work, 'encrypted');
  const base = { chatDb: chat.chatDb, attachmentsDir: chat.attachmentsDir, seed: 7 };
  await writeBackup({ ...base, outDir: plainDir, device: { name: 'Ann’s iPhone' } });
  await writeBackup({ ...base, outDir: encryptedDir, encryption: ENCRYPTION });
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

function rows(dbPath: string, sql: string): unknown[] {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    return db.prepare(sql).all();
  } finally {
    db.close();
  }
}

const MESSAGES = 'SELECT ROWID, guid, text, handle_id, date, is_from_me FROM message ORDER BY ROWID';
const HANDLES = 'SELECT ROWID, id, service FROM handle ORDER BY ROWID';
const ATTACHMENTS = 'SELECT guid, transfer_name, filename FROM attachment ORDER BY ROWID';

function expectSameMessages(source: BackupSource) {
  expect(rows(source.dbPath, MESSAGES)).toEqual(rows(chat.chatDb, MESSAGES));
  expect(rows(source.dbPath, HANDLES)).toEqual(rows(chat.chatDb, HANDLES));
  expect(rows(source.dbPath, MESSAGES)).toHaveLength(6);
}

/** Each attachment row of the backup's sms.db resolves to the same bytes as the original file. */
function expectAttachmentsResolve(source: BackupSource) {
  const original = rows(chat.chatDb, ATTACHMENTS) as { guid: string; filename: string }[];
  const phone = rows(source.dbPath, ATTACHMENTS) as { guid: string; filename: string }[];
  expect(phone.map((a) => a.filename)).toEqual([
    '~/Library/SMS/Attachments/ab/11/AAA-1/IMG_0001.jpeg',
    '/var/mobile/Library/SMS/Attachments/cd/02/BBB-2/Résumé 2024.pdf',
    '~/Library/SMS/Attachments/ef/03/CCC-3/scan.pdf',
  ]);
  phone.forEach((attachment, i) => {
    const resolved = source.resolveAttachment(attachment.filename);
    const bytes = chat.files.get(original[i].filename);
    if (bytes) expect(readFileSync(resolved!)).toEqual(bytes);
    else expect(resolved).toBeUndefined();
  });
  expect(source.resolveAttachment('/etc/passwd')).toBeUndefined();
  expect(source.resolveAttachment('~/Library/SMS/Attachments/../../../etc/passwd')).toBeUndefined();
}

describe('plain backup', () => {
  it('yields the same sms.db content as the source chat.db and resolves attachments', async () => {
    const before = hashTree(plainDir);
    const source = await openBackup(plainDir);
    try {
      expect(source.info).toMatchObject({ deviceName: 'Ann’s iPhone', productVersion: '17.5.1', encrypted: false });
      expect(source.info.lastBackupDate?.toISOString()).toBe('2024-05-01T12:00:00.000Z');
      expect(source.description).toBe('iPhone backup: Ann’s iPhone, iOS 17.5.1, backed up 2024-05-01');
      expect(source.dbPath).toBe(storedFilePath(plainDir, fileIdFor(SMS_DB)));
      expectSameMessages(source);
      expectAttachmentsResolve(source);
      expect(await source.contactsDatabase()).toBeUndefined();
    } finally {
      await source.dispose();
    }
    expect(hashTree(plainDir)).toBe(before);
    expect(sourceTempDirs()).toEqual([]);
  });

  it('stores files at <id[0:2]>/<id> with id = sha1(domain-relativePath)', () => {
    expect(fileIdFor(SMS_DB)).toBe('3d0d7e5fb2ce288813306e4d4636395e047a3d28');
    expect(existsSync(path.join(plainDir, '3d', '3d0d7e5fb2ce288813306e4d4636395e047a3d28'))).toBe(true);
  });
});

describe('encrypted backup', () => {
  it('decrypts into a private temp folder that dispose removes, with the same content', async () => {
    const before = hashTree(encryptedDir);
    const steps: string[] = [];
    let asked = 0;
    const source = await openBackup(encryptedDir, {
      password: async () => (asked++, PASSWORD),
      progress: { start: (label) => steps.push(label), stop: () => steps.push('stop') },
    });
    const [tmp] = sourceTempDirs();
    try {
      expect(asked).toBe(1);
      expect(steps[0]).toMatch(/Unlocking/);
      expect(steps).toContain('stop');
      expect(source.info.encrypted).toBe(true);
      expect(source.description).toMatch(/, encrypted$/);
      expect(source.dbPath.startsWith(path.join(privateTmp, tmp))).toBe(true);
      expect(statSync(path.join(privateTmp, tmp)).mode & 0o777).toBe(0o700);
      expectSameMessages(source);
      expectAttachmentsResolve(source);
      const photo = source.resolveAttachment('~/Library/SMS/Attachments/ab/11/AAA-1/IMG_0001.jpeg')!;
      await source.releaseAttachments();
      expect(existsSync(photo)).toBe(false);
      expect(readFileSync(source.resolveAttachment('~/Library/SMS/Attachments/ab/11/AAA-1/IMG_0001.jpeg')!)).toEqual(
        chat.files.get('~/Library/Messages/Attachments/ab/11/AAA-1/IMG_0001.jpeg'),
      );
      // The stored sms.db is ciphertext, not SQLite.
      expect(readFileSync(storedFilePath(encryptedDir, fileIdFor(SMS_DB))).subarray(0, 6).toString()).not.toBe('SQLite');
    } finally {
      await source.dispose();
    }
    expect(existsSync(path.join(privateTmp, tmp))).toBe(false);
    expect(sourceTempDirs()).toEqual([]);
    expect(hashTree(encryptedDir)).toBe(before);
  });

  it('rejects a wrong password with one clear line and leaves no temp folder', async () => {
    const before = hashTree(encryptedDir);
    const error = await openBackup(encryptedDir, { password: async (tried) => (tried === 0 ? 'wrong' : undefined) }).catch((e) => e);
    expect(error).toBeInstanceOf(BackupError);
    expect(error.message).toBe(`Wrong password for the encrypted backup in ${encryptedDir}`);
    expect(sourceTempDirs()).toEqual([]);
    expect(hashTree(encryptedDir)).toBe(before);
  });

  it('asks for a password only when there is a way to get one', async () => {
    const error = await openBackup(encryptedDir).catch((e) => e);
    expect(error).toBeInstanceOf(BackupError);
    expect(error.message).toMatch(/is encrypted: its password is needed$/);
  });
});

describe('bad input', () => {
  const copyOf = (dir: string, name: string) => {
    const copy = path.join(work, name);
    cpSync(dir, copy, { recursive: true });
    return copy;
  };
  const failure = async (dir: string, password?: string) => {
    const error = await openBackup(dir, password ? { password: async () => password } : {}).catch((e) => e);
    expect(error).toBeInstanceOf(BackupError);
    expect(error.message).not.toMatch(/\n/);
    expect(sourceTempDirs()).toEqual([]);
    return error.message as string;
  };

  it('a folder that is not a backup', async () => {
    const dir = path.join(work, 'not-a-backup');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'notes.txt'), 'hello');
    expect(await failure(dir)).toBe(`Not an iPhone backup folder (no Manifest.db): ${dir}`);
    expect(await failure(path.join(work, 'nowhere'))).toMatch(/^No such backup folder: /);
    expect(await failure(path.join(dir, 'notes.txt'))).toMatch(/^Not a folder: /);
  });

  it('the folder holding several backups names them; one holding one names its path', async () => {
    expect(await failure(work)).toMatch(/holds several backups; pass one of its folders: .*encrypted.*plain/);
    const parent = path.join(work, 'one-backup');
    cpSync(plainDir, path.join(parent, '00008110-ABCD'), { recursive: true });
    expect(await failure(parent)).toBe(`${parent} holds a backup in its folder 00008110-ABCD: pass ${path.join(parent, '00008110-ABCD')}`);
  });

  it('a backup without sms.db in its manifest, or with its file gone', async () => {
    const noEntry = copyOf(plainDir, 'no-sms-entry');
    const db = new Database(path.join(noEntry, 'Manifest.db'));
    db.prepare('DELETE FROM Files WHERE fileID = ?').run(fileIdFor(SMS_DB));
    db.close();
    expect(await failure(noEntry)).toBe(`The backup in ${noEntry} has no Messages database (Library/SMS/sms.db)`);

    const noFile = copyOf(plainDir, 'no-sms-file');
    rmSync(storedFilePath(noFile, fileIdFor(SMS_DB)));
    expect(await failure(noFile)).toMatch(/^Library\/SMS\/sms\.db is listed in the backup .* but its file 3d0d7e5f\w+ is missing$/);
  });

  it('a truncated Manifest.db, plain or encrypted', async () => {
    for (const [dir, name, password] of [[plainDir, 'truncated-plain'], [encryptedDir, 'truncated-encrypted', PASSWORD]]) {
      const copy = copyOf(dir!, name!);
      const manifest = path.join(copy, 'Manifest.db');
      truncateSync(manifest, Math.floor(statSync(manifest).size / 2) + 5);
      expect(await failure(copy, password)).toBe(`Manifest.db in ${copy} is damaged or incomplete (was the backup interrupted?)`);
    }
  });

  it('a damaged Manifest.plist', async () => {
    const copy = copyOf(plainDir, 'bad-plist');
    writeFileSync(path.join(copy, 'Manifest.plist'), 'bplist00 garbage');
    expect(await failure(copy)).toMatch(/^Backup in .*: Manifest\.plist cannot be read/);
  });

  it('an attachment listed in the manifest whose file is gone: a warning, undefined', async () => {
    const copy = copyOf(plainDir, 'missing-attachment');
    const stored = 'Library/SMS/Attachments/ab/11/AAA-1/IMG_0001.jpeg';
    rmSync(storedFilePath(copy, fileIdFor({ domain: 'MediaDomain', relativePath: stored })));
    const warnings: string[] = [];
    const source = await openBackup(copy, { onWarning: (line) => warnings.push(line) });
    try {
      expect(source.resolveAttachment(`~/${stored}`)).toBeUndefined();
      expect(source.resolveAttachment(`/var/mobile/${stored}`)).toBeUndefined();
      expect(source.resolveAttachment(`~/${stored}`)).toBeUndefined();
      expect(warnings).toEqual([expect.stringMatching(/^Attachment Library\/SMS\/Attachments\/ab\/11\/AAA-1\/IMG_0001\.jpeg is listed in the backup but its file \w+ is missing$/)]);
    } finally {
      await source.dispose();
    }
  });
});

describe('a backup that overlaps a Mac database only partly', () => {
  it('editSmsDb changes the phone copy only', async () => {
    const dir = path.join(work, 'partial');
    await writeBackup({
      chatDb: chat.chatDb,
      outDir: dir,
      seed: 5,
      editSmsDb: (db) => {
        db.prepare("DELETE FROM message WHERE guid IN ('MSG-0', 'MSG-1')").run();
        db.prepare("INSERT INTO message (guid, text, date) VALUES ('PHONE-ONLY', 'sent from the phone', 1)").run();
      },
    });
    const source = await openBackup(dir);
    try {
      const guids = (rows(source.dbPath, 'SELECT guid FROM message ORDER BY ROWID') as { guid: string }[]).map((r) => r.guid);
      expect(guids).toEqual(['MSG-2', 'MSG-3', 'MSG-4', 'MSG-5', 'PHONE-ONLY']);
    } finally {
      await source.dispose();
    }
    expect(rows(chat.chatDb, 'SELECT count(*) AS n FROM message')).toEqual([{ n: 6 }]);
  });
});

describe('sms.db with a write-ahead log in the backup', () => {
  it('folds the log into a private copy so recent messages are read', async () => {
    const dir = path.join(work, 'with-wal');
    const withWal = path.join(work, 'wal-chat');
    mkdirSync(withWal);
    copyFileSync(chat.chatDb, path.join(withWal, 'chat.db'));
    await writeBackup({ chatDb: path.join(withWal, 'chat.db'), outDir: dir, seed: 3 });
    // Append a message to the stored sms.db's log: write to a WAL-mode copy, keep its -wal, store both.
    const stored = storedFilePath(dir, fileIdFor(SMS_DB));
    const scratch = path.join(work, 'wal-scratch.db');
    copyFileSync(stored, scratch);
    const db = new Database(scratch);
    db.pragma('journal_mode = WAL');
    db.pragma('wal_autocheckpoint = 0');
    db.prepare("INSERT INTO message (guid, text, date) VALUES ('MSG-WAL', 'only in the log', 1)").run();
    const walBytes = readFileSync(`${scratch}-wal`);
    const mainBytes = readFileSync(scratch);
    db.close();
    writeFileSync(stored, mainBytes);
    const wal = { domain: 'HomeDomain', relativePath: 'Library/SMS/sms.db-wal' };
    const walId = fileIdFor(wal);
    mkdirSync(path.dirname(storedFilePath(dir, walId)), { recursive: true });
    writeFileSync(storedFilePath(dir, walId), walBytes);
    const manifest = new Database(path.join(dir, 'Manifest.db'));
    manifest.prepare('INSERT INTO Files VALUES (?, ?, ?, 1, NULL)').run(walId, wal.domain, wal.relativePath);
    manifest.close();

    const before = hashTree(dir);
    const source = await openBackup(dir);
    try {
      expect(source.dbPath).not.toBe(stored);
      const texts = (rows(source.dbPath, 'SELECT text FROM message ORDER BY ROWID') as { text: string }[]).map((r) => r.text);
      expect(texts.at(-1)).toBe('only in the log');
      expect(texts).toHaveLength(7);
    } finally {
      await source.dispose();
    }
    expect(hashTree(dir)).toBe(before);
  });
});
