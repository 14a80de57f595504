/**
 * Reads a SQLite database that another program may have open, or a killed one left with its write-ahead log
 * (Contacts keeps its database in WAL mode; a killed run leaves an archive's store so), without touching it:
 * the file and its -wal are copied into a private temporary folder, the log folded in there, so no -wal or
 * -shm file is ever written beside the original (even a read-only connection writes the -shm) and recent
 * changes in the log are still seen.
 */
import { copyFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { foldWal } from '../sources/backup/sqlite-file.js';
import { createPrivateTempDirSync } from '../sources/temp-dir.js';

export interface SqliteCopy {
  file: string;
  /** Deletes the copy. */
  remove(): void;
}

/** `withWal` false: the file alone, without its -wal. */
export function copySqlite(file: string, withWal = true): SqliteCopy {
  const folder = createPrivateTempDirSync('textkeeper-copy-');
  try {
    const copy = path.join(folder.path, path.basename(file));
    copyFileSync(file, copy);
    if (withWal && existsSync(`${file}-wal`)) {
      copyFileSync(`${file}-wal`, `${copy}-wal`);
      foldWal(copy);
    }
    return { file: copy, remove: () => folder.removeNow() };
  } catch (error) {
    folder.removeNow();
    throw error;
  }
}

export async function readSqliteCopy<T>(file: string, read: (db: Database.Database) => T): Promise<T> {
  const copy = copySqlite(file);
  try {
    const db = new Database(copy.file, { fileMustExist: true });
    try {
      return read(db);
    } finally {
      db.close();
    }
  } finally {
    copy.remove();
  }
}
