import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { HashesInPieces } from '../../src/store/hashes-in-pieces.js';
import { tempDir } from '../support/cli.js';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

// The store's writer hashes a source database between its other orders (writer-thread.ts).
describe('databases hashed by the writer between its orders', () => {
  const dir = tempDir('pieces');
  const bytes = randomBytes(3.5 * 1024 * 1024);
  const path = join(dir, 'chat.db');
  writeFileSync(path, bytes);

  test("give the file's SHA-256 once read, with the chat marks that waited for it", async () => {
    const hashes = new HashesInPieces((error) => expect.fail(String(error)));
    hashes.add(path);
    expect(hashes.take()).toEqual([]);
    const waiting = { path, chatIds: '1,2', mark: '10:99:0:0' };
    expect(hashes.holds(waiting)).toBe(true);
    expect(hashes.holds({ ...waiting, path: join(dir, 'other.db') })).toBe(false);
    expect(hashes.holds({ ...waiting, sha256: 'known' })).toBe(false);
    await hashes.finish();
    expect(hashes.take().map((d) => [d.path, d.sha256, d.info.size, d.marks])).toEqual([[path, sha256(bytes), bytes.length, [waiting]]]);
    expect(hashes.take()).toEqual([]);
    expect(hashes.holds(waiting)).toBe(false);
  });

  // The chat marks found as a source is opened ask for its database's hash before the run itself does.
  test('hash a file once a run, keeping marks that come once it is read but not yet taken', async () => {
    const hashes = new HashesInPieces((error) => expect.fail(String(error)));
    hashes.add(path);
    await hashes.finish();
    const late = { path, source: 'mac', chatIds: '3', mark: '1:2:0:0' };
    expect(hashes.holds(late)).toBe(true);
    hashes.add(path);
    await hashes.finish();
    expect(hashes.take().map((d) => [d.path, d.marks])).toEqual([[path, [late]]]);
    expect(hashes.holds(late)).toBe(false);
  });

  test('say when a file cannot be read, and finish all the same', async () => {
    const failures: unknown[] = [];
    const hashes = new HashesInPieces((error) => failures.push(error));
    expect(() => hashes.add(join(dir, 'missing.db'))).toThrow(/ENOENT/);
    hashes.add(dir); // a folder: stat succeeds, reading fails
    await hashes.finish();
    expect(hashes.take()).toEqual([]);
    expect(failures).toHaveLength(1);
  });
});
