import { createHash } from 'node:crypto';
import { cpSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { ArchiveStore } from '../../src/store/archive-store.js';
import { messageFromJson, type MessageColumns } from '../../src/store/message-json.js';
import { MIGRATIONS, SCHEMA_VERSION } from '../../src/store/schema.js';
import { ROOT, runCli, tempDir } from '../support/cli.js';
import { deviceSlice, exportFrom, generateHistory, transcripts, withoutOne } from './device.js';

const STORE = 'textkeeper.sqlite';
/** Tables versions 1 and 2 share, column for column (a later version added some, left out here). */
const SHARED = ['runs', 'conversations', 'people', 'message_history', 'attachments', 'file_hashes', 'source_marks', 'rendered', 'manifest'];

/** The folder's store rewritten as version 1 (the previous release) wrote it: a body hash, a row per source of a message. */
function asVersion1(dir: string): void {
  const current = join(dir, 'current.sqlite');
  cpSync(join(dir, STORE), current);
  rmSync(join(dir, STORE));
  const db = new Database(join(dir, STORE));
  db.exec(MIGRATIONS[0]!);
  db.exec('CREATE TABLE migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL); INSERT INTO migrations VALUES (1, 0)');
  db.pragma('user_version = 1');
  db.function('sha256', (text: string) => createHash('sha256').update(text).digest('base64'));
  db.exec(`ATTACH '${current}' AS v2`);
  for (const table of SHARED) {
    const columns = (db.prepare(`SELECT name FROM pragma_table_info('${table}')`).pluck().all() as string[]).join(', ');
    db.exec(`INSERT INTO ${table} (${columns}) SELECT ${columns} FROM v2.${table}`);
  }
  db.exec(`INSERT INTO messages (guid, conversation_key, date, seq, body, body_hash, revision, first_run, last_run, absent_since)
      SELECT guid, conversation_key, date, seq, body, sha256(body), revision, first_run, last_run, absent_since FROM v2.messages;
    INSERT INTO message_sources (guid, source)
      SELECT m.guid, j.value FROM v2.messages m JOIN v2.source_sets s ON s.id = m.source_set, json_each(s.sources) j;
    DETACH v2`);
  db.close();
  rmSync(current);
}

describe('the README on the store', () => {
  it('names the current schema version and tells what each migration did (it said "now 8" at version 10)', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    expect(readme).toContain(`\`PRAGMA user_version\` is the schema version (now ${SCHEMA_VERSION})`);
    for (let version = 2; version <= SCHEMA_VERSION; version++) expect(readme, `Version ${version}`).toMatch(new RegExp(`\\bVersion ${version} `));
  });
});

describe('a store written by the previous release (schema version 1)', () => {
  let archive: string;
  let migrated: string;

  beforeAll(async () => {
    // Two sources that share the middle third of one history: some messages are in one of them only.
    const history = await generateHistory(400, 306);
    // Each lost a message of the months both hold: those name the other.
    const early = withoutOne(deviceSlice(history, undefined, history.thirds[1]), history.thirds[0], history.thirds[1]);
    const late = withoutOne(deviceSlice(history, history.thirds[0], undefined), (history.thirds[0] + history.thirds[1]) / 2, history.thirds[1]);
    const work = tempDir('migrate');
    archive = join(work, 'archive');
    await exportFrom(early, archive, 'txt', ['--db', join(late, 'chat.db')]);
    migrated = join(work, 'migrated');
    cpSync(archive, migrated, { recursive: true });
    asVersion1(migrated);
  });

  it('is brought to the current version in place', () => {
    ArchiveStore.open(migrated, { create: false, readonly: false }).close();
    const db = new Database(join(migrated, STORE), { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(db.prepare('SELECT version FROM migrations ORDER BY version').pluck().all()).toEqual(MIGRATIONS.map((_, i) => i + 1));
    // Version 3: each conversation is found by its first chat's GUID until a run reads it again.
    expect(db.prepare('SELECT COUNT(*) FROM chat_guids').pluck().get()).toBe(db.prepare('SELECT COUNT(*) FROM conversations').pluck().get());
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all();
    expect(tables).not.toContain('message_sources');
    expect(db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all('messages')).not.toContain('body_hash');
    // Version 5: the GUID is a unique index, not the primary key.
    expect(db.prepare('SELECT COUNT(*) FROM pragma_table_info(?) WHERE pk > 0').pluck().get('messages')).toBe(0);
    // Version 6: messages only the archive keeps are found by conversation.
    expect(db.prepare("SELECT name, \"unique\" FROM pragma_index_list('messages') ORDER BY name").raw().all()).toEqual([['messages_by_guid', 1], ['messages_in_order', 0], ['messages_kept_only', 0]]);
    // The three ways a message was found: in the early source, the late one, or both.
    expect(db.prepare('SELECT COUNT(*) FROM source_sets').pluck().get()).toBe(3);
    db.close();
  });

  it('keeps which sources had each message: exported from, it gives the transcripts the current store gives', async () => {
    const fromCurrent = join(tempDir('migrate-out'), 'out');
    const fromMigrated = join(tempDir('migrate-out'), 'out');
    for (const [source, out] of [[archive, fromCurrent], [migrated, fromMigrated]] as const) {
      const result = await runCli(['export', '--archive', source, '--out', out, '--format', 'txt', '--no-progress']);
      expect(result.code, result.stderr).toBe(0);
    }
    const text = [...transcripts(fromMigrated).values()].join('\n');
    expect(text).toContain('⧉ Found in: chat.db');
    expect(transcripts(fromMigrated)).toEqual(transcripts(fromCurrent));
  });
});

/**
 * The folder's store with its messages as version 3 wrote them: every field, dates as ISO strings, guid, rowId and
 * date included; a version 3 store, unless `keepVersion` (as a message only the archive keeps stays after migrating).
 */
function asVersion3Bodies(dir: string, keepVersion = false): void {
  const db = new Database(join(dir, STORE));
  const rows = db.prepare('SELECT guid, date, seq, body FROM messages').all() as (MessageColumns & { body: string })[];
  const rewrite = db.prepare('UPDATE messages SET body = ? WHERE guid = ?');
  for (const row of rows) {
    const message = messageFromJson(row.body, row);
    rewrite.run(JSON.stringify({ rowId: message.rowId, guid: message.guid, date: message.date, ...message }), row.guid);
  }
  if (!keepVersion) {
    db.exec('DELETE FROM migrations WHERE version > 3');
    db.pragma('user_version = 3');
  }
  db.close();
}

describe('a store whose messages version 3 wrote (longer JSON)', () => {
  it('is read as it is, and a run that reads its messages again rewrites them shorter without counting them as changed', async () => {
    const history = await generateHistory(300, 41);
    const work = tempDir('migrate-v3');
    const current = join(work, 'current');
    await exportFrom(history.dir, current);
    const older = join(work, 'older');
    cpSync(current, older, { recursive: true });
    asVersion3Bodies(older);
    const bodies = (dir: string) => new Database(join(dir, STORE), { readonly: true }).prepare('SELECT guid, body FROM messages ORDER BY guid').all();
    expect(bodies(older)).not.toEqual(bodies(current));

    // The run that migrates the store reads every message again (version 11), rewriting them shorter without counting a change.
    await exportFrom(history.dir, older);
    expect(bodies(older)).toEqual(bodies(current));
    const [migrating] = ArchiveStore.open(older, { create: false, readonly: true }).records.runs().slice(-1);
    expect(migrating!.counts).toMatchObject({ added: 0, changed: 0 });

    // Older bodies a current store still holds (a message only the archive keeps) are read as they are: the same transcripts.
    asVersion3Bodies(older, true);
    const outs = [join(work, 'from-current'), join(work, 'from-older')];
    for (const [source, out] of [[current, outs[0]!], [older, outs[1]!]]) {
      const result = await runCli(['export', '--archive', source, '--out', out, '--format', 'txt', '--no-progress']);
      expect(result.code, result.stderr).toBe(0);
    }
    expect(transcripts(outs[1]!)).toEqual(transcripts(outs[0]!));
    expect(bodies(older)).not.toEqual(bodies(current));

    // Forgetting the change marks makes the next run read every message again.
    const db = new Database(join(older, STORE));
    db.exec('DELETE FROM source_marks; DELETE FROM chat_marks');
    db.close();
    await exportFrom(history.dir, older);
    expect(bodies(older)).toEqual(bodies(current));
    const [last] = ArchiveStore.open(older, { create: false, readonly: true }).records.runs().slice(-1);
    expect(last!.counts).toMatchObject({ added: 0, changed: 0 });
  });
});
