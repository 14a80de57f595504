import type Database from 'better-sqlite3';

/** Whether an error is SQLite meeting a page it cannot make sense of. */
export function isDamage(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_CORRUPT');
}

/** What `read` gives; when a damaged page stops it, what `instead` can still give. */
export function salvage<T>(read: () => T, instead: () => T): T {
  try {
    return read();
  } catch (error) {
    if (!isDamage(error)) throw error;
    return instead();
  }
}

/** Tables whose rows other tables name, and where: the ids that may be found even past a lost page. */
const NAMED_IN: Record<string, [table: string, column: string][]> = {
  message: [['chat_message_join', 'message_id'], ['message_attachment_join', 'message_id']],
  chat: [['chat_message_join', 'chat_id'], ['chat_handle_join', 'chat_id']],
  handle: [['chat_handle_join', 'handle_id']],
  attachment: [['message_attachment_join', 'attachment_id']],
};

/**
 * The row ids of a table that can still be read, ascending. A scan of a table stops at its first
 * damaged page; the rows past it are found from the ids its indexes and the join tables list: each
 * one that can be looked up starts a scan of its own.
 */
export function readableRowIds(db: Database.Database, table: string): number[] {
  const found = new Set<number>();
  const scan = db.prepare(`SELECT ROWID FROM ${table} NOT INDEXED WHERE ROWID >= ? ORDER BY ROWID`).pluck();
  const scanFrom = (start: number) => {
    for (const id of untilDamage(() => scan.iterate(start) as IterableIterator<number>)) {
      if (found.has(id)) return;
      found.add(id);
    }
  };
  scanFrom(Number.MIN_SAFE_INTEGER);
  for (const id of [...listedIds(db, table)].sort((a, b) => a - b)) if (!found.has(id)) scanFrom(id);
  return [...found].sort((a, b) => a - b);
}

/**
 * The rows of a join table as [ROWID, first column, second column], ascending. Past a damaged page, its
 * rows are read from the indexes holding both columns (the UNIQUE one of every join table), and the rest
 * from the table where it can be read.
 */
export function joinRows(db: Database.Database, table: string, first: string, second: string): [number, number, number][] {
  const sql = `SELECT ROWID, ${first}, ${second} FROM ${table}`;
  return salvage(
    () => db.prepare(`${sql} ORDER BY ROWID`).raw(true).all() as [number, number, number][],
    () => {
      const rows = new Map<number, [number, number, number]>();
      const holding = (db.prepare(`PRAGMA index_list(${table})`).all() as { name: string }[]).filter(({ name }) => {
        const columns = (db.prepare(`PRAGMA index_info(${name})`).all() as { name: string }[]).map((c) => c.name);
        return columns.includes(first) && columns.includes(second);
      });
      for (const { name } of holding) {
        for (const row of untilDamage(() => db.prepare(`${sql} INDEXED BY ${name}`).raw(true).iterate() as IterableIterator<[number, number, number]>)) rows.set(row[0], row);
      }
      const one = db.prepare(`${sql} WHERE ROWID = ?`).raw(true);
      for (const id of readableRowIds(db, table)) if (!rows.has(id)) for (const row of untilDamage(() => one.iterate(id) as IterableIterator<[number, number, number]>)) rows.set(id, row);
      return [...rows.values()].sort((x, y) => x[0] - y[0]);
    },
  );
}

/**
 * The ids a table's indexes and the join tables naming it list, each read as far as it can be; an index
 * (not a partial one) read whole lists every row, and ends the search.
 */
function listedIds(db: Database.Database, table: string): Set<number> {
  const ids = new Set<number>();
  for (const { name, partial } of db.prepare(`PRAGMA index_list(${table})`).all() as { name: string; partial: number }[]) {
    const whole = asFarAsItGoes(db.prepare(`SELECT ROWID FROM ${table} INDEXED BY ${name}`).pluck(), (id: number) => ids.add(id));
    if (whole && !partial) return ids;
  }
  for (const [other, column] of (NAMED_IN[table] ?? []).filter(([name]) => exists(db, name))) {
    asFarAsItGoes(db.prepare(`SELECT ${column} FROM ${other} NOT INDEXED`).pluck(), (id: number) => ids.add(id));
  }
  return ids;
}

/** Each value of a statement up to the damaged page that stops it; whether it was read to its end. */
export function asFarAsItGoes<T>(statement: Database.Statement, each: (value: T) => void): boolean {
  return salvage(
    () => {
      for (const value of statement.all() as T[]) each(value);
      return true;
    },
    () => {
      for (const value of untilDamage(() => statement.iterate() as IterableIterator<T>)) each(value);
      return false;
    },
  );
}

/** The values of a query up to the damaged page that stops it. */
function* untilDamage<T>(rows: () => IterableIterator<T>): Generator<T> {
  const iterator = salvage(rows, () => [][Symbol.iterator]());
  try {
    for (;;) {
      const next = salvage(() => iterator.next(), (): IteratorResult<T> => ({ done: true, value: undefined }));
      if (next.done) return;
      yield next.value;
    }
  } finally {
    // A scan left before its end still holds its statement.
    iterator.return?.();
  }
}

function exists(db: Database.Database, table: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(table) !== undefined;
}
