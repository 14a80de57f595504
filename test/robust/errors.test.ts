// Issue #10 items 3, 4, 5, 10 and 11: bad input and a bad environment end with one line on stderr
// and exit 1, and leave no .partial file.
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeBackup } from '../../src/generate/backup.js';
import { ROOT, runCli, tempDir } from '../support/cli.js';
import { expectNoPartials, expectOneLine, filesBelow, makeBase, spoiledCopy } from './support.js';

const CLI = join(ROOT, 'dist', 'cli', 'main.js');
/** Whether this machine lets a test mount a tiny file system in a user namespace (for a full disk). */
const CAN_MOUNT = process.platform === 'linux' && spawnSync('unshare', ['-rm', 'true']).status === 0;
const AS_NOBODY = process.platform === 'linux' && process.getuid?.() === 0 && spawnSync('setpriv', ['--version']).status === 0;

describe('bad input and environment: one line, exit 1', () => {
  const dir = tempDir('errors');
  let base: string;

  beforeAll(async () => {
    base = await makeBase(dir);
  });

  it('a renamed column (export and list)', async () => {
    const db = spoiledCopy(base, dir, 'renamed', (d) => d.exec('ALTER TABLE message RENAME COLUMN date TO date_sent'));
    expectOneLine(await runCli(['export', '--db', db, '--out', join(dir, 'o-renamed')]), 1, /has a Messages schema this version cannot read \(no column message\.date\)/);
    expectOneLine(await runCli(['list', '--db', db]), 1, /no column message\.date/);
  });

  it('a column the reader joins or groups by renamed, outside the message table (export and list)', async () => {
    for (const [table, column] of [['handle', 'service'], ['attachment', 'guid'], ['chat_handle_join', 'handle_id'], ['message_attachment_join', 'attachment_id']]) {
      const db = spoiledCopy(base, dir, `renamed-${table}`, (d) => d.exec(`ALTER TABLE ${table} RENAME COLUMN ${column} TO ${column}_old`));
      const lacking = new RegExp(`has a Messages schema this version cannot read \\(no column ${table}\\.${column}\\)`);
      expectOneLine(await runCli(['export', '--db', db, '--out', join(dir, `o-renamed-${table}`)]), 1, lacking);
      expectOneLine(await runCli(['list', '--db', db]), 1, lacking);
    }
  });

  it('a schema from before tapbacks (no associated_message_* columns) is read', async () => {
    const db = spoiledCopy(base, dir, 'pre-sierra', (d) => {
      for (const { name } of d.prepare("SELECT name FROM sqlite_master WHERE type IN ('index', 'trigger') AND sql LIKE '%associated_message%'").all() as { name: string }[]) {
        d.exec(`DROP ${/idx/.test(name) ? 'INDEX' : 'TRIGGER'} IF EXISTS "${name}"`);
      }
      for (const column of ['associated_message_guid', 'associated_message_type', 'associated_message_range_location', 'associated_message_range_length', 'associated_message_emoji']) {
        const present = (d.prepare('PRAGMA table_info(message)').all() as { name: string }[]).some((c) => c.name === column);
        if (present) d.exec(`ALTER TABLE message DROP COLUMN ${column}`);
      }
    });
    const out = join(dir, 'o-pre-sierra');
    const result = await runCli(['export', '--db', db, '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/Exported \d+ conversations/);
    expect((await runCli(['list', '--db', db])).code).toBe(0);
  });

  it.skipIf(!AS_NOBODY)('a -wal that cannot be read', async () => {
    const folder = join(dir, 'locked-wal');
    mkdirSync(folder);
    const db = join(folder, 'chat.db');
    cpSync(base, db);
    const writer = new Database(db);
    writer.pragma('journal_mode = WAL');
    writer.pragma('wal_autocheckpoint = 0');
    writer.exec("UPDATE message SET text = 'changed in the wal' WHERE ROWID = 1");
    cpSync(`${db}-wal`, join(dir, 'wal-copy'));
    writer.close();
    cpSync(join(dir, 'wal-copy'), `${db}-wal`);
    chmodSync(dir, 0o755);
    chmodSync(folder, 0o755);
    chmodSync(db, 0o644);
    chmodSync(`${db}-wal`, 0o600);
    const out = join(dir, 'o-wal');
    mkdirSync(out, { mode: 0o777 });
    chmodSync(out, 0o777);
    const result = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, CLI, 'export', '--db', db, '--out', out], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } });
    expectOneLine({ code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr }, 1, /Cannot read .*chat\.db-wal: permission denied/);
  });

  describe.skipIf(!CAN_MOUNT)('a full disk', () => {
    for (const format of ['txt', 'pdf', 'html']) {
      it(format, async () => {
        const out = join(dir, `full-${format}`);
        mkdirSync(out);
        // A tiny file system mounted over the output folder, in a namespace of this run only.
        const script = `mount -t tmpfs -o size=${format === 'txt' ? 8 : 256}k tmpfs "$1" && "$2" "$3" export --db "$4" --out "$1" --format "$5" --no-progress; code=$?; ls -R "$1" > "$1.listing"; exit $code`;
        const result = spawnSync('unshare', ['-rm', 'sh', '-c', script, 'sh', out, process.execPath, CLI, base, format], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } });
        expectOneLine({ code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr }, 1, /the disk is full/);
        expect(readFileSync(`${out}.listing`, 'utf8')).not.toMatch(/\.partial/);
      });
    }
  });

  it('a store that cannot be written (a file size limit reached): the line names it, not the database read', async () => {
    const db = await makeBase(join(dir, 'limited'), 3000);
    const out = join(dir, 'o-limited');
    const script = 'ulimit -f 2000 && exec "$1" "$2" export --db "$3" --out "$4" --format txt --no-progress';
    const result = spawnSync('sh', ['-c', script, 'sh', process.execPath, CLI, db, out], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } });
    expectOneLine({ code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr }, 1, /cannot go on: .*textkeeper\.sqlite: it could not be written \(a failing disk, or a file size limit reached\?\)\.$/);
    expect(existsSync(join(out, 'SHA256SUMS'))).toBe(false);
  });

  it('a store that cannot be written at its last commit, after a slow check held every conversation: the line names it, not an empty database', async () => {
    // A table of padding makes the database's check outlast the reading: every conversation is then committed at once
    // as the writer closes, and that commit's failure was left unsaid (the run found nothing stored to export).
    const db = spoiledCopy(await makeBase(join(dir, 'padded'), 3000), dir, 'padded-copy', (sqlite) => sqlite.exec(`
      CREATE TABLE padding (id INTEGER PRIMARY KEY, v TEXT); CREATE INDEX padding_v ON padding (v);
      WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 40000) INSERT INTO padding (v) SELECT hex(randomblob(60)) FROM n;`));
    const out = join(dir, 'o-padded');
    // No copies to hash either, which let the check end first.
    const script = 'ulimit -f 2000 && exec "$1" "$2" export --db "$3" --out "$4" --format txt --attachments none --no-progress';
    const result = spawnSync('sh', ['-c', script, 'sh', process.execPath, CLI, db, out], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } });
    expectOneLine({ code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr }, 1, /cannot go on: .*textkeeper\.sqlite: it could not be written \(a failing disk, or a file size limit reached\?\)\.$/);
    expect(existsSync(join(out, 'SHA256SUMS'))).toBe(false);
  });

  it('a folder in --out named like a conversation file: another name is chosen, the folder is untouched', async () => {
    const out = join(dir, 'o-eisdir');
    const first = await runCli(['export', '--db', base, '--out', out]);
    expect(first.code).toBe(0);
    const txt = filesBelow(out).filter((f) => f.endsWith('.txt'));
    const name = txt[0]!;
    const again = join(dir, 'o-eisdir-2');
    mkdirSync(join(again, name), { recursive: true });
    writeFileSync(join(again, name, 'keep.me'), 'mine');
    const readOnly = txt[1]!;
    // An earlier export's file, protected by the user (one textkeeper did not write makes the folder not its own).
    writeFileSync(join(again, readOnly), 'Conversation: read-only, mine');
    chmodSync(join(again, readOnly), 0o444);
    const result = await runCli(['export', '--db', base, '--out', again]);
    expect(result.code, result.stderr).toBe(0);
    expect(readFileSync(join(again, name, 'keep.me'), 'utf8')).toBe('mine');
    expect(readFileSync(join(again, readOnly), 'utf8')).toBe('Conversation: read-only, mine');
    expect(readFileSync(join(again, name.replace(/\.txt$/, ' (2).txt')), 'utf8')).toMatch(/^Conversation: /);
    expect(readFileSync(join(again, readOnly.replace(/\.txt$/, ' (2).txt')), 'utf8')).toMatch(/^Conversation: /);
    expectNoPartials(again);
  });

  it('a corrupt Manifest.plist or Info.plist: one line, no XML parser chatter', async () => {
    const backup = join(dir, 'backup');
    await writeBackup({ chatDb: base, attachmentsDir: join(base, '..', 'Attachments'), outDir: backup, seed: 3 });
    for (const name of ['Manifest.plist', 'Info.plist']) {
      const copy = join(dir, `backup-${name}`);
      cpSync(backup, copy, { recursive: true });
      writeFileSync(join(copy, name), '<?xml version="1.0"?>\n<plist><dict><key>garbage\u0001<<<</kex><string>&bogus;</dict>\n'.repeat(5));
      expectOneLine(await runCli(['export', '--backup', copy, '--out', join(dir, `o-${name}`)]), 1, new RegExp(name.replace('.', '\\.')));
    }
  });
});
