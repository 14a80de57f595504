import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, test } from 'vitest';
import { HashesInPieces, type HashedFile } from '../../src/store/hashes-in-pieces.js';
import { tempDir } from '../support/cli.js';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

// The store's writer hashes a source database between its other orders (writer-thread.ts).
describe('databases hashed a megabyte at a time', () => {
  const dir = tempDir('pieces');
  const bytes = randomBytes(3.5 * 1024 * 1024);
  const path = join(dir, 'chat.db');
  writeFileSync(path, bytes);

  test("give the file's SHA-256 once read to its end, one piece a turn, with the chat marks that waited for it", async () => {
    const hashes = new HashesInPieces((error) => expect.fail(String(error)));
    hashes.add(path);
    const waiting = { path, chatIds: '1,2', mark: '10:99:0:0' };
    expect(hashes.holds(waiting)).toBe(true);
    expect(hashes.holds({ ...waiting, path: join(dir, 'other.db') })).toBe(false);
    expect(hashes.holds({ ...waiting, sha256: 'known' })).toBe(false);
    let turns = 0;
    let done: HashedFile[] = [];
    while (done.length === 0 && turns < 100) {
      await nextTurn();
      turns++;
      done = hashes.take();
    }
    expect(turns).toBeGreaterThanOrEqual(4);
    expect(done.map((d) => [d.path, d.sha256, d.info.size, d.marks])).toEqual([[path, sha256(bytes), bytes.length, [waiting]]]);
    expect(hashes.take()).toEqual([]);
  });

  test('hash what is left at once when finished early, and say when a file cannot be read', () => {
    const failures: unknown[] = [];
    const hashes = new HashesInPieces((error) => failures.push(error));
    hashes.add(path);
    hashes.finish();
    expect(hashes.take().map((d) => d.sha256)).toEqual([sha256(bytes)]);
    expect(() => hashes.add(join(dir, 'missing.db'))).toThrow(/ENOENT/);
    expect(failures).toEqual([]);
  });
});
