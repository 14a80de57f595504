import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateChatDb } from '../../src/generate/index.js';
import { runCli, tempDir } from '../support/cli.js';

/**
 * Every file below a folder with its sha256, by relative path; with its change time when it has one link
 * (a new hard link to it changes both). Generated attachments are hard links to a media pool that other
 * test files link to at the same time, so only their content counts.
 */
function snapshot(folder: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const name of readdirSync(folder, { recursive: true }).map(String).sort()) {
    const path = join(folder, name);
    const info = statSync(path);
    const links = info.nlink === 1 ? `links=1 ctime=${info.ctimeMs}` : 'shared';
    if (info.isFile()) result[name] = `${createHash('sha256').update(readFileSync(path)).digest('hex')} ${links}`;
  }
  return result;
}

/**
 * SQLite run as root gives the -wal and -shm it opens the database's owner again (fchown), which sets
 * their change time even when the owner is the same; as any other user it does not. Tests here run as root.
 */
function withoutRootChown(files: Record<string, string>): Record<string, string> {
  if (process.getuid?.() !== 0) return files;
  return Object.fromEntries(Object.entries(files).map(([name, v]) => [name, /-(wal|shm)$/.test(name) ? v.split(' ')[0] : v]));
}

describe('the database is never modified', () => {
  const dir = tempDir('readonly');
  const plain = join(dir, 'plain');
  const live = join(dir, 'live');
  const walMode = join(dir, 'wal-mode');
  const shmOnly = join(dir, 'shm-only');

  beforeAll(async () => {
    mkdirSync(plain);
    mkdirSync(live);
    mkdirSync(walMode);
    mkdirSync(shmOnly);
    await generateChatDb({ path: join(plain, 'chat.db'), messages: 300, seed: 3 });
    expect(readdirSync(plain)).toContain('Attachments');
    // A database Messages is writing: rows that live only in a non-empty -wal beside it.
    const source = join(dir, 'writer.db');
    copyFileSync(join(plain, 'chat.db'), source);
    const writer = new Database(source);
    writer.pragma('journal_mode = WAL');
    writer.pragma('wal_autocheckpoint = 0');
    const chat = writer.prepare('SELECT ROWID FROM chat LIMIT 1').pluck().get() as number;
    const insert = writer.prepare(
      `INSERT INTO message (guid, text, handle_id, is_from_me, service, date) VALUES (?, ?, 0, 1, 'iMessage', ?)`,
    );
    const join_ = writer.prepare('INSERT INTO chat_message_join (chat_id, message_id, message_date) VALUES (?, ?, ?)');
    const date = 800_000_000_000_000_000n;
    const id = insert.run('WAL-ONLY-GUID', 'This message lives only in the write-ahead log', date).lastInsertRowid;
    join_.run(chat, id, date);
    copyFileSync(source, join(live, 'chat.db'));
    copyFileSync(`${source}-wal`, join(live, 'chat.db-wal'));
    // A copy that forgot the -wal: the -shm alone beside the file.
    copyFileSync(source, join(shmOnly, 'chat.db'));
    copyFileSync(`${source}-shm`, join(shmOnly, 'chat.db-shm'));
    writer.close();
    // Closed cleanly: still a WAL database, now without -wal or -shm beside it.
    copyFileSync(source, join(walMode, 'chat.db'));
  });

  it('leaves a plain chat.db and its folder byte-for-byte unchanged', async () => {
    const before = snapshot(plain);
    const result = await runCli(['export', '--db', join(plain, 'chat.db'), '--out', join(dir, 'out1')]);
    expect(result.code).toBe(0);
    expect(snapshot(plain)).toEqual(before);
  });

  it('creates no -wal or -shm beside a WAL-mode database it reads in place', async () => {
    const before = snapshot(walMode);
    expect(Object.keys(before)).toEqual(['chat.db']);
    const out = join(dir, 'out3');
    const result = await runCli(['export', '--db', join(walMode, 'chat.db'), '--out', out]);
    expect(result.code).toBe(0);
    expect(snapshot(walMode)).toEqual(before);
    const all = readdirSync(out).map((f) => readFileSync(join(out, f), 'utf8')).join('\n');
    expect(all).toContain('This message lives only in the write-ahead log');
  });

  it('reads rows that live only in a non-empty -wal, and changes neither file', async () => {
    const before = snapshot(live);
    expect(Object.keys(before)).toEqual(['chat.db', 'chat.db-wal']);
    expect(before['chat.db']).toContain('links=1');
    const out = join(dir, 'out2');
    const result = await runCli(['export', '--db', join(live, 'chat.db'), '--out', out]);
    expect(result.code).toBe(0);
    expect(snapshot(live)).toEqual(before);
    const all = readdirSync(out).map((f) => readFileSync(join(out, f), 'utf8')).join('\n');
    expect(all).toContain('This message lives only in the write-ahead log');
  });

  it('creates no -wal beside a database copied with its -shm alone, and reads it', async () => {
    const before = snapshot(shmOnly);
    expect(Object.keys(before)).toEqual(['chat.db', 'chat.db-shm']);
    for (const args of [['list'], ['export', '--out', join(dir, 'out5')]]) {
      const result = await runCli([...args, '--db', join(shmOnly, 'chat.db')]);
      expect(result.code, result.stderr).toBe(0);
      expect(snapshot(shmOnly)).toEqual(before);
    }
  });

  it('changes not even the -shm of a database a writer has open', async () => {
    const open = join(dir, 'open');
    mkdirSync(open);
    copyFileSync(join(walMode, 'chat.db'), join(open, 'chat.db'));
    const writer = new Database(join(open, 'chat.db'));
    try {
      writer.pragma('wal_autocheckpoint = 0');
      writer.prepare("UPDATE message SET text = 'Edited while Messages was running' WHERE guid = 'WAL-ONLY-GUID'").run();
      const before = withoutRootChown(snapshot(open));
      expect(Object.keys(before)).toEqual(['chat.db', 'chat.db-shm', 'chat.db-wal']);
      const out = join(dir, 'out4');
      const result = await runCli(['export', '--db', join(open, 'chat.db'), '--out', out]);
      expect(result.code).toBe(0);
      expect(withoutRootChown(snapshot(open))).toEqual(before);
      const all = readdirSync(out).map((f) => readFileSync(join(out, f), 'utf8')).join('\n');
      expect(all).toContain('Edited while Messages was running');
    } finally {
      writer.close();
    }
  });
});
