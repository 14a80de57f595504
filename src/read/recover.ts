import { closeSync, openSync, readSync } from 'node:fs';
import Database from 'better-sqlite3';
import { readableRowIds, salvage } from './salvage.js';

/** Tables whose rows, lost with their b-tree's first page, are looked for in the pages left unlinked. */
const TABLES = ['message', 'chat', 'handle', 'attachment'];

/** The tables of these that a damaged first page leaves unreadable from their first row. */
export function tablesWithLostRoot(db: Database.Database): string[] {
  return TABLES.filter((table) => salvage(() => (db.prepare(`SELECT ROWID FROM ${table} NOT INDEXED LIMIT 1`).get(), false), () => true));
}

/**
 * Rebuilds these tables of the database at `path` (a private copy, which this changes) from the pages no
 * b-tree links to any more: when a table's first page is lost, its other pages are still whole, only
 * unreachable. Each such page is read as a table of its own; a row is taken when one of the table's UNIQUE
 * indexes lists it (same ROWID, same values), so that neither another table's rows nor stale ones come
 * in. The rows found make a new b-tree, which the table's entry in the schema then points to. Gives one
 * line per table for the check's findings.
 */
export function rebuildTables(path: string, tables: string[]): string[] {
  const db = new Database(path);
  // Defensive mode (better-sqlite3's default) forbids writing the schema table: this private copy needs to.
  db.unsafeMode(true);
  try {
    // Every page in the file itself, to be read there; a copy thrown away after the run needs no journal.
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.pragma('journal_mode = OFF');
    db.pragma('synchronous = OFF');
    const orphans = unlinkedLeaves(db, path);
    db.pragma('writable_schema = ON');
    return tables.map((table) => rebuild(db, table, orphans));
  } finally {
    db.close();
  }
}

function rebuild(db: Database.Database, table: string, orphans: number[]): string {
  const columns = db.prepare(`PRAGMA table_info(${table})`).all() as { name: string; type: string; dflt_value: string | null; pk: number }[];
  const definition = columns.map((c) => `"${c.name}" ${c.pk ? 'INTEGER PRIMARY KEY' : c.type}${c.dflt_value === null ? '' : ` DEFAULT ${c.dflt_value}`}`).join(', ');
  const key = uniqueKey(db, table);
  const rebuilt = `textkeeper_rebuilt_${table}`;
  db.exec(`CREATE TABLE ${rebuilt} (${definition})`);
  let found = 0;
  let pages = 0;
  if (key) {
    const add = (from: string, ids: number[]) => {
      const insert = db.prepare(`INSERT OR IGNORE INTO ${rebuilt} SELECT * FROM ${from} WHERE ROWID = ?`);
      for (const id of ids) found += salvage(() => insert.run(id).changes, () => 0);
    };
    const listed = keysOf(db, table, key);
    const name = (page: number) => `textkeeper_page_${page}`;
    const entry = db.prepare("INSERT INTO sqlite_master VALUES ('table', ?, ?, ?, ?)");
    for (const page of orphans) entry.run(name(page), name(page), page, `CREATE TABLE ${name(page)} (${definition})`);
    reloadSchema(db);
    for (const page of orphans) {
      const before = found;
      add(name(page), salvage(() => keyed(db, name(page), key, listed), () => []));
      if (found > before) pages++;
    }
    db.prepare("DELETE FROM sqlite_master WHERE name GLOB 'textkeeper_page_*'").run();
    add(table, readableRowIds(db, table));
  }
  // The table's entry now points to the new b-tree; the lost one is left to no entry.
  const roots = db.prepare('SELECT name, rootpage FROM sqlite_master WHERE name IN (?, ?)').raw(true).all(table, rebuilt) as [string, number][];
  const rootOf = new Map(roots);
  db.prepare('UPDATE sqlite_master SET rootpage = ? WHERE name = ?').run(rootOf.get(rebuilt), table);
  db.prepare('DELETE FROM sqlite_master WHERE name = ?').run(rebuilt);
  reloadSchema(db);
  return key
    ? `table ${table}: its first page cannot be read; ${found} of its rows were found on ${pages} of its pages no longer linked to it, and are read from there`
    : `table ${table}: its first page cannot be read, and it has no UNIQUE index to recognise its rows elsewhere by`;
}

/** Has SQLite read the schema table anew (RESET also ends writable_schema, which is wanted on). */
function reloadSchema(db: Database.Database): void {
  db.pragma('writable_schema = RESET');
  db.pragma('writable_schema = ON');
}

/** The columns of a UNIQUE index of the table (not its ROWID alone): what recognises one of its rows. */
function uniqueKey(db: Database.Database, table: string): { index: string; columns: string[] } | undefined {
  const indexes = (db.prepare(`PRAGMA index_list(${table})`).all() as { name: string; unique: number; partial: number }[]).filter((i) => i.unique && !i.partial);
  for (const { name } of indexes) {
    const columns = (db.prepare(`PRAGMA index_info(${name})`).all() as { name: string | null }[]).map((c) => c.name);
    if (columns.every((c): c is string => c !== null && c.toUpperCase() !== 'ROWID')) return { index: name, columns };
  }
  return undefined;
}

const jsonOf = (columns: string[]) => `json_array(${columns.map((c) => `"${c}"`).join(', ')})`;

/** Each row's key values as the UNIQUE index lists them (read from the index alone), by ROWID. */
function keysOf(db: Database.Database, table: string, key: { index: string; columns: string[] }): Map<number, string> {
  const keys = new Map<number, string>();
  const rows = db.prepare(`SELECT ROWID, ${jsonOf(key.columns)} FROM ${table} INDEXED BY ${key.index}`).raw(true);
  salvage(() => {
    for (const [id, values] of rows.iterate() as IterableIterator<[number, string]>) keys.set(id, values);
  }, () => {});
  return keys;
}

/** The ROWIDs of a page's rows that the table's UNIQUE index lists with the same values. */
function keyed(db: Database.Database, page: string, key: { columns: string[] }, listed: Map<number, string>): number[] {
  const rows = db.prepare(`SELECT ROWID, ${jsonOf(key.columns)} FROM ${page}`).raw(true).all() as [number, string][];
  return rows.filter(([id, values]) => listed.get(id) === values).map(([id]) => id);
}

/**
 * Table leaf pages no b-tree reaches (dbstat walks every one) and not free: the pages a lost interior
 * page linked. Free pages may hold rows deleted or moved since, and are left alone.
 */
function unlinkedLeaves(db: Database.Database, path: string): number[] {
  const linked = new Set(db.prepare('SELECT pageno FROM dbstat').pluck().all() as number[]);
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  const count = db.pragma('page_count', { simple: true }) as number;
  const file = openSync(path, 'r');
  try {
    const read = (page: number, at = 0, length = pageSize) => {
      const bytes = Buffer.alloc(length);
      readSync(file, bytes, 0, length, (page - 1) * pageSize + at);
      return bytes;
    };
    const free = freePages(read(1, 32, 8), read, pageSize, count);
    const leaves: number[] = [];
    for (let page = 2; page <= count; page++) if (!linked.has(page) && !free.has(page) && read(page, 0, 1)[0] === 0x0d) leaves.push(page);
    return leaves;
  } finally {
    closeSync(file);
  }
}

/** The pages of the free list (trunk pages and the leaves they list), from the header's first trunk page on. */
function freePages(header: Buffer, read: (page: number) => Buffer, pageSize: number, count: number): Set<number> {
  const free = new Set<number>();
  for (let trunk = header.readUInt32BE(0); trunk > 0 && trunk <= count && !free.has(trunk); ) {
    free.add(trunk);
    const bytes = read(trunk);
    const leaves = Math.min(bytes.readUInt32BE(4), pageSize / 4 - 2);
    for (let i = 0; i < leaves; i++) free.add(bytes.readUInt32BE(8 + 4 * i));
    trunk = bytes.readUInt32BE(0);
  }
  return free;
}
