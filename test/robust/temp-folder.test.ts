// The temporary folder (TMPDIR) is where a live chat.db's private copy, a backup's decrypted files and SQLite's
// sorting files go. One that is not there, or whose disk fills, is said in one line naming that folder and the
// variable that chooses another, not as a stack trace, nor as the store or the database read being at fault.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeBackup } from '../../src/generate/backup.js';
import { generateApart, ROOT, runCli, tempDir } from '../support/cli.js';

const SAMPLE = join(ROOT, 'sample-data', 'chat.db');
const WORK = tempDir('temp-folder');
const TEMP = join(WORK, 'tmp');
const PASSWORD_FILE = join(WORK, 'password.txt');

/** Messages at work on the live copy: open until the tests end (closing would fold its -wal in and remove it). */
let writer: Database.Database | undefined;

/** The sample's chat.db as Messages leaves it while it runs: a -wal and a -shm beside it (read from a private copy). */
function liveCopy(): string {
  const dir = join(WORK, 'live');
  mkdirSync(dir, { recursive: true });
  const db = join(dir, 'chat.db');
  copyFileSync(SAMPLE, db);
  writer = new Database(db);
  writer.pragma('journal_mode = WAL');
  writer.pragma('wal_autocheckpoint = 0');
  writer.prepare("UPDATE message SET text = text || '' WHERE ROWID < 5").run();
  return db;
}

/** A tmpfs of this size over TEMP (remounted when there), emptied. Needs root on Linux. */
function smallTemp(megabytes: number): boolean {
  mkdirSync(TEMP, { recursive: true });
  for (const name of readdirSync(TEMP)) rmSync(join(TEMP, name), { recursive: true, force: true });
  const mounted = spawnSync('mountpoint', ['-q', TEMP]).status === 0;
  const options = `${mounted ? 'remount,' : ''}size=${megabytes}m`;
  return spawnSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', TEMP], { stdio: 'ignore' }).status === 0;
}

const canMount = process.platform === 'linux' && process.getuid?.() === 0 && smallTemp(1);
let live: string;
let backup: string;

beforeAll(async () => {
  live = liveCopy();
  backup = join(WORK, 'backup');
  await writeBackup({ chatDb: SAMPLE, attachmentsDir: join(ROOT, 'sample-data', 'Attachments'), outDir: backup, seed: 3, encryption: { password: 'pw', dpIterations: 1000, iterations: 10 } });
  writeFileSync(PASSWORD_FILE, 'pw\n', { mode: 0o600 });
});

afterAll(() => {
  writer?.close();
  if (canMount) spawnSync('umount', [TEMP], { stdio: 'ignore' });
});

function oneLine(stderr: string): string {
  const lines = stderr.trim().split('\n');
  expect(lines, stderr).toHaveLength(1);
  return lines[0]!;
}

describe('a temporary folder that is not there', () => {
  const missing = join(WORK, 'no-such-folder');
  const said = `textkeeper: cannot go on: the temporary folder ${missing} cannot be used (no such file or folder); set TMPDIR to a folder that can be written to, then run again.`;

  it.each([
    ['by a run restarted with its memory limits (a PDF)', () => SAMPLE, 'pdf'],
    ['when a live chat.db is to be copied there', () => live, 'txt'],
  ])('is said in one line %s, and nothing is written', async (_when, db, format) => {
    const out = join(WORK, `out-missing-${format}`);
    const run = await runCli(['export', '--db', db(), '--out', out, '--format', format, '--quiet'], { TMPDIR: missing });
    expect(run.code).toBe(1);
    expect(oneLine(run.stderr)).toBe(said);
    expect(existsSync(out)).toBe(false);
  });
});

describe.skipIf(!canMount)('a temporary folder whose disk is full (skipped where a small tmpfs cannot be mounted: root on Linux only)', () => {
  const noRoom = (what: string) => `textkeeper: cannot go on: no room in the temporary folder ${TEMP} for ${what} (the disk is full); set TMPDIR to a folder on a disk with more room, then run again.`;

  it.each([
    [1, 'a live chat.db', () => ['--db', live], () => `a private copy of ${live}`],
    [1, "an encrypted backup's sms.db", () => ['--backup', backup, '--password-file', PASSWORD_FILE], () => 'a decrypted copy of sms.db'],
    [3, "an encrypted backup's attachments", () => ['--backup', backup, '--password-file', PASSWORD_FILE], () => "the backup's decrypted attachments"],
  ])('%i MB, %s: one line naming that folder, not the file read nor the archive', async (megabytes, label, source, what) => {
    expect(smallTemp(megabytes)).toBe(true);
    const out = join(WORK, `out-${label.replaceAll(/\W+/g, '-')}`);
    // SQLite's own sorting files go elsewhere (SQLITE_TMPDIR comes before TMPDIR): what fills the disk is the copies.
    const run = await runCli(['export', ...source(), '--out', out, '--format', 'txt', '--quiet'], { TMPDIR: TEMP, SQLITE_TMPDIR: WORK });
    expect(run.code, run.stderr).toBe(1);
    expect(oneLine(run.stderr)).toBe(noRoom(what()));
  });

  it("16 KB for SQLite's sorting files (SQLITE_TMPDIR): one line naming that folder, not the store; a run with room finishes", async () => {
    // 40,000 messages: the store's indexes, built once its messages are in, are sorted in more than SQLite's 2 MB cache.
    const db = await generateApart(join(WORK, 'big'), 40_000, 17);
    spawnSync('mount', ['-t', 'tmpfs', '-o', 'remount,size=16k', 'tmpfs', TEMP], { stdio: 'ignore' });
    const out = join(WORK, 'out-sorting');
    const args = ['export', '--db', db, '--out', out, '--format', 'txt', '--attachments', 'none', '--quiet'];
    const run = await runCli(args, { SQLITE_TMPDIR: TEMP });
    expect(run.code).toBe(1);
    expect(oneLine(run.stderr)).toBe(`textkeeper: cannot go on: no room in the temporary folder ${TEMP} for the store's sorting files (the disk is full); set SQLITE_TMPDIR to a folder on a disk with more room, then run again.`);
    expect((await runCli(args)).code).toBe(0);
    expect((await runCli(['verify', out])).stdout).toMatch(/^Intact: \d+ files match the manifest\.$/m);
  });
});
