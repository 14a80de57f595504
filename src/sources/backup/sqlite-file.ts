/** Small facts about SQLite files the backup reader needs: the header, whole pages, folding a write-ahead log. */
import { closeSync, openSync, readSync, statSync, truncateSync } from 'node:fs';
import Database from 'better-sqlite3';

const SQLITE_MAGIC = 'SQLite format 3\0';

function readHeader(file: string): Buffer {
  const header = Buffer.alloc(18);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, header, 0, header.length, 0);
  } finally {
    closeSync(fd);
  }
  return header;
}

export function isSqliteFile(file: string): boolean {
  return readHeader(file).toString('latin1', 0, 16) === SQLITE_MAGIC;
}

/**
 * Drops whatever follows the last whole SQLite page (the cipher's padding), without guessing from the
 * padding bytes: the decrypted Manifest.db may or may not carry PKCS7 padding.
 */
export function truncateToWholePages(file: string): void {
  const header = readHeader(file);
  if (header.toString('latin1', 0, 16) !== SQLITE_MAGIC) return;
  const stored = header.readUInt16BE(16);
  const pageSize = stored === 1 ? 65536 : stored;
  if (pageSize < 512) return;
  const length = statSync(file).size;
  truncateSync(file, length - (length % pageSize));
}

/** Checkpoints a private copy's write-ahead log into the database file, so any reader sees every row. */
export function foldWal(dbCopy: string): void {
  const db = new Database(dbCopy, { fileMustExist: true });
  try {
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.pragma('journal_mode = DELETE');
  } finally {
    db.close();
  }
}
