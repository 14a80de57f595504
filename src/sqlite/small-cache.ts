import type Database from 'better-sqlite3';

/**
 * Runs `work` with the connection's page cache at 2 MB. SQLite sorts and materializes (ORDER BY, a new index, a
 * MATERIALIZED view) in as much memory as the page cache may hold, 16 MB by default; freed after, that memory was
 * not used again by what followed, and each such step raised a 1M-message export's peak RSS by 16–26 MB.
 */
export function withSmallCache<T>(db: Database.Database, work: () => T): T {
  const cache = db.pragma('cache_size', { simple: true }) as number;
  db.pragma('cache_size = -2048');
  try {
    return work();
  } finally {
    db.pragma(`cache_size = ${cache}`);
  }
}
