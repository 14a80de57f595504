/**
 * Writes an iPhone backup folder (plain or encrypted) from a generated chat.db and its Attachments folder,
 * following the format facts in src/sources/backup/: Manifest.db `Files` table, `<id[0:2]>/<id>` layout,
 * Manifest.plist (IsEncrypted, BackupKeyBag, ManifestKey, Lockdown), Info.plist and Status.plist.
 *
 *   await writeBackup({ chatDb, attachmentsDir, outDir, seed: 1, encryption: { password: 'pw', dpIterations: 1000, iterations: 10 } });
 *
 * The chat.db becomes HomeDomain Library/SMS/sms.db with its attachment paths moved from
 * `~/Library/Messages/Attachments/…` to the phone's `~/Library/SMS/Attachments/…` or
 * `/var/mobile/Library/SMS/Attachments/…` (alternating, so readers meet both); the files go to MediaDomain (a
 * Live Photo's movie beside its still too).
 * `attachmentsDir` is the folder that `~/Library/Messages/Attachments` stands for.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import * as plist from 'plist';
import { encryptCbc, wrapKey } from '../sources/backup/aes.js';
import { fileIdFor, IPHONE_ADDRESS_BOOK, SMS_DB, storedFilePath, type DomainPath } from '../sources/backup/layout.js';
import { encodeFileRecord } from './backup-file-record.js';
import { makeBackupKeys, type BackupKeys } from './backup-keys.js';

export interface BackupDevice {
  name: string;
  productVersion: string;
  lastBackupDate: Date;
  udid: string;
}

export interface WriteBackupOptions {
  chatDb: string;
  attachmentsDir?: string;
  /** Created; must not exist yet or be empty. */
  outDir: string;
  seed: number;
  device?: Partial<BackupDevice>;
  /** Low iteration counts keep tests fast; Apple uses DPIC 10,000,000 and ITER 10,000. */
  encryption?: { password: string; dpIterations?: number; iterations?: number };
  /** An iPhone AddressBook.sqlitedb to include as HomeDomain Library/AddressBook/AddressBook.sqlitedb. */
  addressBook?: string;
  /**
   * Changes the phone's copy of the messages database before it is stored, e.g. deleting some messages so a
   * Mac database and the backup overlap only partly.
   */
  editSmsDb?: (db: Database.Database) => void;
}

export interface WrittenBackup {
  device: BackupDevice;
  /** Regular files stored (sms.db, attachments, address book). */
  files: number;
  attachments: number;
}

const DEFAULT_DEVICE: BackupDevice = {
  name: 'Sample iPhone',
  productVersion: '17.5.1',
  lastBackupDate: new Date('2024-05-01T12:00:00Z'),
  udid: '00008030-001A2B3C4D5E6F70',
};

const MAC_ATTACHMENTS = '~/Library/Messages/Attachments/';
const PHONE_ATTACHMENT_PREFIXES = ['~/Library/SMS/Attachments/', '/var/mobile/Library/SMS/Attachments/'];
const FILE_CLASS = 3;
const MANIFEST_CLASS = 4;

interface StoredFile extends DomainPath {
  source: string;
}

export async function writeBackup(opts: WriteBackupOptions): Promise<WrittenBackup> {
  const device = { ...DEFAULT_DEVICE, ...opts.device };
  if (existsSync(opts.outDir) && readdirSync(opts.outDir).length > 0) throw new Error(`${opts.outDir} is not empty`);
  await mkdir(opts.outDir, { recursive: true });
  const work = await mkdtemp(path.join(tmpdir(), 'textkeeper-gen-backup-'));
  try {
    const smsDb = path.join(work, 'sms.db');
    const attachments = await phoneCopyOfChatDb(opts.chatDb, smsDb, opts.attachmentsDir, opts.editSmsDb);
    const files: StoredFile[] = [{ ...SMS_DB, source: smsDb }, ...attachments];
    if (opts.addressBook) files.push({ ...IPHONE_ADDRESS_BOOK, source: opts.addressBook });
    const keys = opts.encryption
      ? await makeBackupKeys({
          password: opts.encryption.password,
          seed: opts.seed,
          dpIterations: opts.encryption.dpIterations ?? 1000,
          iterations: opts.encryption.iterations ?? 10,
        })
      : undefined;
    const manifestDb = path.join(work, 'Manifest.db');
    await writeFilesAndManifest(opts.outDir, manifestDb, files, device, keys);
    let manifestKey: Buffer | undefined;
    if (keys) {
      const key = keys.random(32);
      await writeFile(path.join(opts.outDir, 'Manifest.db'), encryptCbc(key, readFileSync(manifestDb)));
      manifestKey = classPrefixed(MANIFEST_CLASS, wrapKey(keys.classKeys.get(MANIFEST_CLASS)!, key));
    } else {
      await copyFile(manifestDb, path.join(opts.outDir, 'Manifest.db'));
    }
    await writePlists(opts.outDir, device, keys, manifestKey);
    return { device, files: files.length, attachments: attachments.length };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Copies chat.db to sms.db with phone attachment paths; returns the attachment files that exist. */
async function phoneCopyOfChatDb(
  chatDb: string,
  smsDb: string,
  attachmentsDir?: string,
  edit?: (db: Database.Database) => void,
): Promise<StoredFile[]> {
  await copyFile(chatDb, smsDb);
  const db = new Database(smsDb);
  try {
    db.pragma('journal_mode = DELETE');
    const rows = db
      .prepare('SELECT ROWID AS id, filename FROM attachment WHERE filename LIKE ? ORDER BY ROWID')
      .all(`${MAC_ATTACHMENTS}%`) as { id: number; filename: string }[];
    const rename = db.prepare('UPDATE attachment SET filename = ? WHERE ROWID = ?');
    const stored: StoredFile[] = [];
    db.transaction(() => {
      rows.forEach((row, index) => {
        const rest = row.filename.slice(MAC_ATTACHMENTS.length);
        rename.run(PHONE_ATTACHMENT_PREFIXES[index % 2] + rest, row.id);
        for (const file of withMovie(rest)) {
          const source = attachmentsDir && path.join(attachmentsDir, ...file.split('/'));
          if (source && existsSync(source)) stored.push({ domain: 'MediaDomain', relativePath: `Library/SMS/Attachments/${file}`, source });
        }
      });
    })();
    edit?.(db);
    return stored;
  } finally {
    db.close();
  }
}

/**
 * An attachment's file, and a Live Photo's movie beside it when the Mac has one (`IMG_1.HEIC`, `IMG_1.MOV`): stored
 * in the backup as the Mac keeps them (whether an iPhone's backup holds the movie so is not known).
 */
function withMovie(file: string): string[] {
  const movie = `${file.slice(0, file.length - path.posix.extname(file).length)}.MOV`;
  return movie.toLowerCase() === file.toLowerCase() ? [file] : [file, movie];
}

function classPrefixed(protectionClass: number, wrapped: Buffer): Buffer {
  const prefix = Buffer.alloc(4);
  prefix.writeUInt32LE(protectionClass, 0);
  return Buffer.concat([prefix, wrapped]);
}

/** Folders of a domain-relative path, outermost first ("Library", "Library/SMS", …). */
function parentFolders(relativePath: string): string[] {
  const parts = relativePath.split('/').slice(0, -1);
  return parts.map((_, i) => parts.slice(0, i + 1).join('/'));
}

/** Stores every file (encrypted when keys are given), then lists them all in Manifest.db in one transaction. */
async function writeFilesAndManifest(
  outDir: string,
  manifestDb: string,
  files: StoredFile[],
  device: BackupDevice,
  keys?: BackupKeys,
): Promise<void> {
  const rows: [fileId: string, domain: string, relativePath: string, flags: number, file: Buffer][] = [];
  const record = (relativePath: string, size: number, mode: number, encryptionKey?: Buffer) =>
    encodeFileRecord({ relativePath, size, mode, lastModified: device.lastBackupDate, protectionClass: FILE_CLASS, encryptionKey });
  const folders = new Set<string>();
  for (const file of files) {
    for (const folder of parentFolders(file.relativePath)) {
      const folderId = fileIdFor({ domain: file.domain, relativePath: folder });
      if (folders.has(folderId)) continue;
      folders.add(folderId);
      rows.push([folderId, file.domain, folder, 2, record(folder, 0, 0o40755)]);
    }
    const fileId = fileIdFor(file);
    const target = storedFilePath(outDir, fileId);
    await mkdir(path.dirname(target), { recursive: true });
    const plain = readFileSync(file.source);
    let encryptionKey: Buffer | undefined;
    if (keys) {
      const key = keys.random(32);
      await writeFile(target, encryptCbc(key, plain));
      encryptionKey = classPrefixed(FILE_CLASS, wrapKey(keys.classKeys.get(FILE_CLASS)!, key));
    } else {
      await writeFile(target, plain);
    }
    rows.push([fileId, file.domain, file.relativePath, 1, record(file.relativePath, plain.length, 0o100644, encryptionKey)]);
  }
  const db = new Database(manifestDb);
  try {
    db.exec(`
      CREATE TABLE Files (fileID TEXT PRIMARY KEY, domain TEXT, relativePath TEXT, flags INTEGER, file BLOB);
      CREATE INDEX FilesDomainIdx ON Files(domain);
      CREATE INDEX FilesRelativePathIdx ON Files(relativePath);
      CREATE INDEX FilesFlagsIdx ON Files(flags);
      CREATE TABLE Properties (key TEXT PRIMARY KEY, value BLOB);
    `);
    const insert = db.prepare('INSERT INTO Files (fileID, domain, relativePath, flags, file) VALUES (?, ?, ?, ?, ?)');
    db.transaction(() => rows.forEach((row) => insert.run(...row)))();
  } finally {
    db.close();
  }
}

async function writePlists(outDir: string, device: BackupDevice, keys?: BackupKeys, manifestKey?: Buffer): Promise<void> {
  const lockdown = {
    DeviceName: device.name,
    ProductVersion: device.productVersion,
    ProductType: 'iPhone15,2',
    BuildVersion: '21F90',
    UniqueDeviceID: device.udid,
  };
  const manifest: Record<string, plist.PlistValue> = {
    Version: '10.0',
    Date: device.lastBackupDate,
    IsEncrypted: keys !== undefined,
    WasPasscodeSet: false,
    SystemDomainsVersion: '24.0',
    Lockdown: lockdown,
    Applications: {},
  };
  if (keys && manifestKey) {
    manifest.BackupKeyBag = keys.keybag;
    manifest.ManifestKey = manifestKey;
  }
  await writeFile(path.join(outDir, 'Manifest.plist'), plist.buildBinary(manifest));
  const info = {
    'Device Name': device.name,
    'Display Name': device.name,
    'Product Version': device.productVersion,
    'Product Type': lockdown.ProductType,
    'Build Version': lockdown.BuildVersion,
    'Last Backup Date': device.lastBackupDate,
    'Unique Identifier': device.udid,
    'Target Identifier': device.udid,
    'Target Type': 'Device',
  };
  await writeFile(path.join(outDir, 'Info.plist'), plist.build(info));
  const status = { IsFullBackup: false, Version: '3.3', BackupState: 'new', Date: device.lastBackupDate, SnapshotState: 'finished' };
  await writeFile(path.join(outDir, 'Status.plist'), plist.buildBinary(status));
}
