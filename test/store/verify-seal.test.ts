import { createHash } from 'node:crypto';
import { appendFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateChatDb } from '../../src/generate/index.js';
import { runCli, tempDir } from '../support/cli.js';

let db: string;

beforeAll(async () => {
  db = join(tempDir('verify-seal-src'), 'chat.db');
  await generateChatDb({ path: db, messages: 150, seed: 62, conversations: 3, images: 0 });
});

const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

async function exportArchive(...extra: string[]): Promise<{ out: string; stdout: string }> {
  const out = join(tempDir('verify-seal'), 'archive');
  const result = await runCli(['export', '--db', db, '--out', out, '--format', 'txt', '--no-progress', ...extra]);
  expect(result.code).toBe(0);
  return { out, stdout: result.stdout };
}

/** A transcript edited, with its line in SHA256SUMS and the store's manifest, and the store's new SHA-256 in SHA256SUMS. */
function forge(out: string): void {
  const sums = readFileSync(join(out, 'SHA256SUMS'), 'utf8');
  const path = sums.split('\n').find((line) => line.endsWith('.txt'))!.slice(66);
  appendFileSync(join(out, path), 'forged\n');
  const bytes = readFileSync(join(out, path));
  const store = new Database(join(out, 'textkeeper.sqlite'));
  const was = store.prepare('SELECT sha256 FROM manifest WHERE path = ?').pluck().get(path) as string;
  store.prepare('UPDATE manifest SET sha256 = ?, size = ? WHERE path = ?').run(sha256(bytes), bytes.length, path);
  store.close();
  const lines = sums.replace(was, sha256(bytes)).split('\n');
  lines[lines.length - 2] = `${sha256(readFileSync(join(out, 'textkeeper.sqlite')))}  textkeeper.sqlite`;
  writeFileSync(join(out, 'SHA256SUMS'), lines.join('\n'));
}

describe('the seal kept outside the folder', () => {
  it('an export ends by printing the SHA-256 of the SHA256SUMS it wrote (not with --quiet)', async () => {
    const { out, stdout } = await exportArchive();
    const seal = sha256(readFileSync(join(out, 'SHA256SUMS')));
    expect(stdout.trim().split('\n').at(-1)).toBe(`Seal: SHA256SUMS ${seal}`);
    const quiet = await runCli(['export', '--db', db, '--out', out, '--format', 'txt', '--quiet']);
    expect(quiet.stdout).not.toMatch(/Seal:/);
  });

  it('verify --expect passes the folder it sealed, and fails in one line once SHA256SUMS is another', async () => {
    const { out, stdout } = await exportArchive();
    const seal = /^Seal: SHA256SUMS ([0-9a-f]{64})$/m.exec(stdout)![1]!;
    const passed = await runCli(['verify', out, '--expect', seal.toUpperCase()]);
    expect(passed.stdout).toMatch(/^Intact: \d+ files match the manifest; SHA256SUMS has the SHA-256 expected\.\n$/);
    expect(passed.code).toBe(0);
    forge(out);
    expect((await runCli(['verify', out])).stdout).toMatch(/^Intact: /);
    const failed = await runCli(['verify', out, '--expect', seal]);
    expect(failed.stdout).toBe(`altered: SHA256SUMS (its SHA-256 is ${sha256(readFileSync(join(out, 'SHA256SUMS')))}, not the ${seal} expected)\n`);
    expect(failed.code).toBe(1);
    const bad = await runCli(['verify', out, '--expect', 'abc']);
    expect(bad.stderr).toMatch(/--expect takes a SHA-256, 64 hexadecimal digits/);
    expect(bad.code).toBe(1);
  });

  it('verify of a folder without a store says it checked against SHA256SUMS alone', async () => {
    const { out } = await exportArchive();
    rmSync(join(out, 'textkeeper.sqlite'));
    const sums = readFileSync(join(out, 'SHA256SUMS'), 'utf8');
    writeFileSync(join(out, 'SHA256SUMS'), sums.split('\n').filter((line) => !line.endsWith('  textkeeper.sqlite')).join('\n'));
    const result = await runCli(['verify', out]);
    expect(result.stdout).toMatch(/^Intact against SHA256SUMS alone: \d+ files match it \(no textkeeper\.sqlite: the archive's own record is missing\)\.\n$/);
    expect(result.code).toBe(0);
  });
});
