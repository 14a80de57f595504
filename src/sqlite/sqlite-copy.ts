/**
 * Reads a SQLite database that another program may have open or left in WAL mode (Contacts; a killed run's store)
 * without touching it: the file and its -wal are copied into a private temporary folder and opened there,
 * so no -wal/-shm files ever appear beside the original and recent changes in the log are still seen.
 */
import { copyFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { createPrivateTempDir } from '../sources/temp-dir.js';

export async function readSqliteCopy<T>(file: string, read: (db: Database.Database) => T): Promise<T> {
  const tmp = await createPrivateTempDir('textkeeper-contacts-');
  try {
    const copy = path.join(tmp.path, 'contacts.db');
    copyFileSync(file, copy);
    if (existsSync(`${file}-wal`)) copyFileSync(`${file}-wal`, `${copy}-wal`);
    const db = new Database(copy, { fileMustExist: true });
    try {
      return read(db);
    } finally {
      db.close();
    }
  } finally {
    await tmp.remove();
  }
}
