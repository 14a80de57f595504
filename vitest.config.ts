import { defineConfig } from 'vitest/config';

/**
 * Tests run CLI processes that use every core themselves, so two test files at a time keep a 2-core
 * machine busy without starving vitest's own messages. Child processes (forks) rather than threads:
 * native modules (better-sqlite3, sharp) and the CLI's worker threads behave as in real use, and one
 * file's crash cannot take another's worker down.
 */
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    minWorkers: 1,
    testTimeout: 180_000,
    hookTimeout: 600_000,
    teardownTimeout: 60_000,
    setupFiles: ['test/support/yield-between-tests.ts'],
  },
});
