// Preloaded into a CLI run (NODE_OPTIONS=--require) by tests of how often a command reads an archive's store: at
// exit, writes to stderr how many times the store file was copied and SQLite's quick_check (every page) was run.
const fs = require('node:fs');
const path = require('node:path');
const sqlite = path.dirname(require.resolve('better-sqlite3/package.json', { paths: [process.cwd(), __dirname] }));
const { Database } = require(path.join(sqlite, 'build', 'Release', 'better_sqlite3.node'));
let copies = 0;
let checks = 0;
const copy = fs.copyFileSync;
fs.copyFileSync = (from, ...rest) => {
  if (path.basename(String(from)) === 'textkeeper.sqlite') copies++;
  return copy(from, ...rest);
};
const prepare = Database.prototype.prepare;
Database.prototype.prepare = function (sql, ...rest) {
  if (/quick_check/.test(sql)) checks++;
  return prepare.call(this, sql, ...rest);
};
process.on('exit', () => fs.writeSync(2, `store reads: ${copies} copies, ${checks} checks\n`));
