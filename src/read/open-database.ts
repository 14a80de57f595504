import { constants, statSync } from 'node:fs';
import { copyFile, open, rm, stat, truncate } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { systemReason, UserError } from '../errors.js';
import { createPrivateTempDir, noRoomInTemp } from '../sources/temp-dir.js';
import { checkInBackground } from './check-thread.js';
import type { DamageReport } from './damage.js';
import { lostBranches, rebuildTables, type LostBranch } from './recover.js';
import { otherSourceHint } from './other-source.js';

// better-sqlite3 reads this once per process, when it first opens a database: it turns on URI
// filenames, which this build otherwise ignores, so that `?immutable=1` can be asked for.
process.env.SQLITE_USE_URI ??= '1';

/** A read-only connection to a private view of a messages database, and how to let go of it. */
export interface OpenedDatabase {
  db: Database.Database;
  /**
   * What `PRAGMA quick_check` found (undefined: nothing, or not asked to check). The check runs on a
   * thread of its own meanwhile, so reading need not wait for it.
   */
  damage: Promise<DamageReport | undefined>;
  /** Read in place (no -wal or -shm beside it): what is read and checked is exactly the file at the path. */
  inPlace: boolean;
  /** The -wal beside it, when it held anything: read with the file, so part of what was read. */
  wal?: string;
  close(): Promise<void>;
}

/** The connection, and where it connects to (a path, or a URI asking for an immutable file). */
interface View extends Omit<OpenedDatabase, 'damage'> {
  location: string;
  /** Where the rows read are, when not at `location` (a copy with tables rebuilt): rows lost are counted there. */
  rowsLocation?: string;
  /** What opening it had to make up for (a file cut short, tables rebuilt), as findings of the check. */
  notes: string[];
}

const UNCHECKED = 'rows of it may be lost (without --no-check, the check would name them)';
const REQUIRED_TABLES = ['message', 'chat', 'handle', 'chat_message_join'];
/** Tables every Messages schema has beside those, and the reader reads. */
const READ_TABLES = ['chat_handle_join', 'attachment', 'message_attachment_join'];
/** Columns every Messages schema since the first has; the reader does without any other. */
const REQUIRED_COLUMNS: Record<string, string[]> = {
  message: ['guid', 'date'],
  chat: ['guid'],
  handle: ['id', 'service'],
  chat_message_join: ['chat_id', 'message_id'],
  chat_handle_join: ['chat_id', 'handle_id'],
  attachment: ['guid'],
  message_attachment_join: ['message_id', 'attachment_id'],
};

/**
 * Opens a chat.db (or an iPhone sms.db) without changing anything beside it, and checks it unless told not to.
 *
 * SQLite, even read-only, writes `-wal`/`-shm` files next to a WAL database. Opened as immutable it
 * touches nothing, but it would also skip rows that live only in the `-wal` (Messages is running).
 * So a database with a `-wal` or `-shm` beside it is read from a private copy of both (a clone where the
 * file system supports it); any other is opened in place as immutable, or copied too when this process
 * cannot ask for that (URI filenames off). A hard link would be cheaper than a copy but changes the
 * original's link count and ctime.
 */
export async function openMessagesDatabase(path: string, check = true): Promise<OpenedDatabase> {
  const { db, location, rowsLocation, inPlace, wal, close, notes } = await openView(path);
  // What opening made up for is said even unchecked; the rows that were lost, only the check can tell.
  if (!check) return { db, damage: Promise.resolve(notes.length > 0 ? { findings: notes, unreadable: [], uncounted: [UNCHECKED] } : undefined), inPlace, wal, close };
  const checking = checkInBackground(location, rowsLocation);
  const noted = (report: DamageReport | undefined) => ({ findings: [...notes, ...(report?.findings ?? [])], unreadable: report?.unreadable ?? [], uncounted: report?.uncounted ?? [] });
  const damage = (notes.length > 0 ? checking.report.then(noted) : checking.report).then((report) => refuseMismatchedWal(path, report));
  // Whoever wants the result awaits it; one never awaited must not count as an unhandled failure.
  damage.catch(() => {});
  return {
    db,
    damage,
    inPlace,
    wal,
    async close() {
      await checking.stop();
      await close();
    },
  };
}

async function openView(path: string): Promise<View> {
  const view = await openFile(path);
  const lost = lostBranches(view.db, view.inPlace ? path : view.location);
  return lost.length === 0 ? view : rebuiltView(view, path, lost);
}

async function openFile(path: string): Promise<View> {
  await checkIsSqliteFile(path);
  // A -wal or -shm beside it, even empty, means a writer may be at work: the file may change under a reader.
  if (!(await exists(`${path}-wal`)) && !(await exists(`${path}-shm`)) && !(await cutShort(path))) {
    const inPlace = openImmutable(path);
    if (inPlace) return inPlace;
  }
  // Removed at exit too: a second Ctrl-C ends the process at once, and a copy of someone's messages must not stay behind.
  const folder = await createPrivateTempDir('textkeeper-db-');
  try {
    const privatePath = join(folder.path, 'chat.db');
    const withWal = await copySnapshot(path, privatePath);
    // Judged on the snapshot: a checkpoint writes page 1 (with the new page count) before the pages it counts,
    // so the header of a file being written says, for a moment, that it is cut short.
    const cut = await cutShort(privatePath);
    if (cut) await truncate(privatePath, cut.expected);
    return { ...connectView(privatePath, path, false, () => folder.remove()), wal: withWal ? `${path}-wal` : undefined, notes: cut ? [cut.finding] : [] };
  } catch (error) {
    await folder.remove();
    throw error instanceof UserError && foreignWal(path) ? foreignWalError(path, error) : error;
  }
}

/**
 * Whether the file alone is a Messages database, though not with the -wal beside it: a -wal of another
 * database (copied in beside it, say), whose pages would stand for its own.
 */
function foreignWal(path: string): boolean {
  if ((statSync(`${path}-wal`, { throwIfNoEntry: false })?.size ?? 0) === 0) return false;
  try {
    const alone = openImmutable(path);
    alone?.db.close();
    return alone !== undefined;
  } catch {
    return false;
  }
}

function foreignWalError(path: string, error: Error): UserError {
  // The error names the database first: "PATH is …".
  const found = error.message.startsWith(path) ? error.message.slice(path.length + 1).replace(/\.$/, '') : `cannot be read (${error.message})`;
  return new UserError(`${path}-wal does not belong to ${path}: read with it, the database ${found}; read alone, it is a Messages database. Move the -wal away to read the database as it was last saved.`);
}

/**
 * Damage found in a database read with its -wal, though the file alone is sound: the -wal was copied at
 * another time than the file (or is another database's), and its pages stand for pages they do not fit.
 * Neither the damage nor the rows read can be trusted, so the pair is refused.
 */
async function refuseMismatchedWal(path: string, report: DamageReport | undefined): Promise<DamageReport | undefined> {
  if (!report || (await sizeOf(`${path}-wal`)) === 0 || !(await soundAlone(path))) return report;
  throw new UserError(`${path}-wal does not match ${path} (copied at another time?): read with it, the database is damaged; read alone, it is sound. Copy chat.db and chat.db-wal together while Messages is closed, or move the -wal away to read the database as it was last saved.`);
}

/** Whether the file read without its -wal (from a private copy of the file alone) checks sound. */
async function soundAlone(path: string): Promise<boolean> {
  const folder = await createPrivateTempDir('textkeeper-db-');
  try {
    const alone = join(folder.path, 'chat.db');
    await copyFile(path, alone, constants.COPYFILE_FICLONE);
    const checking = checkInBackground(alone);
    try {
      return (await checking.report) === undefined;
    } finally {
      await checking.stop();
    }
  } catch {
    return false;
  } finally {
    await folder.remove();
  }
}

/**
 * A table whose first page is lost cannot be read at all, nor the rows below a lost page linking part of them,
 * though the pages holding them may all be whole: its rows are read from a copy in which it is rebuilt from
 * them (see recover.ts). The check still looks at the database as it is; the rows it counts lost are those the
 * rebuilt tables lack.
 */
async function rebuiltView(view: View, path: string, tables: LostBranch[]): Promise<View> {
  const folder = await createPrivateTempDir('textkeeper-db-');
  try {
    const rebuilt = join(folder.path, 'chat.db');
    await copySnapshot(view.inPlace ? path : view.location, rebuilt);
    const notes = [...view.notes, ...rebuildTables(rebuilt, tables)];
    const db = connect(rebuilt, path);
    return {
      db,
      location: view.location,
      rowsLocation: rebuilt,
      inPlace: false,
      wal: view.wal,
      notes,
      async close() {
        db.close();
        await folder.remove();
        await view.close();
      },
    };
  } catch (error) {
    await folder.remove();
    await view.close();
    throw error;
  }
}

/**
 * A file shorter than its header says (a copy or a download cut off): SQLite refuses it whole, as its tables'
 * first pages may lie past its end. Its private copy is made as long as it should be, the missing pages
 * empty: they are then damaged pages like any other, and what the others hold can be read.
 */
async function cutShort(path: string): Promise<{ expected: number; finding: string } | undefined> {
  const header = Buffer.alloc(100);
  const file = await open(path, 'r');
  try {
    await file.read(header, 0, 100, 0);
  } finally {
    await file.close();
  }
  const pageSize = header.readUInt16BE(16) === 1 ? 65536 : header.readUInt16BE(16);
  const pages = header.readUInt32BE(28);
  // The header's page count holds only when the change counter is the one it was written with.
  if (pages === 0 || header.readUInt32BE(24) !== header.readUInt32BE(92)) return undefined;
  const { size } = await stat(path);
  const expected = pages * pageSize;
  if (size >= expected) return undefined;
  const missing = Math.ceil((expected - size) / pageSize);
  return { expected, finding: `the file is cut short: it has ${size} bytes, its header says ${expected} (${missing} of its ${pages} pages are missing, read as empty)` };
}

const COPY_ATTEMPTS = 3;

/**
 * A private copy of the database as one consistent snapshot. With a `-shm` and a `-wal` beside it a writer may be at
 * work: SQLite itself makes the copy (its backup in a single step is one read transaction, taking part in
 * the writer's locking through the existing `-shm`). Copying the files instead cannot see every
 * checkpoint: file times are kept at a coarse clock, so a checkpoint writing into the database during
 * the copy can leave them unchanged and tear the copy. Without them nobody is writing, and the
 * database and its `-wal` are copied as files (a change seen during the copy still starts it over).
 * Gives whether a `-wal` holding anything was read with the database.
 */
async function copySnapshot(path: string, target: string): Promise<boolean> {
  // A -shm alone is left from a copy or a crash: a writer at work has its -wal open, which SQLite would create.
  if ((await exists(`${path}-shm`)) && (await exists(`${path}-wal`))) return backupLive(path, target);
  for (let attempt = 1; attempt <= COPY_ATTEMPTS; attempt++) {
    const before = await fingerprint(path);
    await readable(path, () => copyFile(path, target, constants.COPYFILE_FICLONE));
    await rm(`${target}-wal`, { force: true });
    const withWal = (await sizeOf(`${path}-wal`)) > 0;
    if (withWal) await readable(`${path}-wal`, () => copyFile(`${path}-wal`, `${target}-wal`, constants.COPYFILE_FICLONE));
    if ((await fingerprint(path)) === before) return withWal;
    await sleep(10 * attempt);
  }
  throw new UserError(`${path} kept changing while it was being copied; try again.`);
}

async function backupLive(path: string, target: string): Promise<boolean> {
  const live = openLive(path);
  try {
    // All pages in each step: a step is one read transaction, so the copy is one snapshot.
    await readable(path, () => live.backup(target, { progress: () => ALL_PAGES }));
  } finally {
    live.close();
  }
  return (await sizeOf(`${path}-wal`)) > 0;
}

const ALL_PAGES = 2 ** 30;

/**
 * A reader of a database a writer may have open. A reader normally writes its read marks into the
 * writer's `-shm`; `readonly_shm=1` makes SQLite map the `-shm` read-only (and build its own index of
 * the `-wal` where it must), so not even that file changes. By plain path when URI filenames are off.
 */
function openLive(path: string): Database.Database {
  try {
    return new Database(`${pathToFileURL(path).href}?readonly_shm=1`, { readonly: true, fileMustExist: true });
  } catch {
    return new Database(path, { readonly: true, fileMustExist: true });
  }
}

/** What changes when a checkpoint writes into the database or the `-wal` starts over (its header's salts). */
async function fingerprint(path: string): Promise<string> {
  const db = await stat(path, { bigint: true });
  let header = '';
  const wal = await open(`${path}-wal`, 'r').catch(() => undefined);
  if (wal) {
    try {
      const bytes = Buffer.alloc(32);
      await wal.read(bytes, 0, 32, 0);
      header = bytes.toString('hex');
    } finally {
      await wal.close();
    }
  }
  return `${db.size}:${db.mtimeNs}:${db.ctimeNs}:${header}`;
}

/** Runs a copy of `path` into the temporary folder, turning a refusal of the system (permissions, no room, …) into one clear line. */
async function readable<T>(path: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    const full = noRoomInTemp(error, `a private copy of ${path}`);
    if (full) throw full;
    const reason = systemReason(error);
    if (reason) throw new UserError(`Cannot read ${path}: ${reason}${path.endsWith('-wal') ? ' (it holds the newest messages, so the database cannot be read without it)' : ''}.`);
    throw error;
  }
}

/** The database opened in place with `immutable=1`, or undefined when URI filenames are off here. */
function openImmutable(path: string): View | undefined {
  const uri = `${pathToFileURL(path).href}?immutable=1`;
  try {
    new Database(uri, { readonly: true, fileMustExist: true }).close();
  } catch {
    return undefined;
  }
  return { ...connectView(uri, path, true, async () => {}), notes: [] };
}

function connectView(location: string, shownPath: string, inPlace: boolean, cleanUp: () => Promise<void>): Omit<View, 'notes'> {
  const db = connect(location, shownPath);
  return {
    db,
    location,
    inPlace,
    async close() {
      db.close();
      await cleanUp();
    },
  };
}

function connect(location: string, shownPath: string): Database.Database {
  let db: Database.Database;
  try {
    db = new Database(location, { readonly: true, fileMustExist: true });
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
    throw new UserError(`${shownPath} is a SQLite database but not a Messages database (no ${missing.join(', ')} table).${otherSourceHint(shownPath)}`);
  }
  const unknown = [...READ_TABLES.filter((t) => !tables.has(t)).map((t) => `table ${t}`), ...missingColumns(db, tables).map((c) => `column ${c}`)];
  if (unknown.length > 0) {
    db.close();
    throw new UserError(`${shownPath} has a Messages schema this version cannot read (no ${unknown.join(', ')}).`);
  }
  return db;
}

/** Columns lacking from the tables there (a table lacking altogether is said as such). */
function missingColumns(db: Database.Database, tables: Set<string>): string[] {
  return Object.entries(REQUIRED_COLUMNS).filter(([table]) => tables.has(table)).flatMap(([table, columns]) => {
    const present = new Set((db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name));
    return columns.filter((column) => !present.has(column)).map((column) => `${table}.${column}`);
  });
}

async function checkIsSqliteFile(path: string): Promise<void> {
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UserError(code === 'ENOENT' || !systemReason(error) ? `No such file: ${path}` : `Cannot read ${path}: ${systemReason(error)}.`);
  }
  if (info.isDirectory()) throw new UserError(`${path} is a folder; give the path of the chat.db file itself.${otherSourceHint(path)}`);
  // A pipe or a device would be read as an empty file, or block the run waiting for a writer.
  if (!info.isFile()) throw new UserError(`${path} is not a file (a pipe, socket or device); give the path of the chat.db file itself.`);
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

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}
