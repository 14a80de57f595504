import { constants } from 'node:fs';
import { copyFile, mkdtemp, open, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { UserError } from '../errors.js';

/** A read-only connection to a private view of a messages database, and how to let go of it. */
export interface OpenedDatabase {
  db: Database.Database;
  /** A second connection for look-ups while `db` is streaming rows. */
  lookup: Database.Database;
  close(): Promise<void>;
}

const REQUIRED_TABLES = ['message', 'chat', 'handle', 'chat_message_join'];

/**
 * Opens a chat.db (or an iPhone sms.db) without changing anything beside it.
 *
 * SQLite, even read-only, writes `-wal`/`-shm` files next to a WAL database, and this build of
 * better-sqlite3 has URI filenames (`?immutable=1`) compiled out. So the database is read from a
 * private copy (a clone where the file system supports it), with its `-wal` when that holds rows not
 * yet in the main file. A hard link would be cheaper but changes the original's link count and ctime.
 */
export async function openMessagesDatabase(path: string): Promise<OpenedDatabase> {
  await checkIsSqliteFile(path);
  const folder = await mkdtemp(join(tmpdir(), 'textkeeper-db-'));
  try {
    const privatePath = join(folder, 'chat.db');
    await copyFile(path, privatePath, constants.COPYFILE_FICLONE);
    if ((await sizeOf(`${path}-wal`)) > 0) await copyFile(`${path}-wal`, `${privatePath}-wal`, constants.COPYFILE_FICLONE);
    const db = connect(privatePath, path);
    const lookup = connect(privatePath, path);
    return {
      db,
      lookup,
      async close() {
        db.close();
        lookup.close();
        await rm(folder, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(folder, { recursive: true, force: true });
    throw error;
  }
}

function connect(privatePath: string, shownPath: string): Database.Database {
  let db: Database.Database;
  try {
    db = new Database(privatePath, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw new UserError(`Cannot open ${shownPath}: ${(error as Error).message}`);
  }
  let tables: Set<string>;
  try {
    const rows = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[];
    tables = new Set(rows.map((r) => r.name));
  } catch (error) {
    db.close();
    throw new UserError(`${shownPath} is damaged or not a database (${(error as Error).message}).`);
  }
  const missing = REQUIRED_TABLES.filter((t) => !tables.has(t));
  if (missing.length > 0) {
    db.close();
    throw new UserError(`${shownPath} is a SQLite database but not a Messages database (no ${missing.join(', ')} table).`);
  }
  return db;
}

async function checkIsSqliteFile(path: string): Promise<void> {
  let info;
  try {
    info = await stat(path);
  } catch {
    throw new UserError(`No such file: ${path}`);
  }
  if (info.isDirectory()) throw new UserError(`${path} is a folder; give the path of the chat.db file itself.`);
  if (info.size === 0) throw new UserError(`${path} is empty (0 bytes); it is not a Messages database.`);
  const header = Buffer.alloc(16);
  const file = await open(path, 'r').catch((error: Error) => {
    throw new UserError(`Cannot read ${path}: ${error.message}`);
  });
  try {
    await file.read(header, 0, 16, 0);
  } finally {
    await file.close();
  }
  if (header.toString('latin1') !== 'SQLite format 3\u0000') {
    throw new UserError(`${path} is not a SQLite database, so it cannot be a Messages chat.db.`);
  }
}

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}
