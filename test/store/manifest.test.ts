import { createHash } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildManifest } from '../../src/store/manifest.js';
import { HASH_CHUNK, sha256File } from '../../src/store/file-sha256.js';
import { tempDir } from '../support/cli.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('the manifest of an archive folder', () => {
  it("takes a copy's hash from the run that made it, and reads every other file", async () => {
    const dir = tempDir('manifest');
    mkdirSync(join(dir, 'attachments', 'aa'), { recursive: true });
    writeFileSync(join(dir, 'attachments', 'aa', 'copied.jpg'), 'photo bytes');
    writeFileSync(join(dir, 'attachments', 'aa', 'resized.jpg'), 'other bytes');
    writeFileSync(join(dir, 'Mom.txt'), 'a transcript');
    // A recorded hash that is not the file's own shows the file was not read again.
    const recorded = 'a'.repeat(64);
    const copies = [
      { path: 'attachments/aa/copied.jpg', size: 'photo bytes'.length, sha256: recorded },
      // The size it was copied at differs from the file's now: it is read.
      { path: 'attachments/aa/resized.jpg', size: 1, sha256: recorded },
    ];
    const manifest = await buildManifest(dir, [], copies);
    expect(Object.fromEntries(manifest.map((e) => [e.path, e.sha256]))).toEqual({
      'Mom.txt': sha256('a transcript'),
      'attachments/aa/copied.jpg': recorded,
      'attachments/aa/resized.jpg': sha256('other bytes'),
    });
  });

  it('hashes files of 32 MB and more on threads, as it hashes smaller ones here', async () => {
    // The built module: its threads run dist/store/hash-thread.js.
    const { hashFiles } = (await import(pathToFileURL(join(import.meta.dirname, '../../dist/store/file-hasher.js')).href)) as typeof import('../../src/store/file-hasher.js');
    const dir = tempDir('hash-threads');
    const big = Buffer.alloc(24 * 1024 * 1024, 7);
    const files: [string, number][] = [
      [join(dir, 'a.bin'), big.length],
      [join(dir, 'b.bin'), big.length / 2],
      [join(dir, 'gone.bin'), 10],
    ];
    writeFileSync(files[0]![0], big);
    writeFileSync(files[1]![0], big.subarray(0, big.length / 2));
    const expected = [createHash('sha256').update(big).digest('hex'), createHash('sha256').update(big.subarray(0, big.length / 2)).digest('hex'), null];
    // Together over the threshold: threads; each alone under it: this thread.
    expect(await hashFiles(files)).toEqual(expected);
    expect(await Promise.all(files.map((file) => hashFiles([file])))).toEqual(expected.map((hash) => [hash]));
    rmSync(dir, { recursive: true, force: true });
  });

  it('hashes a file of any size through its one buffer, as node:crypto does', async () => {
    const dir = tempDir('sha256-file');
    // Sizes around the buffer's: none, less, exactly one, one and a bit.
    for (const size of [0, 1000, HASH_CHUNK, HASH_CHUNK + 3]) {
      const bytes = Buffer.alloc(size);
      for (let i = 0; i < size; i++) bytes[i] = (i * 31) & 255;
      const path = join(dir, `${size}.bin`);
      writeFileSync(path, bytes);
      expect(await sha256File(path)).toBe(createHash('sha256').update(bytes).digest('hex'));
    }
    await expect(sha256File(join(dir, 'gone.bin'))).rejects.toThrow(/ENOENT/);
    rmSync(dir, { recursive: true, force: true });
  });
});
