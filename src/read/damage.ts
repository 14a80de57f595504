import type Database from 'better-sqlite3';

/** What a check of a database found: SQLite's own findings, named, and the rows that cannot be read. */
export interface DamageReport {
  /** quick_check's findings, with b-tree numbers named ("table message (tree 2) page 50 cell 0: …"). */
  findings: string[];
  /** Rows an index or a join table knows of but the table no longer yields ("message ROWID 1 (GUID …)"). */
  unreadable: string[];
}

/** Tables whose rows an export reads; a row lost from one of them is lost from the archive. */
const TABLES = ['message', 'chat', 'handle', 'chat_message_join', 'attachment', 'message_attachment_join'];
const MAX_FINDINGS = 20;

/**
 * `PRAGMA quick_check`: reads every page and checks the structure of every b-tree (not the index
 * contents, which integrity_check would check at several times the cost). Only when it finds damage
 * are the rows compared: those an index still lists but the table no longer yields are the ones lost.
 */
export function checkDatabase(db: Database.Database): DamageReport | undefined {
  const findings = (db.pragma(`quick_check(${MAX_FINDINGS})`, { simple: false }) as { quick_check: string }[])
    .flatMap((row) => row.quick_check.split('\n'))
    .filter((line) => line !== 'ok' && !line.startsWith('***'));
  if (findings.length === 0) return undefined;
  const trees = treeNames(db);
  return {
    findings: findings.map((line) => named(db, line.replace(/^Tree (\d+)/, (whole, root: string) => (trees.get(Number(root)) ? `${trees.get(Number(root))} (tree ${root})` : whole)))),
    unreadable: TABLES.flatMap((table) => lostRows(db, table)),
  };
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
  let present: Set<number>;
  try {
    present = new Set(db.prepare(`SELECT ROWID FROM ${table} NOT INDEXED`).pluck().all() as number[]);
  } catch (error) {
    return [`table ${table} cannot be read at all (${(error as Error).message})`];
  }
  const lost = new Map<number, string>();
  const indexes = db.prepare(`PRAGMA index_list(${table})`).all() as { name: string }[];
  for (const { name } of indexes) {
    const guid = table === 'message' && (db.prepare(`PRAGMA index_info(${name})`).all() as { name: string }[]).some((c) => c.name === 'guid');
    try {
      const rows = db.prepare(`SELECT ROWID, ${guid ? 'guid' : 'NULL'} FROM ${table} INDEXED BY ${name}`).raw(true).all() as [number, string | null][];
      for (const [id, g] of rows) if (!present.has(id) && (g || !lost.has(id))) lost.set(id, g ? ` (GUID ${g})` : '');
    } catch {
      // A damaged index is among the findings already; the others may still tell.
    }
  }
  if (table === 'message') {
    const joined = db.prepare('SELECT DISTINCT message_id FROM chat_message_join NOT INDEXED').pluck().all() as number[];
    for (const id of joined) if (!present.has(id) && !lost.has(id)) lost.set(id, ' (listed in a chat)');
  }
  return [...lost].sort(([a], [b]) => a - b).map(([id, detail]) => `${table} ROWID ${id}${detail}`);
}
