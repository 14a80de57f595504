import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { systemReason, UserError } from '../errors.js';
import { sortingFilesFull } from '../sqlite/temp-folder.js';
import { STORE_FILE } from './file-names.js';
import { spansOfMessages } from './source-spans.js';

/**
 * The store's schema, one entry per version: migration N (1-based) brings a store from version N-1 to N.
 * README ("The archive's store") documents every table; change both together.
 */
export const MIGRATIONS: readonly string[] = [
  `CREATE TABLE runs (
     id INTEGER PRIMARY KEY,
     started_at INTEGER NOT NULL,          -- ms since 1970
     finished_at INTEGER,                  -- NULL: the run did not finish
     tool_version TEXT NOT NULL,
     sources TEXT NOT NULL,                -- JSON [{ description, sha256, device }]
     counts TEXT                           -- JSON { conversations, messages, added, changed, absent, attachments }
   );
   CREATE TABLE conversations (
     key TEXT PRIMARY KEY,                 -- the normalizer's key: same thread across sources and runs
     body TEXT NOT NULL,                   -- JSON model Conversation (counts and dates left out)
     revision INTEGER NOT NULL             -- raised whenever one of its messages changes
   );
   CREATE TABLE people (handle TEXT PRIMARY KEY, name TEXT NOT NULL);
   CREATE TABLE messages (
     guid TEXT PRIMARY KEY,
     conversation_key TEXT NOT NULL REFERENCES conversations(key),
     date INTEGER NOT NULL,                -- ms since 1970
     seq INTEGER NOT NULL,                 -- ROWID in the source that first gave it (ties of one instant)
     body TEXT NOT NULL,                   -- JSON model Message: parts, tapbacks, reply, edits, event, attachments
     body_hash TEXT NOT NULL,
     revision INTEGER NOT NULL,
     first_run INTEGER NOT NULL REFERENCES runs(id),
     last_run INTEGER NOT NULL REFERENCES runs(id),   -- the last run that read it from a source
     absent_since INTEGER                  -- start of the first run that no longer found it (ms since 1970)
   );
   CREATE INDEX messages_in_order ON messages(conversation_key, date, seq);
   CREATE TABLE message_history (          -- earlier revisions of a message, as archived before a later run changed it
     guid TEXT NOT NULL, revision INTEGER NOT NULL, run_id INTEGER NOT NULL, body TEXT NOT NULL,
     PRIMARY KEY (guid, revision)
   ) WITHOUT ROWID;
   CREATE TABLE message_sources (guid TEXT NOT NULL, source TEXT NOT NULL, PRIMARY KEY (guid, source)) WITHOUT ROWID;
   CREATE TABLE attachments (              -- one copy per distinct file, by content
     sha256 TEXT PRIMARY KEY, path TEXT NOT NULL, size INTEGER NOT NULL, first_run INTEGER NOT NULL
   );
   CREATE TABLE file_hashes (              -- source files already hashed: not read again while unchanged
     source_path TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ms REAL NOT NULL, sha256 TEXT NOT NULL
   );
   CREATE TABLE source_marks (             -- a conversation's state in a source when last read: unchanged ones are skipped
     conversation_key TEXT NOT NULL, sources TEXT NOT NULL, mark TEXT NOT NULL, run_id INTEGER NOT NULL,
     PRIMARY KEY (conversation_key, sources)
   ) WITHOUT ROWID;
   CREATE TABLE rendered (                 -- what each format last wrote for a conversation
     conversation_key TEXT NOT NULL, format TEXT NOT NULL, fingerprint TEXT NOT NULL, stem TEXT NOT NULL, file TEXT NOT NULL,
     PRIMARY KEY (conversation_key, format)
   ) WITHOUT ROWID;
   CREATE TABLE manifest (path TEXT PRIMARY KEY, size INTEGER NOT NULL, sha256 TEXT NOT NULL, mtime_ms REAL NOT NULL);`,
  // 2: no body_hash (bodies are compared as they are); which sources had a message is one set id, not a row per source.
  `CREATE TABLE source_sets (              -- each distinct set of sources some message was found in
     id INTEGER PRIMARY KEY,
     sources TEXT NOT NULL UNIQUE          -- JSON array of source descriptions, sorted
   );
   CREATE TEMP TABLE set_of AS
     SELECT m.guid, coalesce(json_group_array(s.source ORDER BY s.source) FILTER (WHERE s.source IS NOT NULL), '[]') AS sources
     FROM messages m LEFT JOIN message_sources s ON s.guid = m.guid GROUP BY m.guid;
   INSERT OR IGNORE INTO source_sets (sources) SELECT DISTINCT sources FROM set_of ORDER BY sources;
   CREATE TABLE messages_v2 (
     guid TEXT PRIMARY KEY,
     conversation_key TEXT NOT NULL REFERENCES conversations(key),
     date INTEGER NOT NULL,
     seq INTEGER NOT NULL,
     body TEXT NOT NULL,
     source_set INTEGER NOT NULL REFERENCES source_sets(id),   -- every source any run found it in
     revision INTEGER NOT NULL,
     first_run INTEGER NOT NULL REFERENCES runs(id),
     last_run INTEGER NOT NULL REFERENCES runs(id),
     absent_since INTEGER
   );
   INSERT INTO messages_v2 (guid, conversation_key, date, seq, body, source_set, revision, first_run, last_run, absent_since)
     SELECT m.guid, m.conversation_key, m.date, m.seq, m.body, ss.id, m.revision, m.first_run, m.last_run, m.absent_since
     FROM messages m JOIN temp.set_of o ON o.guid = m.guid JOIN source_sets ss ON ss.sources = o.sources ORDER BY m.rowid;
   DROP TABLE temp.set_of;
   DROP TABLE messages;
   DROP TABLE message_sources;
   ALTER TABLE messages_v2 RENAME TO messages;
   CREATE INDEX messages_in_order ON messages(conversation_key, date, seq);`,
  // 3: every chat GUID of a conversation, so that `--chat <GUID>` finds it in the archive alone; chats' change marks
  // kept while their database file is the same, so that an unchanged database is not counted again.
  `CREATE TABLE chat_guids (guid TEXT PRIMARY KEY, conversation_key TEXT NOT NULL REFERENCES conversations(key)) WITHOUT ROWID;
   INSERT OR IGNORE INTO chat_guids (guid, conversation_key) SELECT body ->> '$.id', key FROM conversations;
   CREATE TABLE chat_marks (
     source_path TEXT NOT NULL, chat_ids TEXT NOT NULL, sha256 TEXT NOT NULL, mark TEXT NOT NULL,
     PRIMARY KEY (source_path, chat_ids)
   ) WITHOUT ROWID;`,
  // 4: a message's body is shorter JSON (message-json.ts): dates as ms since 1970, without what its row's columns
  // hold nor what nearly every message has. Bodies of every version are read as they are, and an older one is
  // rewritten when a run reads its message again: no row changes here, the version keeps older textkeepers out.
  '-- message bodies in the shorter JSON from here on',
  // 5: a message's GUID is a unique index beside the table rather than its primary key, so that a new store
  // builds it once its messages are in (see `MESSAGE_INDEXES`).
  `CREATE TABLE messages_v5 (
     guid TEXT NOT NULL,
     conversation_key TEXT NOT NULL REFERENCES conversations(key),
     date INTEGER NOT NULL,
     seq INTEGER NOT NULL,
     body TEXT NOT NULL,
     source_set INTEGER NOT NULL REFERENCES source_sets(id),
     revision INTEGER NOT NULL,
     first_run INTEGER NOT NULL REFERENCES runs(id),
     last_run INTEGER NOT NULL REFERENCES runs(id),
     absent_since INTEGER
   );
   INSERT INTO messages_v5 (rowid, guid, conversation_key, date, seq, body, source_set, revision, first_run, last_run, absent_since)
     SELECT rowid, guid, conversation_key, date, seq, body, source_set, revision, first_run, last_run, absent_since FROM messages ORDER BY rowid;
   DROP TABLE messages;
   ALTER TABLE messages_v5 RENAME TO messages;`,
  // 6: the messages only the archive keeps, by conversation, so that its files can say how many and which runs read them.
  'CREATE INDEX messages_kept_only ON messages(conversation_key, date, first_run) WHERE absent_since IS NOT NULL;',
  // 7: a source is known by what it is, not where it was read (`sourceIds`): a run gives each source of its own an
  // id; the descriptions earlier runs knew sources by stay until a run reads that source again (`legacyNamesOf`).
  // Chats' change marks are kept by source rather than by database file: those kept by file are let go.
  `DROP TABLE chat_marks;
   CREATE TABLE chat_marks (
     source TEXT NOT NULL, chat_ids TEXT NOT NULL, sha256 TEXT NOT NULL, mark TEXT NOT NULL,
     PRIMARY KEY (source, chat_ids)
   ) WITHOUT ROWID;`,
  // 8: polls are read: a poll's votes and added options, which an older textkeeper kept as messages of their own,
  // are read as part of the poll. A conversation holding a Polls balloon is read again by the next run, though its
  // sources did not change, and is then kept as this textkeeper reads it; the version keeps older ones out.
  "DELETE FROM source_marks WHERE conversation_key IN (SELECT conversation_key FROM messages WHERE body LIKE '%com.apple.messages.Polls%');",
  // 9: each Mac database's chats and handles with the ROWIDs it gave them, by the source's id (`Lineage`): another
  // Mac's chat.db read alone is told from the one the archive read before. A store before has none: the next
  // run's database is the archive's `chat.db`.
  `DROP TABLE IF EXISTS lineages;
   CREATE TABLE lineages (
     source TEXT NOT NULL, item TEXT NOT NULL, row_id INTEGER NOT NULL,
     PRIMARY KEY (source, item)
   ) WITHOUT ROWID;`,
  // 10: the dates of the first and last message each source ever had (`Span`): a message a source lacks is marked
  // with the sources that had it only when that source held messages from before and after it. A store before
  // gets them from the sources its messages now have.
  `DROP TABLE IF EXISTS source_spans;
   CREATE TABLE source_spans (source TEXT PRIMARY KEY, first_date INTEGER NOT NULL, last_date INTEGER NOT NULL) WITHOUT ROWID;
   INSERT INTO source_spans (source, first_date, last_date)
     SELECT j.value, MIN(s.first), MAX(s.last)
     FROM (SELECT source_set, MIN(date) AS first, MAX(date) AS last FROM messages GROUP BY source_set) AS s
       JOIN source_sets ON source_sets.id = s.source_set, json_each(source_sets.sources) AS j
     GROUP BY j.value;`,
  // 11: a message filed as junk, or sent over satellite, says so; a group's former members are marked. Every
  // conversation is read again by the next run, though its sources did not change, and its messages are then kept
  // as this textkeeper reads them (what an older one did not read is not counted as a change).
  'DELETE FROM source_marks;',
  // 12: a message says which of the owner's handles it used, and a conversation lists them. As for 11, every
  // conversation is read again by the next run, and its messages are kept as this textkeeper reads them.
  'DELETE FROM source_marks;',
  // 13: each source's span is that of the messages it has now, by conversation (found anew where a run finds one
  // gone from it), not of all it ever had: an iPhone that keeps 30 days lacks what it purged as it lacks what
  // came before its first message. A store before gets them from the messages the devices still have.
  `DROP TABLE source_spans;
   CREATE TABLE source_spans (
     source TEXT NOT NULL, conversation_key TEXT NOT NULL, first_date INTEGER NOT NULL, last_date INTEGER NOT NULL,
     PRIMARY KEY (source, conversation_key)
   ) WITHOUT ROWID;
   ${spansOfMessages('')};`,
  // 14: what a source holds of the reactions on a message the store does not have yet (the device lost it, another
  // device has it) is kept until a run brings the message, and then put on it. A store before has none.
  `DROP TABLE IF EXISTS waiting_reactions;
   CREATE TABLE waiting_reactions (
     conversation_key TEXT NOT NULL, guid TEXT NOT NULL, source TEXT NOT NULL,
     reactions TEXT NOT NULL,              -- JSON Reactions: tapbacks as [part, tapbacks] pairs, removals; dates as ms since 1970
     PRIMARY KEY (conversation_key, guid, source)
   ) WITHOUT ROWID;`,
  // 15: a photo's Live Photo movie, kept beside the still, is archived with it. A conversation holding a photo is
  // read again by the next run, though its sources did not change, and its messages are then kept as this
  // textkeeper reads them (a movie found is not counted as a change).
  `DELETE FROM source_marks WHERE conversation_key IN (SELECT conversation_key FROM messages WHERE body LIKE '%"kind":"image"%');`,
  // 16: the files a conversation's sources lacked when it was read, by the paths their databases store: one there
  // since (downloaded from iCloud) has it read again, though its rows did not change. A store before does not know
  // them: its conversations with a file missing are read again by the next run. (A new table rather than a column
  // added: run again on a store that has it, as a test's store marked older does, it still does what it says.)
  `CREATE TABLE source_marks_v16 (
     conversation_key TEXT NOT NULL, sources TEXT NOT NULL, mark TEXT NOT NULL, run_id INTEGER NOT NULL,
     missing TEXT,                        -- JSON array of stored paths; NULL: none
     PRIMARY KEY (conversation_key, sources)
   ) WITHOUT ROWID;
   INSERT INTO source_marks_v16 (conversation_key, sources, mark, run_id) SELECT conversation_key, sources, mark, run_id FROM source_marks
     WHERE conversation_key NOT IN (SELECT conversation_key FROM messages WHERE instr(body, '"missing":true') > 0);
   DROP TABLE source_marks;
   ALTER TABLE source_marks_v16 RENAME TO source_marks;`,
  // 17: what a conversation's files count of its attachments (`attachmentCounts`), kept with them: a run that keeps
  // them still says how many attachments the archive has, and how many are missing. Files a store before wrote
  // have none, until they are written again. (A new table, as for 16.)
  `CREATE TABLE rendered_v17 (
     conversation_key TEXT NOT NULL, format TEXT NOT NULL, fingerprint TEXT NOT NULL, stem TEXT NOT NULL, file TEXT NOT NULL,
     counts TEXT,                         -- JSON; NULL: not known
     PRIMARY KEY (conversation_key, format)
   ) WITHOUT ROWID;
   INSERT INTO rendered_v17 (conversation_key, format, fingerprint, stem, file) SELECT conversation_key, format, fingerprint, stem, file FROM rendered;
   DROP TABLE rendered;
   ALTER TABLE rendered_v17 RENAME TO rendered;`,
  // 18: an attachment whose device's file held other bytes at a later run keeps the copy first archived and lists
  // the later ones (`Attachment.replaced`) in its message's body. No row changes here: the version keeps older
  // textkeepers out, which would drop those later versions when they read the message again.
  '-- attachments keep the later contents of a replaced file from here on',
  // 19: a missing file Messages offloaded to iCloud says so (`Attachment.missingReason`), and the run's summary
  // counts them. A conversation with a file missing is read again by the next run, though its sources did not
  // change, and its messages are then kept as this textkeeper reads them (the mark is not counted as a change).
  'DELETE FROM source_marks WHERE missing IS NOT NULL;',
];

/** The messages of each conversation in order: how renderers read them. */
const ORDER_INDEX = 'CREATE INDEX IF NOT EXISTS messages_in_order ON messages(conversation_key, date, seq);';

/**
 * The messages' indexes, made when a store is opened to be written unless this run made it: a new store's GUID
 * index is built once its messages are in (`ArchiveStore.indexMessages`). Filled message by message, it took
 * half the writer's time (its GUIDs are random: each lands on another page, and each commit wrote most of its
 * pages again); built from the rows of the 200k bench archive (177k messages) it takes about 0.15 s, against
 * 1.0 s more to insert them. The order index is filled as the messages come (a conversation's go in one after
 * the other): 0.25 s of the writer's time beside the reading, against 0.13 s built at the end while every other
 * thread waits. A run killed before leaves the store without them, and the next run's open makes them.
 */
export const MESSAGE_INDEXES = `CREATE UNIQUE INDEX IF NOT EXISTS messages_by_guid ON messages(guid); ${ORDER_INDEX}`;

export const SCHEMA_VERSION = MIGRATIONS.length;

export interface StoreMode {
  create: boolean;
  readonly: boolean;
  /** A store this run has just made on another connection: its messages' indexes are built after they are written. */
  unindexed?: boolean;
  /** Another archive read as a source: a killed run's store is read from a private copy (see store-snapshot.ts). */
  snapshot?: boolean;
}

/** Refuses an archive folder that is not there, or is a file (a `chat.db` given for the archive). */
export function requireArchiveFolder(dir: string): void {
  if (!existsSync(dir)) throw new UserError(`${dir}: no such folder.`);
  if (!statSync(dir).isDirectory()) throw new UserError(`${dir} is a file: give the archive folder (an earlier --out).`);
}

/** A folder (or a pipe) where the store would be: SQLite cannot open it, and would have it called damaged. */
export function refuseNotAFile(path: string): void {
  const info = statSync(path, { throwIfNoEntry: false });
  if (info && !info.isFile()) throw new UserError(`${path} is not a file, so not an archive's store: move it away, then run again.`);
}

/**
 * Opens (or, when `create`, makes) the store of an archive folder and brings its schema up to date.
 * A store from a newer textkeeper is refused; a damaged one is reported and left as it is.
 */
export function openStoreDatabase(dir: string, mode: StoreMode, copy?: string): Database.Database {
  const path = join(dir, STORE_FILE);
  const exists = existsSync(path);
  if (exists) refuseNotAFile(path);
  if (!exists && !mode.create) {
    requireArchiveFolder(dir);
    throw new UserError(`${dir} is not a textkeeper archive (no ${STORE_FILE}).`);
  }
  let db: Database.Database | undefined;
  try {
    db = new Database(copy ?? path, { readonly: mode.readonly && exists, fileMustExist: !mode.create, timeout: LOCK_PATIENCE_MS });
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > SCHEMA_VERSION) {
      throw new UserError(`${path} was written by a newer textkeeper (store version ${version}; this one knows up to ${SCHEMA_VERSION}): update textkeeper; the archive was left untouched.`);
    }
    const tables = exists && version === 0 ? (db.prepare('SELECT COUNT(*) FROM sqlite_master').pluck().get() as number) : 0;
    if (tables > 0) throw new UserError(`${path} is not a textkeeper store (it holds other tables); the archive was left untouched.`);
    // An empty file to read is no older store: exporting into its folder would start the archive anew.
    if (exists && version === 0 && mode.readonly) throw new UserError(`${path} is empty: it holds no archive.`);
    if (!exists) db.pragma(`page_size = ${PAGE_BYTES}`);
    if (version < SCHEMA_VERSION) {
      if (mode.readonly) throw new UserError(`${path} is an older store (version ${version}): export into the folder once to update it.`);
      migrate(db, version);
      if (!exists) db.exec(ORDER_INDEX);
    }
    if (!mode.readonly) forWriting(db);
    if (exists && !mode.readonly && !mode.unindexed) db.exec(MESSAGE_INDEXES);
    return db;
  } catch (error) {
    db?.close();
    if (error instanceof UserError) throw error;
    const reason = systemReason(error);
    if (reason) throw sortingFilesFull(error, dir) ?? new UserError(`Cannot write the archive's store ${path}: ${reason}.`);
    throw new UserError(`${path} is damaged and cannot be read (${(error as Error).message}); it was left untouched — restore it from a backup, or move it away to start a new archive.`);
  }
}

/**
 * How long a connection to the store waits for another's lock before it fails (SQLite's busy timeout). A run's
 * own connections (the writer thread's, this thread's reads, the rendering threads') take turns; the default
 * 5 s was once exceeded on a machine loaded far beyond its cores, which failed every conversation of the run.
 */
const LOCK_PATIENCE_MS = 30_000;

/**
 * A new store's page size: a message row is about half a kilobyte, and SQLite's work (and a page's second write,
 * from the log into the store) goes by page; 16 KB pages cut the writer's time by a third against 4 KB ones.
 */
const PAGE_BYTES = 16 * 1024;

/** The writer's page cache: the messages' GUID index is written at random places (a 200k-message store's fits). */
const CACHE_KB = 16 * 1024;

/**
 * A run writes through a write-ahead log: a commit is appended to it, without waiting for the disk,
 * and the log is copied into the store every few thousand pages (both survive a killed process and
 * a power loss, losing at most the last commits). `closeStoreDatabase` folds the log back in.
 */
function forWriting(db: Database.Database): void {
  db.pragma('synchronous = NORMAL');
  db.pragma(`cache_size = -${CACHE_KB}`);
}

/**
 * Turns the log on once a run begins writing (the mode is the file's, kept until `closeStoreDatabase`):
 * switching it changes the store's header, so a run refused before it began leaves the file as it was
 * (and its SHA-256 as SHA256SUMS gives it).
 */
export function writeAhead(db: Database.Database): void {
  db.pragma('journal_mode = WAL');
}

/**
 * Closes a store; a writer first goes back to a rollback journal, which copies the log into the store and
 * removes it, so that the folder at rest holds the store alone (readable from read-only media). Another
 * connection still open keeps the log: the next run reads it in.
 */
export function closeStoreDatabase(db: Database.Database): void {
  if (!db.readonly && db.open) {
    try {
      db.pragma('journal_mode = DELETE');
    } catch {
      // Busy: left in the log until the next run.
    }
  }
  db.close();
}

function migrate(db: Database.Database, from: number): void {
  db.transaction(() => {
    db.exec('CREATE TABLE IF NOT EXISTS migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)');
    for (let version = from + 1; version <= SCHEMA_VERSION; version++) {
      db.exec(MIGRATIONS[version - 1]!);
      db.prepare('INSERT INTO migrations (version, applied_at) VALUES (?, ?)').run(version, Date.now());
    }
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}
