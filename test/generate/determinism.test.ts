import { afterAll, describe, expect, it } from 'vitest';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { generateChatDb } from '../../src/generate/index.js';
import { generateInTemp } from './helpers.js';

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
