import Database from 'better-sqlite3';
import { openPages, type DatabasePages } from './database-pages.js';
import { readableRowIds, salvage } from './salvage.js';

/** Tables whose rows, lost with their b-tree's first page, are looked for in the pages left unlinked. */
const TABLES = ['message', 'chat', 'handle', 'attachment'];

/** A table whose b-tree lost a page that is not a leaf: `pages` lists those below its first one (none: the first itself). */
export interface LostBranch {
  table: string;
  pages: number[];
}

/**
 * The tables of these that lost a page between their first page and their rows: a damaged first page leaves a
 * table unreadable from its first row; a damaged page below it, every row of the pages it linked. The file
 * at `path` (and its -wal) is the database `db` reads.
 */
export function lostBranches(db: Database.Database, path: string): LostBranch[] {
  const roots = new Map(db.prepare(`SELECT name, rootpage FROM sqlite_master WHERE type = 'table' AND name IN (${TABLES.map(() => '?').join(', ')})`).raw(true).all(...TABLES) as [string, number][]);
  const pages = openPages(path);
  try {
    return TABLES.flatMap((table) => {
      const lost = lostInteriorPages(pages, roots.get(table) ?? 0);
      if (lost.length > 0) return [{ table, pages: lost }];
      return salvage(() => (db.prepare(`SELECT ROWID FROM ${table} NOT INDEXED LIMIT 1`).get(), []), () => [{ table, pages: [] }]);
    });
  } finally {
    pages.close();
  }
}

const INTERIOR = 0x05;
const LEAF = 0x0d;
/** Deeper than any b-tree of a database SQLite can hold: a bound for pages that link back. */
const MAX_DEPTH = 40;

/**
 * The pages of a table b-tree that should link further down and cannot be read as such, found level by level
 * from its first page; reading stops at the level of its leaves, so only the tree's few interior pages are read.
 * A page's level tells what it should be: every leaf of a b-tree is as deep as every other.
 */
function lostInteriorPages(pages: DatabasePages, root: number): number[] {
  const lost: number[] = [];
  let level = interiorLevel(pages, [root]) ? [root] : [];
  for (let depth = 0; level.length > 0 && depth < MAX_DEPTH; depth++) {
    const below: number[] = [];
    for (const page of level) {
      const children = page >= 2 && page <= pages.count ? childrenOf(pages.read(page)) : undefined;
      if (children) below.push(...children);
      else lost.push(page);
    }
    level = interiorLevel(pages, below) ? below : [];
  }
  return lost;
}

/** Whether these pages, the children of one level, are interior pages: the first that can be read tells. */
function interiorLevel(pages: DatabasePages, children: number[]): boolean {
  for (const page of children) {
    const type = page >= 2 && page <= pages.count ? pages.read(page, 0, 1)[0] : undefined;
    if (type === INTERIOR || type === LEAF) return type === INTERIOR;
  }
  return false;
}

/**
 * The pages an interior table page links to: each cell's left child, then its right-most pointer. Undefined when
 * the page is none, or its cells do not fit in it (SQLite cannot read it either).
 */
function childrenOf(bytes: Buffer): number[] | undefined {
  const cells = bytes.readUInt16BE(3);
  const content = 12 + 2 * cells;
  if (bytes[0] !== INTERIOR || content > bytes.length) return undefined;
  const children: number[] = [];
  for (let i = 0; i < cells; i++) {
    const at = bytes.readUInt16BE(12 + 2 * i);
    if (at < content || at + 4 > bytes.length) return undefined;
    children.push(bytes.readUInt32BE(at));
  }
  children.push(bytes.readUInt32BE(8));
  return children;
}

/**
 * Rebuilds these tables of the database at `path` (a private copy, which this changes) from the pages no
 * b-tree links to any more: when a table's first page is lost, or one between it and its leaves, the pages
 * below are still whole, only unreachable. Each such page is read as a table of its own; a row is taken when one of the table's UNIQUE
 * indexes lists it (same ROWID, same values), so that neither another table's rows nor stale ones come
 * in. The rows found make a new b-tree, which the table's entry in the schema then points to. Gives one
 * line per table for the check's findings.
 */
export function rebuildTables(path: string, losses: LostBranch[]): string[] {
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
    return losses.map((loss) => rebuild(db, loss, orphans));
  } finally {
    db.close();
  }
}

function rebuild(db: Database.Database, { table, pages: lostPages }: LostBranch, orphans: number[]): string {
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
  const lost = lostPages.length === 0 ? 'its first page cannot be read' : `${lostPages.length === 1 ? 'page' : 'pages'} ${lostPages.join(', ')} of its b-tree, linking part of its rows, cannot be read`;
  return key
    ? `table ${table}: ${lost}; ${found} of its rows were found on ${pages} of its pages no longer linked to it, and are read from there`
    : `table ${table}: ${lost}, and it has no UNIQUE index to recognise its rows elsewhere by`;
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
  const pages = openPages(path);
  try {
    const free = freePages(pages);
    const leaves: number[] = [];
    for (let page = 2; page <= pages.count; page++) if (!linked.has(page) && !free.has(page) && pages.read(page, 0, 1)[0] === LEAF) leaves.push(page);
    return leaves;
  } finally {
    pages.close();
  }
}

/** The pages of the free list (trunk pages and the leaves they list), from the header's first trunk page on. */
function freePages(pages: DatabasePages): Set<number> {
  const free = new Set<number>();
  for (let trunk = pages.read(1, 32, 4).readUInt32BE(0); trunk > 0 && trunk <= pages.count && !free.has(trunk); ) {
    free.add(trunk);
    const bytes = pages.read(trunk);
    const leaves = Math.min(bytes.readUInt32BE(4), pages.pageSize / 4 - 2);
    for (let i = 0; i < leaves; i++) free.add(bytes.readUInt32BE(8 + 4 * i));
    trunk = bytes.readUInt32BE(0);
  }
  return free;
}
