import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateChatDb } from '../../src/generate/index.js';
import { ArchiveLock } from '../../src/store/archive-lock.js';
import { verifyArchive } from '../../src/store/verify.js';
import { ROOT, runCli, tempDir } from '../support/cli.js';

let db: string;
let root: string;

beforeAll(async () => {
  root = tempDir('verify-src');
  db = join(root, 'chat.db');
  await generateChatDb({ path: db, messages: 300, seed: 91, conversations: 4, images: 6 });
});

/** A fresh archive of txt and html (attachments copied). */
async function exportArchive(): Promise<string> {
  const out = join(tempDir('verify'), 'archive');
  const result = await runCli(['export', '--db', db, '--out', out, '--format', 'txt,html', '--no-progress']);
  expect(result.stderr).not.toMatch(/failed/);
  expect(result.code).toBe(0);
  return out;
}

/** Paths SHA256SUMS lists. */
function listed(out: string): string[] {
  return readFileSync(join(out, 'SHA256SUMS'), 'utf8').trim().split('\n').map((line) => line.slice(66));
}

describe('textkeeper verify', () => {
  it('passes an intact archive, and sha256sum -c accepts SHA256SUMS', async () => {
    const out = await exportArchive();
    const paths = listed(out);
    expect(paths).toContain('index.html');
    expect(paths.some((p) => p.endsWith('.txt'))).toBe(true);
    expect(paths.some((p) => p.startsWith('attachments/'))).toBe(true);
    const result = await runCli(['verify', out]);
    expect(result.stdout).toMatch(/^Intact: \d+ files match the manifest\.$/m);
    expect(result.code).toBe(0);
    const checked = execFileSync('sha256sum', ['-c', '--quiet', 'SHA256SUMS'], { cwd: out, encoding: 'utf8' });
    expect(checked).toBe('');
  });

  it('reports a changed byte, a deleted attachment and an extra file by path', async () => {
    const out = await exportArchive();
    const paths = listed(out);
    const text = paths.find((p) => p.endsWith('.txt'))!;
    const attachment = paths.find((p) => p.startsWith('attachments/'))!;
    const bytes = readFileSync(join(out, text));
    bytes[bytes.length - 2] ^= 1;
    writeFileSync(join(out, text), bytes);
    rmSync(join(out, attachment));
    appendFileSync(join(out, 'notes.txt'), 'mine\n');
    const result = await runCli(['verify', out]);
    expect(result.stdout.trim().split('\n').sort()).toEqual([`altered: ${text}`, `missing: ${attachment}`, 'unexpected: notes.txt'].sort());
    expect(result.stderr).toMatch(/3 problems/);
    expect(result.code).toBe(1);
  });

  it('leaves out the files the system puts beside the archive’s (.DS_Store, AppleDouble ._ files, a volume’s folders)', async () => {
    const out = await exportArchive();
    const attachment = listed(out).find((p) => p.startsWith('attachments/'))!;
    const system = ['.DS_Store', 'attachments/.DS_Store', `${attachment.replace(/[^/]+$/, '._$&')}`, '.Spotlight-V100/Store-V2/store.db'];
    for (const path of system) {
      mkdirSync(join(out, path, '..'), { recursive: true });
      writeFileSync(join(out, path), 'Finder');
    }
    const result = await runCli(['verify', out]);
    expect(result.stdout).toMatch(/^Intact: /);
    expect(result.code).toBe(0);
    expect((await runCli(['export', '--db', db, '--out', out, '--format', 'txt,html', '--no-progress'])).code).toBe(0);
    expect(listed(out).filter((p) => p.split('/').some((name) => name.startsWith('.')))).toEqual([]);
    // A new folder made in Finder is empty, though it holds Finder's file.
    const fresh = tempDir('verify-finder');
    writeFileSync(join(fresh, '.DS_Store'), 'Finder');
    expect((await runCli(['export', '--db', db, '--out', fresh, '--no-progress'])).code).toBe(0);
    expect((await runCli(['verify', fresh])).code).toBe(0);
  });

  it('refuses a folder that is not an archive in one line', async () => {
    const result = await runCli(['verify', tempDir('verify-empty')]);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/not a textkeeper archive/);
    expect(result.code).toBe(1);
    const file = join(tempDir('verify-file'), 'SHA256SUMS');
    writeFileSync(file, '');
    const onFile = await runCli(['verify', file]);
    expect(onFile.stderr).toBe(`textkeeper: ${file} is a file: give the archive folder (an earlier --out).\n`);
    expect(onFile.code).toBe(1);
  });

  it('checks against the store: a file changed together with its line in SHA256SUMS is still found', async () => {
    const out = await exportArchive();
    const text = listed(out).find((p) => p.endsWith('.txt'))!;
    appendFileSync(join(out, text), 'a line added afterwards\n');
    const sha256 = createHash('sha256').update(readFileSync(join(out, text))).digest('hex');
    const sums = readFileSync(join(out, 'SHA256SUMS'), 'utf8');
    writeFileSync(join(out, 'SHA256SUMS'), sums.replace(new RegExp(`^[0-9a-f]{64}(?=  ${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$)`, 'm'), sha256));
    expect(execFileSync('sha256sum', ['-c', '--quiet', 'SHA256SUMS'], { cwd: out, encoding: 'utf8' })).toBe('');
    const result = await runCli(['verify', out]);
    expect(result.stdout.trim().split('\n').sort()).toEqual([`altered: ${text}`, 'altered: SHA256SUMS'].sort());
    expect(result.code).toBe(1);
    // Without its store, the folder is checked against SHA256SUMS alone, which lists the store too.
    rmSync(join(out, 'textkeeper.sqlite'));
    const alone = await runCli(['verify', out]);
    expect(alone.stdout.trim()).toBe('missing: textkeeper.sqlite');
    expect(alone.code).toBe(1);
  });

  it('counts the store among the bytes its progress reads (it was read after 100%, seconds for a large store)', async () => {
    const out = await exportArchive();
    const seen: [number, number][] = [];
    const report = await verifyArchive(out, (read, total) => seen.push([read, total]));
    expect(report.problems).toEqual([]);
    const files = readFileSync(join(out, 'SHA256SUMS'), 'utf8').trim().split('\n').map((line) => line.slice(66));
    const bytes = files.reduce((sum, path) => sum + statSync(join(out, path)).size, 0);
    expect(files.at(-1)).toBe('textkeeper.sqlite');
    expect(seen.at(-1)).toEqual([bytes, bytes]);
  });

  it('checks the store itself: its SHA-256 as the run closed it, and what SQLite finds in it', async () => {
    const out = await exportArchive();
    const sums = readFileSync(join(out, 'SHA256SUMS'), 'utf8');
    expect(sums.trim().split('\n').at(-1)).toMatch(/^[0-9a-f]{64} {2}textkeeper\.sqlite$/);
    const store = join(out, 'textkeeper.sqlite');
    const edited = new Database(store);
    edited.prepare("UPDATE messages SET body = replace(body, 'a', 'e') WHERE rowid = (SELECT min(rowid) FROM messages)").run();
    edited.close();
    const result = await runCli(['verify', out]);
    expect(result.stdout.trim()).toBe('altered: textkeeper.sqlite');
    expect(result.code).toBe(1);
    expect(() => execFileSync('sha256sum', ['-c', '--quiet', 'SHA256SUMS'], { cwd: out, stdio: 'pipe' })).toThrow();

    // A page of the messages table made unreadable: quick_check's finding, in one line.
    const root = new Database(store, { readonly: true }).prepare("SELECT rootpage FROM sqlite_master WHERE name = 'messages'").pluck().get() as number;
    const bytes = readFileSync(store);
    const pageSize = bytes.readUInt16BE(16) === 1 ? 65536 : bytes.readUInt16BE(16);
    bytes[(root - 1) * pageSize] = 0;
    writeFileSync(store, bytes);
    const damaged = await runCli(['verify', out]);
    const lines = damaged.stdout.trim().split('\n');
    expect(lines).toContain('altered: textkeeper.sqlite');
    expect(lines.filter((line) => line.startsWith('damaged: textkeeper.sqlite: '))).toHaveLength(lines.length - 1);
    expect(damaged.code).toBe(1);
  });

  it('names a run record another program made unreadable as a finding, and still checks everything else', async () => {
    const out = await exportArchive();
    const edited = new Database(join(out, 'textkeeper.sqlite'));
    edited.prepare("UPDATE runs SET counts = '{\"messages\": 3' WHERE id = (SELECT max(id) FROM runs)").run();
    edited.close();
    const result = await runCli(['verify', out]);
    expect(result.stderr.trim()).toBe(`textkeeper: 2 problems in ${out}.`);
    expect(result.stdout.trim().split('\n').sort()).toEqual([
      'altered: textkeeper.sqlite',
      expect.stringMatching(/^damaged: textkeeper\.sqlite: the counts of the export begun \d{4}-\d\d-\d\dT[\d:]+Z are not what an export writes$/),
    ]);
    expect(result.code).toBe(1);
  });

  it('says a store that SHA256SUMS gives no SHA-256 for is unrecorded, until the next export records it', async () => {
    const out = await exportArchive();
    const sums = readFileSync(join(out, 'SHA256SUMS'), 'utf8');
    writeFileSync(join(out, 'SHA256SUMS'), sums.replace(/[0-9a-f]{64} {2}textkeeper\.sqlite\n$/, ''));
    const result = await runCli(['verify', out]);
    expect(result.stdout.trim()).toMatch(/^unrecorded: textkeeper\.sqlite \(.+\)$/);
    expect(result.code).toBe(1);
    await runCli(['export', '--db', db, '--out', out, '--format', 'txt,html', '--no-progress']);
    expect((await runCli(['verify', out])).code).toBe(0);
  });

  it('verify and list --archive read a store a killed run left in WAL mode without writing beside it', async () => {
    const out = await exportArchive();
    const store = join(out, 'textkeeper.sqlite');
    // A process killed while it writes leaves the store with its -wal and -shm, as a killed run does.
    const writes = `const db = new (require('better-sqlite3'))(${JSON.stringify(store)}); db.pragma('journal_mode = WAL');
      db.prepare('UPDATE runs SET tool_version = tool_version').run(); process.kill(process.pid, 'SIGKILL');`;
    expect(() => execFileSync(process.execPath, ['-e', writes], { cwd: ROOT, stdio: 'ignore' })).toThrow();
    const hashes = () => ['', '-wal', '-shm'].map((suffix) => [createHash('sha256').update(readFileSync(store + suffix)).digest('hex'), statSync(store + suffix).mtimeMs]);
    const before = hashes();
    const result = await runCli(['verify', out]);
    // The files are as the last finished run left them; the store is not (the killed run wrote into it).
    expect(result.stdout.trim().split('\n')).toEqual(['altered: textkeeper.sqlite']);
    expect(result.code).toBe(1);
    expect(hashes()).toEqual(before);
    const list = await runCli(['list', '--archive', out, '--json']);
    expect(list.code, list.stderr).toBe(0);
    expect(JSON.parse(list.stdout)).toHaveLength(readdirSync(out).filter((f) => f.endsWith('.txt')).length);
    expect(hashes()).toEqual(before);
  });

  it('does not check a folder while a run is writing it', async () => {
    const out = await exportArchive();
    const lock = ArchiveLock.take(out);
    try {
      const result = await runCli(['verify', out]);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^textkeeper: A textkeeper run is writing .+ now: verify it once the run has finished\.\n$/);
    } finally {
      lock.release();
    }
    expect((await runCli(['verify', out])).code).toBe(0);
  });
});
