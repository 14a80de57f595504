import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { copySqlite, type SqliteCopy } from '../sqlite/sqlite-copy.js';
import { STORE_FILE } from './file-names.js';

/**
 * Another archive's store (or the one `verify` checks) that a killed run left with its write-ahead log, as a
 * private copy with the log folded in: reading it must not write beside it. Undefined when no log lies beside
 * the store: it is then read where it is.
 */
export function storeSnapshot(dir: string): SqliteCopy | undefined {
  const original = join(dir, STORE_FILE);
  return existsSync(`${original}-wal`) ? copySqlite(original) : undefined;
}
