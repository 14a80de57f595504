import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { UserError } from '../errors.js';
import { STORE_FILE } from './file-names.js';

/** Beside the store, so that the manifest leaves it out as it does the store's journals. */
export const LOCK_FILE = `${STORE_FILE}-lock`;

/**
 * Held by the one run that writes an archive folder, from before its store is opened until the run ends:
 * a second run into the same folder (a scheduled one meeting a manual one) is refused rather than mixed
 * into it. The lock is SQLite's exclusive lock on an empty database file, which the system lets go of
 * when the process ends however it ends: a killed run leaves the file, never a lock.
 */
export class ArchiveLock {
  private constructor(
    private readonly path: string,
    private readonly db: Database.Database,
  ) {}

  static take(dir: string): ArchiveLock {
    const path = join(dir, LOCK_FILE);
    const db = new Database(path, { timeout: 0 });
    try {
      // Nothing is ever written: no journal file is needed.
      db.pragma('journal_mode = OFF');
      db.exec('BEGIN EXCLUSIVE');
      return new ArchiveLock(path, db);
    } catch (error) {
      db.close();
      if ((error as { code?: string }).code === 'SQLITE_BUSY') {
        throw new UserError(`Another textkeeper run is writing the archive ${dir}: let it finish, or export into another folder.`);
      }
      throw error;
    }
  }

  /** Whether a run holds the folder's lock now; looks without writing anything. */
  static isHeld(dir: string): boolean {
    const path = join(dir, LOCK_FILE);
    if (!existsSync(path)) return false;
    try {
      const db = new Database(path, { readonly: true, fileMustExist: true, timeout: 0 });
      try {
        db.prepare('SELECT count(*) FROM sqlite_master').get();
      } finally {
        db.close();
      }
      return false;
    } catch (error) {
      return (error as { code?: string }).code === 'SQLITE_BUSY';
    }
  }

  release(): void {
    this.db.close();
    try {
      rmSync(this.path, { force: true });
    } catch {
      // Windows removes no file another program has open (an antivirus reading the new file, a verify looking
      // whether it is held): the file stays, as after a killed run, holding no lock.
    }
  }
}
