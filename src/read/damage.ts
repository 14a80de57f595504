import type Database from 'better-sqlite3';
import { asFarAsItGoes, joinRows, readableRowIds, salvage } from './salvage.js';

/** What a check of a database found: SQLite's own findings, named, and the rows that cannot be read. */
export interface DamageReport {
  /** quick_check's findings, with b-tree numbers named ("table message (tree 2) page 50 cell 0: …"). */
  findings: string[];
  /** Rows an index or a join table knows of but the table no longer yields ("message ROWID 1 (GUID …)"). */
  unreadable: string[];
  /** Why more rows may be lost than `unreadable` lists (a table that cannot be read whole, nor any index of it): a line each. */
  uncounted: string[];
}

/** Tables whose rows an export reads; a row lost from one of them is lost from the archive. */
const TABLES = ['message', 'chat', 'handle', 'chat_message_join', 'attachment', 'message_attachment_join'];
/** Join tables, and the two columns that are all an export reads of them (an index may hold them too). */
const JOINS: Record<string, [string, string]> = { chat_message_join: ['chat_id', 'message_id'], message_attachment_join: ['message_id', 'attachment_id'] };
const MAX_FINDINGS = 20;

/**
 * `PRAGMA quick_check`: reads every page and checks the structure of every b-tree (not the index
 * contents, which integrity_check would check at several times the cost). Only when it finds damage
 * are the rows compared: those an index still lists but the table no longer yields are the ones lost.
 */
export function checkDatabase(db: Database.Database, rows: Database.Database = db): DamageReport | undefined {
  const trees = treeNames(db);
  const findings = salvage(() => quickCheck(db), () => unreadablePages(db, trees));
  if (findings.length === 0) return undefined;
  return {
    findings: findings.map((line) => named(db, line.replace(/^Tree (\d+)/, (whole, root: string) => (trees.get(Number(root)) ? `${trees.get(Number(root))} (tree ${root})` : whole)))),
    unreadable: TABLES.flatMap((table) => lostRows(rows, table)),
    uncounted: TABLES.filter((table) => !counted(rows, table)).map((table) => `more rows of its ${table} table may be lost than are listed below (neither the table nor an index of it can be read whole to count them)`),
  };
}

function quickCheck(db: Database.Database): string[] {
  return (db.pragma(`quick_check(${MAX_FINDINGS})`, { simple: false }) as { quick_check: string }[])
    .flatMap((row) => row.quick_check.split('\n'))
    .filter((line) => line !== 'ok' && !line.startsWith('***'));
}

/**
 * quick_check gives up at a page SQLite cannot parse at all (one overwritten whole): the pages dbstat
 * finds so, each named by its b-tree ("table message (tree 2) page 100: …", as quick_check would).
 */
function unreadablePages(db: Database.Database, trees: Map<number, string>): string[] {
  const names = new Map([...trees].map(([root, name]) => [name.slice(name.indexOf(' ') + 1), `${name} (tree ${root})`]));
  const pages = salvage(
    () => db.prepare("SELECT name, pageno FROM dbstat WHERE pagetype = 'corrupted' ORDER BY pageno").raw(true).all() as [string, number][],
    () => [],
  );
  if (pages.length === 0) return ['the check stopped at a page SQLite cannot read (database disk image is malformed)'];
  return pages.slice(0, MAX_FINDINGS).map(([name, page]) => `${names.get(name) ?? name} page ${page}: the page cannot be read (overwritten or not a page of the database)`);
}

function treeNames(db: Database.Database): Map<number, string> {
  const rows = db.prepare("SELECT type, name, rootpage FROM sqlite_master WHERE rootpage > 0").all() as { type: string; name: string; rootpage: number }[];
  return new Map(rows.map((r) => [r.rootpage, `${r.type} ${r.name}`]));
}

/** A finding about a page ("… of page 73") says which table or index the page belongs to, when dbstat can tell. */
function named(db: Database.Database, line: string): string {
  const page = /^(?!table |index )[^:]*\bpage (\d+)/.exec(line)?.[1];
  if (!page) return line;
  try {
    const owner = db.prepare('SELECT name FROM dbstat WHERE pageno = ?').pluck().get(Number(page)) as string | undefined;
    return owner ? `${line} (page ${page} belongs to ${owner})` : line;
  } catch {
    return line;
  }
}

/** Rows of a table that one of its indexes lists but a scan of the table does not yield. */
function lostRows(db: Database.Database, table: string): string[] {
  const join = JOINS[table];
  const present = new Set(join ? joinRows(db, table, ...join).map(([id]) => id) : readableRowIds(db, table));
  const lost = new Map<number, string>();
  // The GUID index first, to name messages by; an index (not a partial one) read whole lists every row, and ends the search.
  const indexes = (db.prepare(`PRAGMA index_list(${table})`).all() as { name: string; partial: number }[])
    .map((index) => ({ ...index, guid: table === 'message' && (db.prepare(`PRAGMA index_info(${index.name})`).all() as { name: string }[]).some((c) => c.name === 'guid') }))
    .sort((a, b) => Number(b.guid) - Number(a.guid));
  for (const { name, partial, guid } of indexes) {
    const rows = db.prepare(`SELECT ROWID, ${guid ? 'guid' : 'NULL'} FROM ${table} INDEXED BY ${name}`).raw(true);
    const whole = asFarAsItGoes(rows, ([id, g]: [number, string | null]) => {
      if (!present.has(id) && (g || !lost.has(id))) lost.set(id, g ? ` (GUID ${g})` : '');
    });
    if (whole && !partial) break;
  }
  if (table === 'message') {
    for (const id of joinedMessages(db)) if (!present.has(id) && !lost.has(id)) lost.set(id, ' (listed in a chat)');
  }
  return [...lost].sort(([a], [b]) => a - b).map(([id, detail]) => `${table} ROWID ${id}${detail}`);
}

/**
 * Whether every row a table lost is known: the table can be read whole, or one of its indexes that lists
 * every row (not a partial one) can.
 */
function counted(db: Database.Database, table: string): boolean {
  const indexes = (db.prepare(`PRAGMA index_list(${table})`).all() as { name: string; partial: number }[]).filter((index) => !index.partial);
  return [`NOT INDEXED`, ...indexes.map(({ name }) => `INDEXED BY ${name}`)].some((how) =>
    salvage(() => db.prepare(`SELECT COUNT(*) FROM ${table} ${how}`).get() !== undefined, () => false),
  );
}

/** The messages chat_message_join lists, those on a damaged page of it left out. */
function joinedMessages(db: Database.Database): Set<number> {
  return new Set(joinRows(db, 'chat_message_join', 'chat_id', 'message_id').map(([, , message]) => message));
}
