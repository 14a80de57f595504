/**
 * Files of one backup, looked up through its Manifest.db (a private copy, plain or decrypted) and handed
 * out as readable files: the stored file itself for plain backups, a decrypted copy for encrypted ones.
 *
 *   const files = new BackupFiles(backupDir, manifestCopy, classKeys);   // classKeys undefined when plain
 *   const entry = files.lookup({ domain, relativePath });
 *   await files.extract(entry, target);   // copy or decrypt
 *   files.close();
 */
import { constants, existsSync } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import Database from 'better-sqlite3';
import { decryptFile, decryptFileSync, trimPlaintext, unwrapKey } from './aes.js';
import { decodeFileRecord } from './file-record.js';
import { fileIdFor, storedFilePath, type DomainPath } from './layout.js';
import { isDamage } from '../../read/salvage.js';

export interface ManifestEntry extends DomainPath {
  fileId: string;
  /** Where the (possibly encrypted) bytes are stored in the backup folder. */
  storedPath: string;
  file?: Buffer;
}

export class BackupFiles {
  /** Files found though their rows of the manifest could not be read, each said once. */
  readonly damaged = new Set<string>();
  private readonly db: Database.Database;
  private readonly byId: Database.Statement<[string], { flags: number; file: Buffer | null }>;

  constructor(
    readonly backupDir: string,
    manifestDbCopy: string,
    private readonly classKeys?: Map<number, Buffer>,
  ) {
    this.db = new Database(manifestDbCopy, { fileMustExist: true });
    this.byId = this.db.prepare('SELECT flags, file FROM Files WHERE fileID = ?');
  }

  get encrypted(): boolean {
    return this.classKeys !== undefined;
  }

  /** Throws when Manifest.db is not a readable SQLite database with a Files table. */
  check(): void {
    this.db.prepare('SELECT count(*) FROM Files').pluck().get();
  }

  /**
   * The entry for a regular file, or undefined when the manifest does not list it. A plain backup's file
   * whose row is on a damaged page of the manifest is still found where its name puts it (the SHA-1 of its
   * domain and path), and said in `damaged`; an encrypted one's cannot be (its key is in that row).
   */
  lookup(where: DomainPath): ManifestEntry | undefined {
    const fileId = fileIdFor(where);
    const storedPath = storedFilePath(this.backupDir, fileId);
    let row: { flags: number; file: Buffer | null } | undefined;
    try {
      row = this.byId.get(fileId);
    } catch (error) {
      if (this.encrypted || !isDamage(error) || !existsSync(storedPath)) throw error;
      this.damaged.add(`${where.relativePath}: its row cannot be read (${(error as Error).message}); its file was found by its name`);
      return { ...where, fileId, storedPath };
    }
    if (!row || (row.flags & 1) === 0) return undefined;
    return { ...where, fileId, storedPath, file: row.file ?? undefined };
  }

  async extract(entry: ManifestEntry, target: string): Promise<void> {
    if (!this.encrypted) return copyFile(entry.storedPath, target, constants.COPYFILE_FICLONE);
    const { key, size } = this.fileKey(entry);
    await decryptFile(key, entry.storedPath, target);
    trimPlaintext(target, size);
  }

  /** Synchronous decryption, for attachments resolved on demand. Encrypted backups only. */
  decryptSync(entry: ManifestEntry, target: string): void {
    const { key, size } = this.fileKey(entry);
    decryptFileSync(key, entry.storedPath, target);
    trimPlaintext(target, size);
  }

  close(): void {
    this.db.close();
  }

  /** The file's own key, and its plaintext size when the manifest records it. */
  private fileKey(entry: ManifestEntry): { key: Buffer; size?: number } {
    if (!entry.file) throw new Error(`${entry.relativePath} has no file record in Manifest.db`);
    const record = decodeFileRecord(entry.file);
    const protectionClass = record.keyClass ?? record.protectionClass;
    const classKey = protectionClass === undefined ? undefined : this.classKeys?.get(protectionClass);
    if (!record.wrappedKey || !classKey) throw new Error(`${entry.relativePath} has no usable encryption key`);
    const key = unwrapKey(classKey, record.wrappedKey);
    if (!key) throw new Error(`the key of ${entry.relativePath} does not unwrap`);
    return { key, size: record.size };
  }
}
