import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { copySqlite, type SqliteCopy } from '../sqlite/sqlite-copy.js';
import { STORE_FILE } from './file-names.js';
import { sealedStoreSha256 } from './manifest.js';

/** The logs SQLite reads a store with: the write-ahead log a run writes through, and a rollback journal. */
const LOGS = [`${STORE_FILE}-wal`, `${STORE_FILE}-journal`];

/**
 * Another archive's store (or the one `verify` checks) that a log lies beside, as a private copy (with its
 * write-ahead log folded in, a journal left out): reading it must not write beside it. Undefined when no log
 * lies beside the store: it is then read where it is. `withLog` false: the store file alone, as sealed.
 */
export function storeSnapshot(dir: string, withLog = true): SqliteCopy | undefined {
  const original = join(dir, STORE_FILE);
  return LOGS.some((log) => existsSync(join(dir, log))) ? copySqlite(original, withLog) : undefined;
}

/** Whether `storeSnapshot` with its log reads the store with this one: a write-ahead log is folded in, a journal left out. */
export function foldedIn(log: string): boolean {
  return log === LOGS[0];
}

/**
 * The logs beside a store that hold something. Taken before the store is opened for writing: opening it plays a
 * rollback journal back into it and removes it.
 */
export function logsBeside(dir: string): string[] {
  return LOGS.filter((name) => (statSync(join(dir, name), { throwIfNoEntry: false })?.size ?? 0) > 0);
}

/**
 * A log holding something beside a store its last run finished and sealed (SHA256SUMS gives the store's SHA-256),
 * by name: no run of textkeeper left it (a run that finished folded its log in and removed it, or sealed the store
 * with no SHA-256 when it could not; one killed left its own run unfinished in it), so the seal does not cover it.
 * `lastRunFinished` as the store reads with its log; `logs`: those `logsBeside` found.
 */
export function unsealedLog(dir: string, lastRunFinished: boolean, logs = logsBeside(dir)): string | undefined {
  const log = logs[0];
  if (!lastRunFinished || log === undefined) return undefined;
  return sealedStoreSha256(dir) !== undefined ? log : undefined;
}
