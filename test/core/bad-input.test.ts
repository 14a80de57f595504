import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateChatDb } from '../../src/generate/index.js';
import { writeBackup } from '../../src/generate/backup.js';
import { ROOT, runCli, tempDir } from '../support/cli.js';

/** One clear line on stderr, a non-zero exit, no stack trace. */
async function expectClearFailure(args: string[], pattern: RegExp) {
  const result = await runCli(args);
  expect(result.code).toBe(1);
  const lines = result.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^textkeeper: /);
  expect(lines[0]).toMatch(pattern);
  expect(result.stderr).not.toMatch(/\n\s+at /);
  return result;
}

describe('bad input gets one clear line and a non-zero exit', () => {
  const dir = tempDir('bad');
  let goodDb: string;

  beforeAll(async () => {
    goodDb = join(dir, 'good', 'chat.db');
    mkdirSync(join(dir, 'good'));
    await generateChatDb({ path: goodDb, messages: 200, seed: 7 });
  });

  it('a path that does not exist', async () => {
    await expectClearFailure(['export', '--db', join(dir, 'nope.db'), '--out', join(dir, 'o1')], /No such file/);
  });

  it('no source at all names every kind of source, an archive folder too (it named --db and --backup alone)', async () => {
    for (const command of [['export', '--out', join(dir, 'o0')], ['list'], ['stats']]) {
      await expectClearFailure(command, /^textkeeper: --db, --backup or --archive is required: give a chat\.db file, an iPhone backup folder or an archive folder/);
    }
  });

  it('a directory', async () => {
    await expectClearFailure(['export', '--db', dir, '--out', join(dir, 'o2')], /is a folder/);
  });

  it('a source given to the wrong option is named, with the option that reads it', async () => {
    const archive = join(dir, 'an-archive');
    expect((await runCli(['export', '--db', goodDb, '--out', archive, '--format', 'txt', '--quiet'])).code).toBe(0);
    const backup = join(dir, 'a-backup');
    await writeBackup({ chatDb: goodDb, attachmentsDir: join(dir, 'good', 'Attachments'), outDir: backup, seed: 5 });
    const archiveFolder = / It is a textkeeper archive folder \(an earlier --out\): give it with --archive\.$/;
    await expectClearFailure(['export', '--db', archive, '--out', join(dir, 'w1')], archiveFolder);
    await expectClearFailure(['export', '--backup', archive, '--out', join(dir, 'w2')], archiveFolder);
    await expectClearFailure(['export', '--db', join(archive, 'textkeeper.sqlite'), '--out', join(dir, 'w3')], / It is the store of a textkeeper archive: give its folder with --archive\.$/);
    await expectClearFailure(['export', '--db', backup, '--out', join(dir, 'w4')], / It is an iPhone backup folder: give it with --backup\.$/);
    await expectClearFailure(['export', '--db', join(backup, 'Manifest.db'), '--out', join(dir, 'w5')], / It is the Manifest\.db of an iPhone backup: give its folder with --backup\.$/);
    await expectClearFailure(['export', '--db', join(dir, 'good'), '--out', join(dir, 'w6')], new RegExp(` It holds a chat\\.db: give ${goodDb.replaceAll('.', '\\.')}\\.$`));
    await expectClearFailure(['export', '--db', goodDb, '--out', join(dir, 'good', 'chat.db')], /Cannot write to the output folder .*chat\.db: it is a file, not a folder\.$/);
  });

  it('a named pipe: said not to be a file, not waited on nor taken for an empty file', async () => {
    spawnSync('mkfifo', [join(dir, 'pipe.db')]);
    await expectClearFailure(['export', '--db', join(dir, 'pipe.db'), '--out', join(dir, 'o2p')], /pipe\.db is not a file \(a pipe, socket or device\); give the path of the chat\.db file itself\.$/);
  });

  it("a backup whose Manifest.db is a folder: the reason in words, not the system's code (it said EISDIR)", async () => {
    const backup = join(dir, 'backup-folder-manifest');
    await writeBackup({ chatDb: goodDb, attachmentsDir: join(dir, 'good', 'Attachments'), outDir: backup, seed: 5 });
    rmSync(join(backup, 'Manifest.db'));
    mkdirSync(join(backup, 'Manifest.db'));
    await expectClearFailure(['export', '--backup', backup, '--out', join(dir, 'o2m')], /^textkeeper: Cannot read Manifest\.db in .*: a folder is in the way$/);
  });

  it('symbolic links that lead round in a loop: said so, exit 1, not an internal error (it exited 2)', async () => {
    symlinkSync(join(dir, 'loop-b'), join(dir, 'loop-a'));
    symlinkSync(join(dir, 'loop-a'), join(dir, 'loop-b'));
    await expectClearFailure(['export', '--db', join(dir, 'loop-a'), '--out', join(dir, 'o2l')], /loop-a: its symbolic links lead round in a loop/);
    await expectClearFailure(['list', '--db', join(dir, 'loop-a')], /^textkeeper: Cannot read .*loop-a: its symbolic links lead round in a loop\.$/);
  });

  it("a folder where the archive's store would be: said so, not called a damaged store, by export and verify", async () => {
    const out = join(dir, 'store-folder');
    mkdirSync(join(out, 'textkeeper.sqlite'), { recursive: true });
    const said = new RegExp(`^textkeeper: ${out}/textkeeper\\.sqlite is not a file, so not an archive's store: move it away, then run again\\.$`);
    await expectClearFailure(['export', '--db', goodDb, '--out', out], said);
    await expectClearFailure(['verify', out], said);
    await expectClearFailure(['list', '--archive', out], said);
  });

  it('an empty file', async () => {
    writeFileSync(join(dir, 'empty.db'), '');
    await expectClearFailure(['export', '--db', join(dir, 'empty.db'), '--out', join(dir, 'o3')], /is empty/);
  });

  it('a file that is not SQLite', async () => {
    writeFileSync(join(dir, 'notes.db'), 'just some text, not a database at all\n'.repeat(20));
    await expectClearFailure(['export', '--db', join(dir, 'notes.db'), '--out', join(dir, 'o4')], /not a SQLite database/);
  });

  it('a truncated database', async () => {
    const bytes = readFileSync(goodDb);
    writeFileSync(join(dir, 'truncated.db'), bytes.subarray(0, Math.floor(bytes.length / 3)));
    await expectClearFailure(['export', '--db', join(dir, 'truncated.db'), '--out', join(dir, 'o5')], /damaged|malformed|not a Messages/);
  });

  it('a corrupt database', async () => {
    const bytes = Buffer.from(readFileSync(goodDb));
    for (let i = 4096; i < bytes.length; i += 1024) bytes.fill(0xa5, i, i + 200);
    writeFileSync(join(dir, 'corrupt.db'), bytes);
    await expectClearFailure(['export', '--db', join(dir, 'corrupt.db'), '--out', join(dir, 'o6')], /damaged|malformed|not a Messages/);
  });

  it('a SQLite file that is not a Messages database', async () => {
    const other = join(dir, 'other.db');
    const db = new Database(other);
    db.exec('CREATE TABLE recipes (id INTEGER PRIMARY KEY, name TEXT)');
    db.close();
    await expectClearFailure(['export', '--db', other, '--out', join(dir, 'o7')], /not a Messages database/);
  });

  it('a Messages database without the attachment tables', async () => {
    const bare = join(dir, 'bare.db');
    const db = new Database(bare);
    db.exec('CREATE TABLE message (guid TEXT, date INTEGER, text TEXT); CREATE TABLE chat (guid TEXT); CREATE TABLE handle (id TEXT, service TEXT); CREATE TABLE chat_message_join (chat_id INTEGER, message_id INTEGER); CREATE TABLE chat_handle_join (chat_id INTEGER, handle_id INTEGER)');
    db.close();
    await expectClearFailure(['export', '--db', bare, '--out', join(dir, 'o7b')], /bare\.db has a Messages schema this version cannot read \(no table attachment, table message_attachment_join\)\.$/);
  });

  it('an output folder that cannot be written', async () => {
    const locked = join(dir, 'locked');
    mkdirSync(locked);
    chmodSync(locked, 0o500);
    await expectClearFailure(['export', '--db', goodDb, '--out', join(goodDb, 'out')], /Cannot write to the output folder/);
    await expectClearFailure(['export', '--db', goodDb, '--out', '/proc/textkeeper-out'], /Cannot write to the output folder/);
    if (process.getuid?.() !== 0) await expectClearFailure(['export', '--db', goodDb, '--out', join(locked, 'out')], /Cannot write to the output folder/);
  });

  it('unknown format, bad date, bad time zone', async () => {
    await expectClearFailure(['export', '--db', goodDb, '--out', join(dir, 'o8'), '--format', 'docx'], /unknown format docx/);
    await expectClearFailure(['export', '--db', goodDb, '--out', join(dir, 'o13'), '--format', ' , '], /^textkeeper: --format names no format; choose from txt, /);
    await expectClearFailure(['export', '--db', goodDb, '--out', join(dir, 'o9'), '--since', '2023-02-30'], /not a real date/);
    await expectClearFailure(['export', '--db', goodDb, '--out', join(dir, 'o10'), '--timezone', 'Mars/Olympus'], /not a time zone/);
    await expectClearFailure(['export', '--db', goodDb, '--out', join(dir, 'o12'), '--threads', '0'], /--threads 0: give a whole number/);
  });

  it('an empty --chat, --since or --until (a shell variable with nothing in it) is refused, not taken as every conversation or date', async () => {
    const out = join(dir, 'o17');
    await expectClearFailure(['export', '--db', goodDb, '--out', out, '--chat', '', '--format', 'pdf'], /^textkeeper: --chat names no conversation; give ids \(as `textkeeper list` shows them\), /);
    await expectClearFailure(['export', '--db', goodDb, '--out', out, '--chat', ' , '], /^textkeeper: --chat names no conversation;/);
    await expectClearFailure(['list', '--db', goodDb, '--since', ''], /^textkeeper: --since is empty: give a date like 2023-01-31 /);
    await expectClearFailure(['stats', '--db', goodDb, '--until', ' '], /^textkeeper: --until is empty: /);
    expect(existsSync(out)).toBe(false);
  });

  it('--password is refused even when no backup needs one', async () => {
    await expectClearFailure(['list', '--db', goodDb, '--password', 'hunter2'], /^textkeeper: --password: a password on the command line is visible to other programs; use --password-file FILE, or type it at the prompt\.$/);
  });

  it('a mistyped option, command or choice: one line naming it, as commander words it', async () => {
    await expectClearFailure(['export', '--db', goodDb, '--out', join(dir, 'o14'), '--formt', 'txt'], /unknown option '--formt' \(Did you mean --format\?\) \(see textkeeper export --help\)\.$/);
    await expectClearFailure(['exprot'], /unknown command 'exprot' \(Did you mean export\?\) \(see textkeeper --help\)\.$/);
    await expectClearFailure(['list', '--db', goodDb, '--sort', 'size'], /argument 'size' is invalid\. Allowed choices are recent, name, messages \(see textkeeper list --help\)\.$/);
    await expectClearFailure(['export', '--db', goodDb, '--out', join(dir, 'o15'), '--page-size', 'B5'], /argument 'B5' is invalid\. Allowed choices are letter, a4 \(see/);
    await expectClearFailure(['verify'], /missing required argument 'dir'/);
  });

  // Commander keeps the last value: the first was dropped without a word. Options that are lists add up instead.
  it('an option of one value given twice, with its two values; nothing written', async () => {
    const [first, second] = [join(dir, 'twice-a'), join(dir, 'twice-b')];
    await expectClearFailure(['export', '--db', goodDb, '--out', first, `--out=${second}`], new RegExp(`^textkeeper: --out was given 2 times \\(${first}, ${second}\\): give it once\\.$`));
    expect(existsSync(first) || existsSync(second)).toBe(false);
    await expectClearFailure(['list', '--db', goodDb, '--sort', 'name', '--sort', 'recent'], /^textkeeper: --sort was given 2 times \(name, recent\): give it once\.$/);
    await expectClearFailure(['stats', '--db', goodDb, '--since', '2020-01-01', '--since', '2021-01-01'], /--since was given 2 times/);
    const lists = await runCli(['list', '--db', goodDb, '--db', goodDb, '--json', '--chat', '+1', '--chat', '@']);
    expect(lists.code, lists.stderr).toBe(0);
  });

  it('an option of a format not asked for, an unknown --country, an empty --me', async () => {
    const out = join(dir, 'o16');
    const exportTo = (...args: string[]) => ['export', '--db', goodDb, '--out', out, ...args];
    await expectClearFailure(exportTo('--bates', 'SMITH'), /^textkeeper: --bates is for PDF files, and --format txt has no pdf\.$/);
    await expectClearFailure(exportTo('--format', 'html,txt', '--no-cover'), /^textkeeper: --no-cover is for PDF files, and --format html,txt has no pdf\.$/);
    await expectClearFailure(exportTo('--format', 'pdf', '--csv-bom', 'false'), /^textkeeper: --csv-bom is for CSV files, and --format pdf has no csv\.$/);
    await expectClearFailure(exportTo('--format', 'pdf', '--bates-digits', '4'), /^textkeeper: --bates-digits is the length of Bates numbers, and no --bates asks for them: give --bates PREFIX too\.$/);
    await expectClearFailure(exportTo('--country', 'XX'), /^textkeeper: --country XX: not a country code; give two letters, e\.g\. US, GB or DE\.$/);
    await expectClearFailure(['list', '--db', goodDb, '--country', 'Narnia'], /--country Narnia: not a country code/);
    await expectClearFailure(exportTo('--me', ' '), /^textkeeper: --me is empty/);
    expect(existsSync(out)).toBe(false);
    const fine = await runCli(exportTo('--format', 'CSV', '--csv-bom', 'false', '--country', 'gb', '--me', ' Jo '));
    expect(fine.code, fine.stderr).toBe(0);
  });

  it('a reader that stops reading (`| true`) ends the command quietly, exit 0', async () => {
    const cli = `"${process.execPath}" "${join(ROOT, 'dist', 'cli', 'main.js')}"`;
    for (const command of ['list --json', 'stats']) {
      // `true` reads nothing and is gone before Node has started: every write meets a closed pipe (EPIPE).
      const child = spawn('bash', ['-c', `set -o pipefail; ${cli} ${command} --db "${goodDb}" | true`], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      const code = await new Promise((resolve) => child.on('close', resolve));
      expect({ command, code, stderr }).toEqual({ command, code: 0, stderr: '' });
    }
  });

  it('a --chat that matches nothing', async () => {
    await expectClearFailure(['export', '--db', goodDb, '--out', join(dir, 'o11'), '--chat', 'nobody-by-this-name'], /No conversation matches/);
  });
});
