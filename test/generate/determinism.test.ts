import { afterAll, describe, expect, it } from 'vitest';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { generateChatDb } from '../../src/generate/index.js';
import { generateInTemp } from './helpers.js';

const SAMPLE = path.join(import.meta.dirname, '..', '..', 'sample-data');

const sha256 = (file: string) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

describe('determinism and output safety', () => {
  const made: Array<() => void> = [];
  afterAll(() => made.forEach((cleanup) => cleanup()));

  it('gives a byte-identical chat.db for the same seed, and a different one for another seed', async () => {
    const runs = await Promise.all([
      generateInTemp({ messages: 600, seed: 42 }),
      generateInTemp({ messages: 600, seed: 42 }),
      generateInTemp({ messages: 600, seed: 43 }),
    ]);
    runs.forEach((r) => made.push(r.cleanup));
    const [a, b, c] = runs.map((r) => sha256(r.dbPath));
    expect(a).toBe(b);
    expect(a).not.toBe(c);
    expect(runs[0].summary).toEqual(runs[1].summary);
  });

  // sample-data/README.md says how the bundled sample was made: a change to the generator must come with the sample made again.
  it('makes the bundled sample byte for byte with the command its README gives (--messages 2000 --seed 1)', async () => {
    const run = await generateInTemp({ messages: 2000, seed: 1 });
    made.push(run.cleanup);
    expect(sha256(run.dbPath)).toBe(sha256(path.join(SAMPLE, 'chat.db')));
    const files = (root: string) => (fs.readdirSync(root, { recursive: true }) as string[]).filter((f) => fs.statSync(path.join(root, f)).isFile()).sort();
    const bundled = files(path.join(SAMPLE, 'Attachments'));
    expect(files(run.attachmentsDir)).toEqual(bundled);
    for (const file of bundled) expect(sha256(path.join(run.attachmentsDir, file)), file).toBe(sha256(path.join(SAMPLE, 'Attachments', file)));
  });

  it('regenerates over its own output but refuses to overwrite a file it did not make', async () => {
    const run = await generateInTemp({ messages: 200, seed: 5 });
    made.push(run.cleanup);
    const again = await generateChatDb({ path: run.dbPath, attachmentsDir: run.attachmentsDir, messages: 200, seed: 5 });
    expect(again.messages).toBe(200);

    const foreign = path.join(run.dir, 'foreign.db');
    fs.writeFileSync(foreign, 'not a generated database');
    await expect(generateChatDb({ path: foreign, messages: 10, seed: 1, attachmentsDir: run.attachmentsDir })).rejects.toThrow(
      /refusing to overwrite .*foreign\.db/,
    );
    expect(fs.readFileSync(foreign, 'utf8')).toBe('not a generated database');

    const userFiles = path.join(run.dir, 'photos');
    fs.mkdirSync(userFiles);
    fs.writeFileSync(path.join(userFiles, 'keep.jpg'), 'x');
    await expect(generateChatDb({ path: path.join(run.dir, 'new.db'), attachmentsDir: userFiles, messages: 10, seed: 1 })).rejects.toThrow(
      /refusing to overwrite .*photos/,
    );
    expect(fs.existsSync(path.join(userFiles, 'keep.jpg'))).toBe(true);
  });
});
