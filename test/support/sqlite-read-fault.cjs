// Preloaded into a CLI run (NODE_OPTIONS=--require) by tests of a failing disk: on a thread, the Nth read (READ_FAULT_AT,
// default 2) by a statement whose SQL READ_FAULT_SQL matches (default: a source's batch of attachment rows) throws
// SQLite's I/O error, as better-sqlite3 reports one.
const path = require('node:path');
const sqlite = path.dirname(require.resolve('better-sqlite3/package.json', { paths: [process.cwd(), __dirname] }));
const { Database } = require(path.join(sqlite, 'build', 'Release', 'better_sqlite3.node'));
const SqliteError = require(path.join(sqlite, 'lib', 'sqlite-error.js'));
const at = Number(process.env.READ_FAULT_AT ?? 2);
const target = new RegExp(process.env.READ_FAULT_SQL ?? 'FROM message_attachment_join j JOIN attachment a');
let reads = 0;
const prepare = Database.prototype.prepare;
Database.prototype.prepare = function (sql, ...rest) {
  const statement = prepare.call(this, sql, ...rest);
  if (!target.test(sql)) return statement;
  const all = statement.all;
  statement.all = function (...params) {
    if (++reads === at) throw new SqliteError('disk I/O error', 'SQLITE_IOERR_READ');
    return all.apply(this, params);
  };
  return statement;
};
