// An SQLite error thrown out of a thread keeps its words: Node passes an uncaught error of a class of its own
// (better-sqlite3's SqliteError) as `{ code }` alone, which once made a run say "the database cannot be read (undefined)".
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { ROOT, tempDir } from '../support/cli.js';

/** The error a thread running `body` (after making a SqliteError `failure`) gives its parent. */
function thrownOutOf(body: string): Promise<Error & { code?: string }> {
  const script = join(tempDir('thread-errors'), 'thread.mjs');
  const errors = pathToFileURL(join(ROOT, 'dist', 'errors.js')).href;
  writeFileSync(script, [
    `import Database from ${JSON.stringify(join(ROOT, 'node_modules', 'better-sqlite3', 'lib', 'index.js'))};`,
    `import { crossingThreads } from ${JSON.stringify(errors)};`,
    'let failure;',
    "try { new Database(':memory:').exec('SELECT * FROM no_such_table'); } catch (error) { failure = error; }",
    body,
  ].join('\n'));
  return new Promise((resolve) => new Worker(script).once('error', resolve));
}

describe('an SQLite error thrown out of a thread', () => {
  it('loses its message as it is, and keeps it through crossingThreads', async () => {
    const raw = await thrownOutOf('throw failure;');
    expect(raw.code).toBe('SQLITE_ERROR');
    expect(raw.message).toBeUndefined();
    const kept = await thrownOutOf('throw crossingThreads(failure);');
    expect(kept.code).toBe('SQLITE_ERROR');
    expect(kept.message).toBe('no such table: no_such_table');
  });
});
