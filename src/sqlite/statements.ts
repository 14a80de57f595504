import type Database from 'better-sqlite3';

/**
 * A connection's statements, each prepared once: preparing costs more than running one on a hot path.
 * A statement is found by its key (by default its text); `sql` is built only when it is first prepared.
 */
export class Statements {
  private readonly byKey = new Map<string, Database.Statement>();

  constructor(private readonly db: Database.Database) {}

  get(key: string, sql: () => string = () => key): Database.Statement {
    let statement = this.byKey.get(key);
    if (!statement) {
      statement = this.db.prepare(sql());
      this.byKey.set(key, statement);
    }
    return statement;
  }
}
