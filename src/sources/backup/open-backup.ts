/**
 * An iPhone backup folder (Finder, iTunes, Apple Devices) as a message source.
 *
 *   const source = await openBackup(dir, { password: () => askPassword(), progress: spinner });
 *   try { read(source.dbPath); source.resolveAttachment('~/Library/SMS/Attachments/…'); }
 *   finally { await source.dispose(); }
 *
 * Plain backups: dbPath is the stored sms.db itself (open it read-only); attachments resolve to their stored
 * files. Encrypted backups: Manifest.db and sms.db are decrypted into a private temporary folder, attachments
 * lazily on resolveAttachment; dispose() removes the folder (so do exit and SIGINT/SIGTERM). Nothing is ever
 * written into the backup folder. Every failure the user can cause is a BackupError whose message is one line.
 */
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { copyFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { expandHome } from '../../home-path.js';
import { safeFileName } from '../../media/safe-names.js';
import type { MessageSource, SourceFacts } from '../../read/source.js';
import { isDamage } from '../../read/salvage.js';
import { otherSourceHint } from '../../read/other-source.js';
import { createPrivateTempDir, noRoomInTemp, REMOVE_FOLDER, type PrivateTempDir } from '../temp-dir.js';
import { MAC_REFUSAL, systemReason } from '../../errors.js';
import { decryptFile } from './aes.js';
import { BackupError } from './backup-error.js';
import { BackupFiles, type ManifestEntry } from './backup-files.js';
import { attachmentDomainPath, IPHONE_ADDRESS_BOOK, SMS_DB, walOf, type DomainPath } from './layout.js';
import { MetadataError, readBackupMetadata, type BackupInfo, type BackupMetadata } from './metadata.js';
import { foldWal, isSqliteFile, truncateToWholePages } from './sqlite-file.js';
import { unlockBackup, type SlowStepReporter } from './unlock.js';

export { BackupError } from './backup-error.js';
export type { BackupInfo } from './metadata.js';
export type { SlowStepReporter } from './unlock.js';

export interface BackupSource extends MessageSource {
  info: BackupInfo;
  /**
   * The phone's contacts database (AddressBook.sqlitedb) as a readable file, or undefined when not backed up.
   * Throws a BackupError when it is listed but cannot be read.
   */
  contactsDatabase(): Promise<string | undefined>;
  /** Deletes attachments decrypted so far; call between conversations to bound disk use. No-op for plain backups. */
  releaseAttachments(): Promise<void>;
}

export interface OpenBackupOptions {
  /**
   * Asked only when the backup is encrypted: the password to try after `tried` wrong ones (undefined: there is
   * no other to try; one that always gives one is asked on and on).
   */
  password?: (tried: number) => Promise<string | undefined>;
  progress?: SlowStepReporter;
  /** Problems that do not stop the export, one line each (e.g. an attachment file missing from the backup). */
  onWarning?: (line: string) => void;
}

export async function openBackup(dir: string, opts: OpenBackupOptions = {}): Promise<BackupSource> {
  const backupDir = path.resolve(expandHome(dir));
  checkIsBackupFolder(backupDir);
  let metadata: BackupMetadata;
  try {
    metadata = readBackupMetadata(backupDir);
  } catch (error) {
    if (error instanceof MetadataError) throw new BackupError(`Backup in ${backupDir}: ${error.message}`);
    throw error;
  }
  const { unfinished } = metadata.info;
  if (unfinished) opts.onWarning?.(`The backup in ${backupDir} may not have finished (${unfinished}): messages and attachments it did not get to are missing`);
  const tmp = await createPrivateTempDir('textkeeper-backup-');
  let files: BackupFiles | undefined;
  try {
    files = await openManifest(backupDir, metadata, tmp.path, opts);
    const readable = await readableDatabase(files, SMS_DB, tmp.path, opts.onWarning, opts.progress);
    if (!readable) throw new BackupError(`The backup in ${backupDir} has no Messages database (Library/SMS/sms.db)`);
    const { path: dbPath, wal } = readable;
    if (!isSqliteFile(dbPath)) {
      throw new BackupError(`The Messages database in the backup ${backupDir} is not readable (damaged, or not decrypted correctly)`);
    }
    const facts: SourceFacts = {
      kind: 'iphone-backup',
      path: backupDir,
      database: files.lookup(SMS_DB)!.storedPath,
      wal,
      device: metadata.info.deviceName,
      osVersion: metadata.info.productVersion,
      udid: metadata.info.udid,
      backedUp: metadata.info.lastBackupDate,
    };
    return new OpenedBackup(backupDir, metadata.info, files, tmp, dbPath, facts, opts.onWarning);
  } catch (error) {
    files?.close();
    await tmp.remove();
    throw error;
  }
}

function checkIsBackupFolder(backupDir: string): void {
  if (!existsSync(backupDir)) throw new BackupError(`No such backup folder: ${backupDir}`);
  if (!statSync(backupDir).isDirectory()) throw new BackupError(`Not a folder: ${backupDir}`);
  try {
    readdirSync(backupDir);
  } catch (error) {
    throw new BackupError(`Cannot read ${backupDir}: ${explain(error)}`);
  }
  if (existsSync(path.join(backupDir, 'Manifest.db'))) return;
  if (existsSync(path.join(backupDir, 'Manifest.mbdb'))) {
    throw new BackupError(`The backup in ${backupDir} is from iOS 9 or earlier (Manifest.mbdb), which textkeeper does not read`);
  }
  const inside = readdirSync(backupDir).filter((name) => existsSync(path.join(backupDir, name, 'Manifest.db')));
  if (inside.length === 1) throw new BackupError(`${backupDir} holds a backup in its folder ${inside[0]}: pass ${path.join(backupDir, inside[0]!)}`);
  if (inside.length > 1) throw new BackupError(`${backupDir} holds several backups; pass one of its folders: ${inside.join(', ')}`);
  const hint = otherSourceHint(backupDir);
  throw new BackupError(`Not an iPhone backup folder (no Manifest.db): ${backupDir}${hint && `.${hint}`}`);
}

/** Why a file could not be read, in words; macOS guards the backup folder behind Full Disk Access. */
function explain(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EPERM' || code === 'EACCES') return MAC_REFUSAL;
  return systemReason(error) ?? code ?? (error as Error).message;
}

async function openManifest(backupDir: string, metadata: BackupMetadata, tmpDir: string, opts: OpenBackupOptions): Promise<BackupFiles> {
  const copy = path.join(tmpDir, 'Manifest.db');
  const original = path.join(backupDir, 'Manifest.db');
  const damaged = `Manifest.db in ${backupDir} is damaged or incomplete (was the backup interrupted?)`;
  let classKeys: Map<number, Buffer> | undefined;
  if (metadata.info.encrypted) {
    const unlocked = await unlockBackup(backupDir, metadata, opts.password, opts.progress);
    classKeys = unlocked.classKeys;
    opts.progress?.start('Decrypting the backup manifest');
    try {
      await decryptFile(unlocked.manifestKey, original, copy);
      truncateToWholePages(copy);
    } catch (error) {
      // File-system failures (no space, no permission) say so; cipher failures mean damaged ciphertext.
      const systemError = (error as NodeJS.ErrnoException).syscall !== undefined;
      throw noRoomInTemp(error, 'a decrypted copy of Manifest.db') ?? new BackupError(systemError ? `Cannot decrypt Manifest.db in ${backupDir}: ${explain(error)}` : damaged);
    } finally {
      opts.progress?.stop();
    }
  } else {
    await copyFile(original, copy).catch((error) => {
      throw noRoomInTemp(error, 'a copy of Manifest.db') ?? new BackupError(`Cannot read Manifest.db in ${backupDir}: ${explain(error)}`);
    });
  }
  if (!isSqliteFile(copy)) throw new BackupError(damaged);
  let files: BackupFiles | undefined;
  try {
    files = new BackupFiles(backupDir, copy, classKeys);
    files.check();
    return files;
  } catch {
    files?.close();
    throw new BackupError(damaged);
  }
}

/**
 * A database from the backup as one readable file: the stored file itself when plain and without a
 * write-ahead log; else a private copy (decrypted when needed) with its log folded in. A log the manifest
 * lists but the folder lacks is a warning: the newest rows were in it. `wal`: the log's stored file, when folded in.
 */
async function readableDatabase(
  files: BackupFiles,
  where: DomainPath,
  tmpDir: string,
  onWarning: (line: string) => void = () => {},
  progress?: SlowStepReporter,
): Promise<{ path: string; wal?: string } | undefined> {
  const entry = files.lookup(where);
  if (!entry) return undefined;
  if (!existsSync(entry.storedPath)) {
    throw new BackupError(`${where.relativePath} is listed in the backup ${files.backupDir} but its file ${entry.fileId} is missing`);
  }
  const wal = files.lookup(walOf(where));
  if (wal && !existsSync(wal.storedPath)) {
    onWarning(`${wal.relativePath} is listed in the backup ${files.backupDir} but its file ${wal.fileId} is missing: the newest changes to ${path.basename(where.relativePath)} are not read`);
  }
  const withWal = wal !== undefined && existsSync(wal.storedPath) && statSync(wal.storedPath).size > 0;
  if (!files.encrypted && !withWal) return { path: entry.storedPath };
  const target = path.join(tmpDir, path.basename(where.relativePath));
  progress?.start(`${files.encrypted ? 'Decrypting' : 'Copying'} ${path.basename(where.relativePath)}`);
  try {
    await files.extract(entry, target);
    if (withWal) {
      await files.extract(wal, `${target}-wal`);
      foldWal(target);
    }
  } catch (error) {
    const copy = `${files.encrypted ? 'a decrypted copy' : 'a copy'} of ${path.basename(where.relativePath)}`;
    throw noRoomInTemp(error, copy) ?? new BackupError(`Cannot read ${where.relativePath} from the backup ${files.backupDir}: ${explain(error)}`);
  } finally {
    progress?.stop();
  }
  return { path: target, wal: withWal ? wal.storedPath : undefined };
}

/** `timed`: the time of day the backup was made too (UTC, as its day is). */
function describe(info: BackupInfo, backupDir: string, timed = false): string {
  const made = info.lastBackupDate?.toISOString();
  const facts = [
    info.deviceName ?? path.basename(backupDir),
    info.productVersion && `iOS ${info.productVersion}`,
    made && `backed up ${made.slice(0, 10)}${timed ? ` ${made.slice(11, 16)} UTC` : ''}`,
    info.encrypted && 'encrypted',
  ].filter(Boolean);
  return `iPhone backup: ${facts.join(', ')}`;
}

/**
 * Tells apart the backups of one run that are described alike (two of one iPhone made the same day), so that
 * what a run says of each (the messages only in it) is not said of one: by the time each was made, else by its folder.
 */
export function describeApart(backups: BackupSource[]): void {
  const alike = (backup: BackupSource) => backups.some((other) => other !== backup && other.description === backup.description);
  const sameDay = backups.filter(alike);
  for (const backup of sameDay) backup.description = describe(backup.info, backup.facts.path, true);
  for (const backup of sameDay.filter(alike)) backup.description += ` (${backup.facts.path})`;
}

class OpenedBackup implements BackupSource {
  description: string;
  /** Answers by path in the backup, so each problem is reported once however often renderers ask. */
  private readonly resolved = new Map<string, string | undefined>();
  /** Attachments whose rows of Manifest.db a damaged page keeps from being read, and what became of them. */
  private readonly manifestDamage = new Set<string>();
  private disposed = false;

  constructor(
    backupDir: string,
    readonly info: BackupInfo,
    private readonly files: BackupFiles,
    private readonly tmp: PrivateTempDir,
    readonly dbPath: string,
    readonly facts: SourceFacts,
    private readonly onWarning: (line: string) => void = () => {},
  ) {
    this.description = describe(info, backupDir);
  }

  damage(): string[] {
    return [...this.files.damaged, ...this.manifestDamage].map((line) => `its Manifest.db: ${line}`);
  }

  get transientAttachments(): boolean {
    return this.files.encrypted;
  }

  /** Stored files live in the backup folder; decrypted ones in the private temporary folder. */
  get attachmentFolders(): string[] {
    return this.files.encrypted ? [this.tmp.path] : [this.files.backupDir];
  }

  resolveAttachment(storedPath: string): string | undefined {
    const where = attachmentDomainPath(storedPath);
    if (!where || this.disposed) return undefined;
    if (!this.resolved.has(where.relativePath)) this.resolved.set(where.relativePath, this.resolve(where));
    return this.resolved.get(where.relativePath);
  }

  private resolve(where: DomainPath): string | undefined {
    let entry: ManifestEntry | undefined;
    try {
      entry = this.files.lookup(where);
    } catch (error) {
      if (isDamage(error)) this.manifestDamage.add(`${where.relativePath}: its row cannot be read (${(error as Error).message}); the attachment is shown as missing`);
      else this.onWarning(`Cannot look up ${where.relativePath} in the backup's Manifest.db: ${(error as Error).message}`);
      return undefined;
    }
    if (!entry) return undefined;
    if (!existsSync(entry.storedPath)) {
      this.onWarning(`Attachment ${where.relativePath} is listed in the backup but its file ${entry.fileId} is missing`);
      return undefined;
    }
    return this.files.encrypted ? this.decryptAttachment(entry) : entry.storedPath;
  }

  /**
   * Deletes the attachments decrypted so far (encrypted backups), e.g. after each conversation is rendered,
   * so a large backup never needs its whole media decrypted on disk at once. Paths handed out before are gone.
   */
  async releaseAttachments(): Promise<void> {
    if (!this.files.encrypted) return;
    this.resolved.clear();
    await rm(path.join(this.tmp.path, 'attachments'), REMOVE_FOLDER);
  }

  async contactsDatabase(): Promise<string | undefined> {
    return (await readableDatabase(this.files, IPHONE_ADDRESS_BOOK, this.tmp.path, this.onWarning))?.path;
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.files.close();
    await this.tmp.remove();
  }

  private decryptAttachment(entry: ManifestEntry): string | undefined {
    const folder = path.join(this.tmp.path, 'attachments', entry.fileId);
    // The phone's name may be one Windows cannot create (`?`, `:`, `CON.jpg`): the copy gets a safe one.
    const target = path.join(folder, safeFileName(path.posix.basename(entry.relativePath)));
    try {
      mkdirSync(folder, { recursive: true, mode: 0o700 });
      this.files.decryptSync(entry, target);
      return target;
    } catch (error) {
      // A full temporary folder fails every attachment after this one too: the run stops and says where.
      const full = noRoomInTemp(error, "the backup's decrypted attachments");
      if (full) throw full;
      this.onWarning(`Cannot decrypt attachment ${entry.relativePath}: ${systemReason(error) ?? (error as Error).message}`);
      return undefined;
    }
  }
}
