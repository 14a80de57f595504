import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type Database from 'better-sqlite3';
import type { Conversation, Person, Reactions, ReactionsByGuid, RecordedSource, SourceCheck, SourceHashes } from '../model/types.js';
import { everyParticipant, handlesOf } from '../model/people.js';
import { everyOwnerHandle } from '../model/owner.js';
import { STORE_FILE } from './file-names.js';
import { GuidFingerprints } from './guid-fingerprints.js';
import { compactJson, fromJson, laterVersions, mergeRevision, messageFromJson, namedAnew, reactionsFromJson, reactionsJson, sameButNamesAndPlaces, sameButReadAnew, sameInAnyOrder, storedJson, toJson, withReactions, withStoredDate, type KeptFiles, type MessageColumns } from './message-json.js';
import type { ChangeMark, ChatMark, ConversationEnd, ConversationHead, FileRows, MessageRow } from './rows.js';
import { closeStoreDatabase, MESSAGE_INDEXES, openStoreDatabase, writeAhead, type StoreMode } from './schema.js';
import type { SqliteCopy } from '../sqlite/sqlite-copy.js';
import { storeSnapshot, unsealedLog } from './store-snapshot.js';
import { WrittenFiles } from './written-files.js';
import { RunRecords, type RunSource } from './run-records.js';
import { legacyNamesOf, readFurtherAt } from './source-ids.js';
import { readSpans, renameSpan, respan, SpanTracker, type Span } from './source-spans.js';
import { withSmallCache } from '../sqlite/small-cache.js';
import { byBytes } from '../sqlite/text-order.js';
import { mostCommon } from '../normalize/conversations.js';
import { cutToSecond } from '../normalize/merge-copies.js';
import type { ShownPerson } from '../contacts/shown-people.js';

/** What ingesting a run changed. */
export interface IngestCounts {
  added: number;
  changed: number;
  absent: number;
  /** Messages the archive kept as not on the device that a source gives again. */
  returned: number;
  /** Attachments whose device's file held other bytes than the archive's copy: the new ones kept as a later version. */
  replaced: number;
}

/** What a run changed, counted since the last finished run (see `ArchiveStore.changes`). */
export interface RunChanges extends IngestCounts {
  /** The runs since then that did not finish: what they took in is counted too. */
  unfinished: number;
  /** Whether any run before this one finished (none: everything the store holds counts as added). */
  afterFinished: boolean;
}

/** A row of `messages`, as the writer compares it. */
interface StoredMessage extends MessageColumns {
  conversation_key: string;
  body: string;
  source_set: number;
  revision: number;
  first_run: number;
  last_run: number;
  absent_since: number | null;
}

/** The conversation being written: what its messages are written with, and the counts from before it. */
interface Writing {
  key: string;
  /** The store had the conversation before. */
  known: boolean;
  /** The set of every source of the run. */
  every: number;
  changed: boolean;
  counts: IngestCounts;
  /** See `ConversationHead.lostSince`. */
  lostSince?: Date;
  /** GUIDs its messages were read with (see `MessageRow.folds`): none is a message of its own. */
  folded: Set<string>;
  /** Its people by handle, when the run names some of them anew: every message of it is named so (see `nameAnew`). */
  namedAnew?: Map<string, string>;
  /** Conversations a source's span of may have narrowed (a message one no longer has, or moved away): found anew at `end`. */
  narrowed: Set<string>;
}

/** The store version from which runs read junk marks. */
const JUNK_READ = 11;

/** Messages written before the open transaction is committed (a few seconds of reading). */
const GROUP = 20_000;

/**
 * The archive folder's store (textkeeper.sqlite): the normalized model every run adds to.
 * Each conversation is written whole or not at all (a savepoint), several to a transaction, so a run
 * killed at any moment leaves whole conversations, never half of one.
 */
export class ArchiveStore {
  readonly counts: IngestCounts = { added: 0, changed: 0, absent: 0, returned: 0, replaced: 0 };
  /** What the formats wrote, and the manifest. */
  readonly files: WrittenFiles;
  /** What the runs recorded of their sources. */
  readonly records: RunRecords;
  /** Conversations this run found unchanged in its sources (their messages' `last_run` is left as it was). */
  private readonly unchangedKeys = new Set<string>();
  /** The change marks the conversations this run read were read at, by key (see `readAt`). */
  private readonly readMarks = new Map<string, ChangeMark>();
  /** Conversations read again whatever their marks say (see `readAgainHolding`). */
  private readonly readAgainKeys = new Set<string>();
  /** Source sets by their JSON (see `setOf`). */
  private readonly sets = new Map<string, number>();
  /** Each set's names by its id (see `namesOf`). */
  private readonly setNames = new Map<number, string[]>();
  private pending = 0;
  /** What is written is not committed until released (see `hold`). */
  private held = false;
  /** Whether this run reads every source of a set (see `readsEverySource`), by set id. */
  private readonly readsWhole = new Map<number, boolean>();
  /** When the messages written of each source set were sent, saved with them. */
  private readonly spans = new SpanTracker();
  private writing?: Writing;
  /** The handles of the people this run names anew (another conversation of theirs may come first: see `begin`). */
  private readonly namedAnew = new Set<string>();
  private runId = 0;
  private runStarted = 0;
  /** The first run that read junk marks (see `readsJunk`). */
  private junkReadFrom?: number;
  /** See `distrusts`. */
  private distrusted?: { run: number; is: boolean };
  /** See `runSourceIds`. */
  private readIds?: { run: number; now: Set<string>; older: Set<string> };
  private readonly sql: Record<string, Database.Statement>;
  /** Adds a message unless its GUID is archived (prepared once the GUID index is there: ON CONFLICT needs it). */
  private insertNew?: Database.Statement;
  /**
   * A store this run made has no GUID index until its messages are in (see MESSAGE_INDEXES): the GUIDs
   * written meanwhile (all the store has), so that a message given twice has it built and is found.
   */
  private unindexed?: GuidFingerprints;

  private constructor(
    readonly dir: string,
    readonly db: Database.Database,
    /** This run made the store (its messages' indexes are built once they are in). */
    readonly made: boolean,
    private readonly snapshot?: SqliteCopy,
  ) {
    const p = (text: string) => db.prepare(text);
    this.sql = {
      // Immediate: a transaction that read first and wrote then failed at once (SQLITE_BUSY) if another
      // connection of the run had written in between; one that takes the write lock first waits its turn.
      begin: p('BEGIN IMMEDIATE'),
      commit: p('COMMIT'),
      savepoint: p('SAVEPOINT conversation'),
      release: p('RELEASE conversation'),
      rollback: p('ROLLBACK TO conversation'),
      discard: p('ROLLBACK'),
      storedBody: p('SELECT body FROM conversations WHERE key = ?').pluck(),
      conversation: p(`INSERT INTO conversations (key, body, revision) VALUES (?, ?, 1)
        ON CONFLICT (key) DO UPDATE SET body = excluded.body, revision = revision + (body != excluded.body)`),
      bump: p('UPDATE conversations SET revision = revision + 1 WHERE key = ?'),
      person: p('INSERT INTO people (handle, name) VALUES (?, ?) ON CONFLICT (handle) DO UPDATE SET name = excluded.name'),
      nameOf: p('SELECT name FROM people WHERE handle = ?').pluck(),
      joined: p(`SELECT DISTINCT conversation_key FROM chat_guids c WHERE guid IN (SELECT value FROM json_each(@guids)) AND conversation_key != @key
        AND NOT EXISTS (SELECT 1 FROM chat_guids o WHERE o.conversation_key = c.conversation_key AND o.guid NOT IN (SELECT value FROM json_each(@guids)))`).pluck(),
      moveAll: p('UPDATE messages SET conversation_key = ? WHERE conversation_key = ?'),
      moveWaiting: p('UPDATE OR REPLACE waiting_reactions SET conversation_key = ? WHERE conversation_key = ?'),
      bodies: p('SELECT guid, date, seq, body FROM messages WHERE conversation_key = ?'),
      setBody: p('UPDATE messages SET body = ? WHERE guid = ?'),
      chatGuid: p('INSERT OR REPLACE INTO chat_guids (guid, conversation_key) VALUES (?, ?)'),
      keyOfChat: p('SELECT conversation_key FROM chat_guids WHERE guid = ?').pluck(),
      find: p('SELECT guid, conversation_key, date, seq, body, source_set, revision, first_run, last_run, absent_since FROM messages WHERE guid = ?'),
      move: p('UPDATE messages SET conversation_key = ? WHERE guid = ?'),
      append: p(`INSERT INTO messages (guid, conversation_key, date, seq, body, source_set, revision, first_run, last_run, absent_since)
        VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?)`),
      update: p('UPDATE messages SET body = ?, source_set = ?, revision = ?, last_run = ?, absent_since = NULL WHERE guid = ?'),
      seen: p('UPDATE messages SET body = ?, source_set = ?, last_run = ?, absent_since = NULL WHERE guid = ?'),
      revise: p('UPDATE messages SET body = ?, revision = ? WHERE guid = ?'),
      kept: p('UPDATE messages SET source_set = ?, last_run = ? WHERE guid = ?'),
      redate: p('UPDATE messages SET date = ?, revision = ? WHERE guid = ?'),
      history: p('INSERT OR IGNORE INTO message_history (guid, revision, run_id, body) VALUES (?, ?, ?, ?)'),
      revisedNow: p('SELECT 1 FROM message_history WHERE guid = ? AND run_id = ?'),
      forget: p('DELETE FROM messages WHERE guid = ?'),
      forgetHistory: p('DELETE FROM message_history WHERE guid = ?'),
      wait: p('INSERT OR REPLACE INTO waiting_reactions (conversation_key, guid, source, reactions) VALUES (?, ?, ?, ?)'),
      arrived: p(`SELECT w.guid, w.source, w.reactions FROM waiting_reactions w JOIN messages m ON m.guid = w.guid
        WHERE w.conversation_key = ? AND m.conversation_key = w.conversation_key AND m.last_run = ?`),
      served: p('DELETE FROM waiting_reactions WHERE conversation_key = ? AND guid = ? AND source = ?'),
      setId: p('SELECT id FROM source_sets WHERE sources = ?').pluck(),
      addSet: p('INSERT INTO source_sets (sources) VALUES (?)'),
      setNames: p('SELECT sources FROM source_sets WHERE id = ?').pluck(),
      markOf: p('SELECT mark, missing FROM source_marks WHERE conversation_key = ? AND sources = ?'),
      setMark: p('INSERT OR REPLACE INTO source_marks (conversation_key, sources, mark, run_id, missing) VALUES (?, ?, ?, ?, ?)'),
      forgetMarks: p('DELETE FROM source_marks WHERE conversation_key = ? AND run_id < ?'),
      addFile: p('INSERT OR IGNORE INTO attachments (sha256, path, size, first_run) VALUES (?, ?, ?, ?)'),
      archivedFile: p('SELECT r.started_at AS at, a.size FROM attachments a JOIN runs r ON r.id = a.first_run WHERE a.sha256 = ?'),
      chatMark: p('INSERT OR REPLACE INTO chat_marks (source, chat_ids, sha256, mark) VALUES (?, ?, ?, ?)'),
    };
    this.files = new WrittenFiles(db, () => this.runId);
    this.records = new RunRecords(db);
    if (made) this.unindexed = new GuidFingerprints();
    else this.whenIndexed();
  }

  /**
   * What another archive's runs recorded (see `recordedSources`), each known by its id there as this archive
   * knows it (see `foreignId`), and a log beside its store that no run left (see `unsealedLog`); a folder that is
   * none, damaged or newer is refused in its own words.
   */
  static recordedIn(dir: string): { recorded: RecordedSource[]; log?: string } {
    const store = ArchiveStore.open(dir, { create: false, readonly: true, snapshot: true });
    try {
      const recorded = store.records.recordedSources().map((source) => ({ ...source, id: store.records.foreignId(source.id ?? source.description) }));
      return { recorded, log: unsealedLog(dir, store.records.lastRunFinished()) };
    } finally {
      store.close();
    }
  }

  static open(dir: string, mode: StoreMode): ArchiveStore {
    const made = !mode.readonly && (mode.unindexed === true || !existsSync(join(dir, STORE_FILE)));
    const snapshot = mode.snapshot && existsSync(join(dir, STORE_FILE)) ? storeSnapshot(dir) : undefined;
    try {
      return new ArchiveStore(dir, openStoreDatabase(dir, mode, snapshot?.file), made, snapshot);
    } catch (error) {
      snapshot?.remove();
      throw error;
    }
  }

  /** Builds the messages' indexes of a store this run made, if not yet built (by this connection or another). */
  indexMessages(): void {
    if (!this.made) return;
    // With the writer's 16 MB cache, a 1M-message export's peak RSS grew by 26 MB (243 -> 269).
    withSmallCache(this.db, () => this.db.exec(MESSAGE_INDEXES));
    if (this.unindexed) this.whenIndexed();
  }

  private whenIndexed(): void {
    this.unindexed = undefined;
    if (this.db.readonly) return;
    this.insertNew = this.db.prepare(`INSERT INTO messages (guid, conversation_key, date, seq, body, source_set, revision, first_run, last_run, absent_since)
      VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?) ON CONFLICT (guid) DO NOTHING`);
  }

  get run(): number {
    return this.runId;
  }

  /** ms since 1970: when this run began (0 before `beginRun`). */
  get runStartedAt(): number {
    return this.runStarted;
  }

  /**
   * The store's log, which lets the writer thread write while this connection reads. Switched to before that
   * thread starts: switching while it opened the store waited on its lock (4-74 ms of a one-conversation PDF).
   */
  useWriteAheadLog(): void {
    writeAhead(this.db);
  }

  /**
   * Records the run as begun, with what it `found` changed in the folder, not by textkeeper (see `outsideCounts`).
   * A store found altered keeps no change mark, nor any chat's: every conversation is read again from the sources.
   */
  beginRun(toolVersion: string, sources: RunSource[], found: Record<string, number> = {}): void {
    this.useWriteAheadLog();
    this.runStarted = Date.now();
    // Immediate, as the writer's transactions (see `sql.begin`).
    this.db.transaction(() => {
      const earlier = this.records.runs();
      const read = sources.map((source) => {
        const olderThan = readFurtherAt(source, earlier);
        return olderThan === undefined ? source : { ...source, olderThan };
      });
      const info = this.db
        .prepare('INSERT INTO runs (started_at, tool_version, sources, counts) VALUES (?, ?, ?, ?)')
        .run(this.runStarted, toolVersion, toJson(read), Object.keys(found).length > 0 ? toJson(found) : null);
      this.runId = Number(info.lastInsertRowid);
      if (found.storeAltered) this.db.exec('DELETE FROM source_marks; DELETE FROM chat_marks;');
      for (const [name, id] of legacyNamesOf(sources, earlier.map((run) => run.sources), this.sourceSets().names)) this.rename(name, id);
    }).immediate();
  }

  /** This run's sources that are older copies of a Mac database an earlier run read further on (see `readFurtherAt`), as the run names them, with when that run began. */
  olderCopies(): { description: string; olderThan: Date }[] {
    return this.runSources().flatMap(({ description, olderThan }) => (olderThan === undefined ? [] : [{ description, olderThan: new Date(olderThan) }]));
  }

  /**
   * Gives a source a store before version 7 knew by its description (`name`) the id a source of this run is
   * known by: the messages it had, the change marks and the runs that read it (see `legacyNamesOf`).
   */
  private rename(name: string, id: string): void {
    for (const [set, names] of this.sourceSets().sets) {
      if (!names.includes(name)) continue;
      const json = JSON.stringify([...new Set(names.map((n) => (n === name ? id : n)))].sort(byBytes));
      const same = this.sql.setId!.get(json) as number | undefined;
      if (same === undefined) {
        this.db.prepare('UPDATE source_sets SET sources = ? WHERE id = ?').run(json, set);
      } else {
        this.db.prepare('UPDATE messages SET source_set = ? WHERE source_set = ?').run(same, set);
        this.db.prepare('DELETE FROM source_sets WHERE id = ?').run(set);
      }
    }
    this.sets.clear();
    this.setNames.clear();
    renameSpan(this.db, name, id);
    this.db.prepare('UPDATE OR REPLACE source_marks SET sources = ? WHERE sources = ?').run(id, name);
    const update = this.db.prepare('UPDATE runs SET sources = ? WHERE id = ?');
    for (const run of this.db.prepare('SELECT id, sources FROM runs').all() as { id: number; sources: string }[]) {
      const sources = JSON.parse(run.sources) as RunSource[];
      const read = (s: RunSource) => s.description === name && !s.id;
      if (sources.some(read)) update.run(toJson(sources.map((s) => (read(s) ? { ...s, id } : s))), run.id);
    }
  }

  /** Each source's SHA-256 (hashed meanwhile) and its -wal's, and what became of its check on this run (in the order of `beginRun`'s sources). */
  recordSources(hashes: SourceHashes[], checks: SourceCheck[]): void {
    const sources = this.runSources();
    const found = sources.map(({ description, id, device, backedUp, recorded, newest, olderThan }, i): RunSource => ({ description, id, ...hashes[i], device, backedUp, check: checks[i], recorded, newest, olderThan }));
    this.db.prepare('UPDATE runs SET sources = ? WHERE id = ?').run(toJson(found), this.runId);
  }

  /** Records the run as finished, with its counts (see `changes`). */
  finishRun(counts: Record<string, number>): void {
    this.db.prepare('UPDATE runs SET finished_at = ?, counts = ? WHERE id = ?').run(Date.now(), toJson(counts), this.runId);
  }

  /**
   * What the store gained since the last finished run (all of it when none finished): this run's own, and what
   * the runs after that one that did not finish (Ctrl-C, a full disk, a killed worker) took in, their counts
   * being never recorded. `returned` is this run's alone (nothing records when a message came back).
   */
  changes(): RunChanges {
    const count = (sql: string, ...values: number[]) => this.db.prepare(sql).pluck().get(...values) as number;
    const last = count('SELECT max(id) FROM runs WHERE finished_at IS NOT NULL AND id < ?', this.runId) as number | null;
    const afterFinished = last !== null;
    const from = last ?? 0;
    const unfinished = count('SELECT count(*) FROM runs WHERE id > ? AND id < ?', from, this.runId);
    if (unfinished === 0) return { ...this.counts, unfinished, afterFinished };
    const since = count('SELECT min(started_at) FROM runs WHERE id > ?', from);
    return {
      added: count('SELECT count(*) FROM messages WHERE first_run > ?', from),
      changed: count('SELECT count(DISTINCT h.guid) FROM message_history h JOIN messages m ON m.guid = h.guid WHERE h.run_id > ? AND m.first_run <= ?', from, from),
      absent: count('SELECT count(*) FROM messages WHERE absent_since >= ?', since),
      returned: this.counts.returned,
      replaced: this.counts.replaced,
      unfinished,
      afterFinished,
    };
  }

  /**
   * True when the conversation's sources are as the store last read them (`mark`), and none of the files they
   * lacked then is there now (`found`, given their stored paths: downloaded from iCloud since): its messages are
   * then not read, and nothing is written (not even that this run saw them: `markAbsent` leaves it alone).
   */
  unchanged(key: string, sources: string, mark: string | undefined, found: (missing: string[]) => boolean): boolean {
    if (mark === undefined || this.readAgainKeys.has(key)) return false;
    const known = this.sql.markOf!.get(key, sources) as { mark: string; missing: string | null } | undefined;
    if (known?.mark !== mark || (known.missing !== null && found(JSON.parse(known.missing) as string[]))) return false;
    this.unchangedKeys.add(key);
    return true;
  }

  /**
   * Has this run read again, whatever their marks say, the conversations whose messages hold a copy in one of
   * these folders (`attachments/xx/<sha256>/`): a copy removed from the archive folder is then copied again from
   * a device that still has the file.
   */
  readAgainHolding(folders: Set<string>): void {
    if (folders.size === 0) return;
    for (const key of this.copiesHeld((copy) => folders.has(copy.slice(0, copy.lastIndexOf('/') + 1))).keys()) this.readAgainKeys.add(key);
  }

  /** The conversations whose messages hold copies (paths in the folder: `attachments/xx/<sha256>/<name>`) that `chosen` picks, with those copies. */
  copiesHeld(chosen: (copy: string) => boolean): Map<string, Set<string>> {
    const held = new Map<string, Set<string>>();
    const rows = this.db.prepare(`SELECT conversation_key, body FROM messages WHERE instr(body, '"path":"attachments/') > 0`).raw();
    for (const [key, body] of rows.iterate() as IterableIterator<[string, string]>) {
      for (const [, literal] of body.matchAll(COPY_PATH)) {
        const copy = JSON.parse(`"${literal}"`) as string;
        if (!chosen(copy)) continue;
        const copies = held.get(key);
        if (copies) copies.add(copy);
        else held.set(key, new Set([copy]));
      }
    }
    return held;
  }

  /** The devices' files that messages name by an absolute path (`--attachments link` keeps no copies), each once. */
  linkedFiles(): string[] {
    const paths = new Set<string>();
    const bodies = this.db.prepare(`SELECT body FROM messages WHERE instr(body, '"path":"') > 0`).pluck();
    for (const body of bodies.iterate() as IterableIterator<string>) {
      for (const [, literal] of body.matchAll(PATH_FIELD)) {
        const path = JSON.parse(`"${literal}"`) as string;
        if (isAbsolute(path)) paths.add(path);
      }
    }
    return [...paths];
  }

  /**
   * Begins writing a conversation read from the sources (see `ingest.ts`): its messages follow
   * (`writeMessages`), then `end`, or `abandon` when reading them failed. Each is written whole or not at
   * all (a savepoint); a transaction holds several, and `commit` ends it (so do `markAbsent` and `close`).
   */
  begin(head: ConversationHead): void {
    if (!this.db.inTransaction) this.sql.begin!.run();
    this.sql.savepoint!.run();
    const { key } = head;
    const lostSince = head.lostSince === undefined ? undefined : new Date(head.lostSince);
    this.writing = { key, known: false, every: 0, changed: false, counts: { ...this.counts }, lostSince, folded: new Set(), narrowed: new Set() };
    // Messages of a conversation the store has never seen are added without looking for them first.
    const stored = this.sql.storedBody!.get(key) as string | undefined;
    this.writing.known = stored !== undefined;
    // Older copies of a database alone do not name a conversation the archive has as it was named then.
    const { older } = this.runSourceIds();
    if (!this.writing.known || !head.sources.every((id) => older.has(id))) this.sql.conversation!.run(key, withStoredId(withCarried(withEarlierParticipants(head.body, stored), stored), stored));
    if (this.joinConversations(key, head.chatGuids)) {
      Object.assign(this.writing, { known: true, changed: true });
      this.writing.narrowed.add(key);
    }
    for (const [handle, name] of head.people) {
      if ((this.sql.nameOf!.get(handle) ?? name) !== name) this.namedAnew.add(handle);
      this.sql.person!.run(handle, name);
    }
    if (head.people.some(([handle]) => this.namedAnew.has(handle))) this.writing.namedAnew = new Map(head.people);
    for (const guid of head.chatGuids) this.sql.chatGuid!.run(guid, key);
    this.writing.every = this.setOf(head.sources);
  }

  /** Some messages of the conversation begun (in order). */
  writeMessages(rows: MessageRow[]): void {
    const w = this.writing!;
    for (const row of rows) {
      // A source that does not read it as part of another message (an older archive's) gives it alone.
      if (w.folded.has(row.guid)) continue;
      const set = row.sources ? this.setOf(row.sources) : w.every;
      this.spans.note(set, row.date);
      if (this.writeMessage(w.key, row, set, w.known)) w.changed = true;
      if (row.folds && this.forgetFolded(row.folds)) w.changed = true;
    }
    this.pending += rows.length;
  }

  /**
   * Makes the conversations whose every chat is now one of this one's (`chatGuids`: contacts join their people)
   * part of it, with all their messages, those only the archive keeps too; true when there were any. Emptied, they
   * are forgotten at the run's end (see `dropEmptyConversations`).
   */
  private joinConversations(key: string, chatGuids: string[]): boolean {
    const joined = this.sql.joined!.all({ guids: JSON.stringify(chatGuids), key }) as string[];
    for (const other of joined) {
      this.sql.moveAll!.run(key, other);
      this.sql.moveWaiting!.run(key, other);
    }
    return joined.length > 0;
  }

  /**
   * Names its people anew in every message of the conversation, as in those the run read: also in those it did
   * not (only the archive keeps them, or another device), and in what the archive kept of one it read (the message
   * a reply quotes that the device lost). True when one changed (no new revision: see `rewrite`).
   */
  private nameAnew(key: string, names: Map<string, string>): boolean {
    const rows = this.sql.bodies!.all(key) as (MessageColumns & { body: string })[];
    let renamed = false;
    for (const row of rows) {
      const body = namedAnew(row.body, row, names);
      if (body === undefined) continue;
      this.sql.setBody!.run(body, row.guid);
      renamed = true;
    }
    return renamed;
  }

  /** Ends the conversation begun: what was found while reading it is written with it. */
  end({ files, reactions, ownerHandles }: ConversationEnd): void {
    const { key, changed, namedAnew, narrowed } = this.writing!;
    if (ownerHandles?.length) this.addOwnerHandles(key, ownerHandles);
    // Before naming anew: reactions kept from an earlier run name their senders as it did.
    const arrived = this.reactOnArrived();
    const renamed = namedAnew !== undefined && this.nameAnew(key, namedAnew);
    const reacted = reactions !== undefined && this.reactOnUnread(reactions);
    this.saveFiles(files);
    if (changed || arrived || renamed || reacted) {
      this.sql.bump!.run(key);
      // What other sources were last read as no longer says what the store holds of it (messages they lack
      // came back, or came from these): a run with them reads it again, and marks what they lack.
      this.sql.forgetMarks!.run(key, this.runId);
    }
    this.spans.end(key);
    if (narrowed.size > 0) this.spansAnew(narrowed);
    this.sql.release!.run();
    this.writing = undefined;
    if (++this.pending >= GROUP) this.commit();
  }

  /** Finds the sources' spans of these conversations anew from their messages, those written so far included. */
  private spansAnew(keys: Set<string>): void {
    this.spans.save(this.db, (set) => this.namesOf(set));
    for (const key of keys) respan(this.db, key);
  }

  /** Lists in the conversation's body the owner's handles its messages used that it does not list yet (see `Conversation.ownerHandles`). */
  private addOwnerHandles(key: string, handles: string[]): void {
    const body = JSON.parse(this.sql.storedBody!.get(key) as string) as Conversation;
    const listed = body.ownerHandles ?? [];
    const all = everyOwnerHandle(listed, handles);
    if (all.length > listed.length) this.sql.conversation!.run(key, JSON.stringify({ ...body, ownerHandles: all }));
  }

  /**
   * Gives the conversation's messages that this run did not read what the sources still hold of their reactions (the
   * device purged them and kept the reactions placed later, or their removals): those taken back are marked so, and
   * those held added, marked held apart when the message was not found in their source (the runs of those that
   * had it would take them for gone); a new revision of each that changed; true when any did. What they hold of a
   * message the store does not have is kept until a run brings it (see `reactOnArrived`).
   */
  private reactOnUnread(reactions: ReactionsByGuid): boolean {
    let changed = false;
    for (const [guid, held, source] of reactions) {
      if (!this.has(guid)) this.sql.wait!.run(this.writing!.key, guid, source, reactionsJson(held));
      // A store this run made has only messages this run read.
      else if (!this.made) changed = this.reactOnStored(guid, held, source) || changed;
    }
    return changed;
  }

  private reactOnStored(guid: string, held: Reactions, source: string): boolean {
    const stored = this.sql.find!.get(guid) as StoredMessage;
    if (stored.conversation_key !== this.writing!.key || stored.last_run === this.runId) return false;
    const body = this.withHeld(stored, held, source);
    if (body === undefined) return false;
    this.react(stored, body);
    return true;
  }

  /**
   * Gives a stored message its body with reactions: the body an earlier run archived is kept in `message_history`
   * (a new revision, counted as a change); one this run wrote (a message it added, or revised already) is replaced.
   */
  private react(stored: StoredMessage, body: string): void {
    if (stored.first_run === this.runId || this.sql.revisedNow!.get(stored.guid, this.runId) !== undefined) {
      this.sql.setBody!.run(body, stored.guid);
      return;
    }
    this.sql.history!.run(stored.guid, stored.revision, this.runId, stored.body);
    this.sql.revise!.run(body, stored.revision + 1, stored.guid);
    this.counts.changed++;
  }

  /**
   * Puts on the conversation's messages this run read what sources held of their reactions while the store lacked
   * them (see `reactOnUnread`), as a run of those sources with this run's would: in the message as this run wrote it
   * (what an earlier run archived of it kept, see `react`: a store another program changed may hold forged ones).
   * What a source this run read held is let go: the run read what it holds now. True when a message changed.
   */
  private reactOnArrived(): boolean {
    const { key, every } = this.writing!;
    const read = this.namesOf(every);
    let changed = false;
    for (const { guid, source, reactions } of this.sql.arrived!.all(key, this.runId) as { guid: string; source: string; reactions: string }[]) {
      this.sql.served!.run(key, guid, source);
      if (read.includes(source)) continue;
      const stored = this.sql.find!.get(guid) as StoredMessage;
      const body = this.withHeld(stored, reactionsFromJson(reactions), source);
      if (body !== undefined) this.react(stored, body);
      changed ||= body !== undefined;
    }
    return changed;
  }

  /** The stored message's body with what a source holds of its reactions (see `withReactions`); undefined when that changes nothing. */
  private withHeld(stored: StoredMessage, held: Reactions, source: string): string | undefined {
    const before = messageFromJson(stored.body, stored);
    const body = storedJson(withReactions(before, held, this.namesOf(stored.source_set).includes(source)));
    return body === storedJson(before) ? undefined : body;
  }

  /**
   * Whether the store has a message of this GUID: in a store this run made, until its messages are indexed, one this
   * run wrote (by its fingerprint, see `GuidFingerprints`: one that shares another's is taken as written).
   */
  private has(guid: string): boolean {
    return this.unindexed ? this.unindexed.has(guid) : this.sql.find!.get(guid) !== undefined;
  }

  /** Leaves out what was written of the conversation begun (none: nothing to do). */
  abandon(): void {
    const writing = this.writing;
    this.writing = undefined;
    this.spans.abandon();
    if (!writing) return;
    Object.assign(this.counts, writing.counts);
    // Source sets added with it are gone again.
    this.sets.clear();
    // A failure SQLite ended the transaction for (a full disk) has left no savepoint to go back to.
    if (this.db.inTransaction) {
      this.sql.rollback!.run();
      this.sql.release!.run();
    }
    // Message indexes built while writing it are gone with it.
    if (!this.unindexed) this.indexMessages();
  }

  /**
   * Notes the change mark a conversation was read at (see `unchanged`): kept only by `endReading`, with what the
   * conversation lost, so that a run stopped before leaves it to the next run, which reads it again.
   */
  readAt(key: string, mark: ChangeMark): void {
    this.readMarks.set(key, mark);
  }

  /** Remembers a device database's chats' change mark (see `known-files.ts`). */
  rememberChatMark({ source, chatIds, sha256, mark }: Required<ChatMark>): void {
    this.sql.chatMark!.run(source, chatIds, sha256, mark);
  }

  /**
   * The people the archive's conversations show (see `ShownContacts`): each participant's handles, with the name the
   * store last showed them by.
   */
  shownPeople(): ShownPerson[] {
    const bodies = this.db.prepare('SELECT body FROM conversations').pluck().all() as string[];
    return bodies.flatMap((body) => (JSON.parse(body) as Conversation).participants.map((p) => ({ handles: handlesOf(p), name: (this.sql.nameOf!.get(p.handle) as string | undefined) ?? p.name })));
  }

  /** The key most of these chats (by GUID) were last read into (see `withStoredKeys`); undefined: none. */
  keyOfChats(guids: string[]): string | undefined {
    return mostCommon(guids.flatMap((guid) => (this.sql.keyOfChat!.get(guid) as string | undefined) ?? []));
  }

  /** Writes for a run begun on another connection (the store's writer thread). */
  joinRun(run: number): void {
    if (run === this.runId) return;
    this.readsWhole.clear();
    this.runId = run;
    this.runStarted = this.db.prepare('SELECT started_at FROM runs WHERE id = ?').pluck().get(run) as number;
  }

  /**
   * Whether a run read the message as this textkeeper does, junk marks included: one begun once the store was at
   * version 11 (migrated when it was opened, just before). A mark its message lacks then came later on the device.
   */
  private readsJunk(run: number): boolean {
    this.junkReadFrom ??= (this.db.prepare(`SELECT min(id) FROM runs WHERE started_at >= (SELECT applied_at FROM migrations WHERE version = ${JUNK_READ})`).pluck().get() as number | null) ?? this.runId;
    return run >= this.junkReadFrom;
  }

  /** Makes every conversation written so far durable (once `release`d, when held). */
  commit(): void {
    if (this.held) return;
    if (this.db.inTransaction) {
      this.spans.save(this.db, (set) => this.namesOf(set));
      this.sql.commit!.run();
    }
    this.pending = 0;
  }

  /**
   * Keeps what is written from now on uncommitted until `release` (the sources checked sound, or damaged
   * but readable); closed still held (a source refused: what was read from it cannot be trusted), the store
   * leaves all of it out.
   */
  hold(): void {
    if (!this.db.inTransaction) this.sql.begin!.run();
    this.held = true;
  }

  /** What was held is committed with the next conversation written (or at `commit` or `close`). */
  release(): void {
    this.held = false;
  }

  /** Leaves out everything written since `hold`. */
  private discard(): void {
    this.writing = undefined;
    this.held = false;
    this.spans.discard();
    if (this.db.inTransaction) this.sql.discard!.run();
    Object.assign(this.counts, { added: 0, changed: 0, absent: 0, returned: 0, replaced: 0 });
    this.sets.clear();
    this.pending = 0;
  }

  /** Forgets the run begun, whose writes were discarded: the store is as the runs before it left it. */
  forgetRun(): void {
    this.db.prepare('DELETE FROM runs WHERE id = ?').run(this.runId);
    this.runId = 0;
  }

  /** Files kept in the folder and source files hashed (see AttachmentFiles). */
  saveFiles(files: FileRows): void {
    for (const hash of files.hashes) this.files.rememberHash(hash);
    for (const c of files.copies) this.sql.addFile!.run(c.sha256, c.path, c.size, this.runId);
  }

  /** Writes one message; true when the archive's copy changed. */
  private writeMessage(key: string, row: MessageRow, set: number, known: boolean): boolean {
    const body = compactJson(row.body);
    const values = [row.guid, key, row.date, row.seq, body, set, this.runId, this.runId, row.absentSince ?? null];
    if (this.unindexed?.has(row.guid)) this.indexMessages();
    if (this.unindexed) {
      this.unindexed.add(row.guid);
      this.sql.append!.run(values);
      this.counts.added++;
      return true;
    }
    let stored = known ? (this.sql.find!.get(row.guid) as StoredMessage | undefined) : undefined;
    if (!stored && this.insertNew!.run(values).changes === 1) {
      this.counts.added++;
      return true;
    }
    // Already archived (in this conversation, or in one it was once part of).
    stored ??= this.sql.find!.get(row.guid) as StoredMessage;
    const moved = stored.conversation_key !== key;
    if (moved) {
      // Where the sources now show it: the conversation it was in keeps what they no longer show there.
      this.sql.move!.run(key, row.guid);
      this.sql.bump!.run(stored.conversation_key);
      this.writing!.narrowed.add(stored.conversation_key);
    }
    return this.rewrite({ ...row, body }, set, stored) || moved;
  }

  /**
   * Forgets the messages the archive kept of rows now read as part of another (a poll's votes and added
   * options, which an older textkeeper, or a run that did not show the poll, kept as messages of their own):
   * the device still has them, in the message written. True when the archive kept any.
   */
  private forgetFolded(guids: string[]): boolean {
    const w = this.writing!;
    let forgot = false;
    for (const guid of guids) {
      w.folded.add(guid);
      if (this.unindexed) {
        if (!this.unindexed.has(guid)) continue;
        this.indexMessages();
      }
      const stored = this.sql.find!.get(guid) as StoredMessage | undefined;
      if (!stored) continue;
      this.sql.forget!.run(guid);
      this.sql.forgetHistory!.run(guid);
      if (stored.conversation_key !== w.key) this.sql.bump!.run(stored.conversation_key);
      forgot = true;
    }
    return forgot;
  }

  private rewrite(row: MessageRow, set: number, stored: StoredMessage): boolean {
    const sources = stored.source_set === set ? set : this.foundNow(stored.source_set, set);
    if (this.olderThanArchived(set, stored.source_set)) {
      this.sql.kept!.run(sources, this.runId, row.guid);
      return sources !== stored.source_set;
    }
    if (stored.absent_since !== null) this.counts.returned++;
    const redated = this.redate(row, stored);
    let archived = stored.body;
    let body = row.body;
    if (body !== archived) {
      const before = messageFromJson(stored.body, stored);
      // What an older textkeeper stored, as this one writes it: the same message is then the same text.
      archived = storedJson(before);
      if (body !== archived) {
        const since = this.readsEverySource(stored.source_set) ? this.writing?.lostSince : undefined;
        const merged = mergeRevision(before, messageFromJson(body, row), { removals: row.removals, since }, this.keptFiles(), !this.distrusts());
        this.counts.replaced += laterVersions(merged) - laterVersions(before);
        body = storedJson(merged);
      }
    }
    if (body === archived || sameInAnyOrder(body, archived)) {
      this.sql.seen!.run(archived, sources, this.runId, row.guid);
      return stored.absent_since !== null || redated;
    }
    if (sameButNamesAndPlaces(body, archived) || sameButReadAnew(body, archived, this.readsJunk(stored.last_run))) {
      // Contacts name people anew, the database is read from another folder, or this textkeeper reads more of
      // the row than the one that stored it: the message shows what is known now, and its history is not a change.
      this.sql.seen!.run(body, sources, this.runId, row.guid);
      return true;
    }
    this.sql.history!.run(row.guid, stored.revision, this.runId, stored.body);
    this.sql.update!.run(body, sources, stored.revision + 1, this.runId, row.guid);
    // (`redate` counted it already.)
    if (!redated) this.counts.changed++;
    return true;
  }

  /** The archive's copies, as `mergeRevision` knows them. */
  private keptFiles(): KeptFiles {
    return {
      folder: this.dir,
      now: new Date(this.runStarted),
      archived: (sha256) => {
        const found = this.sql.archivedFile!.get(sha256) as { at: number; size: number } | undefined;
        return found && { at: new Date(found.at), size: found.size };
      },
    };
  }

  /**
   * Gives a message the date its source gives, when the store was found altered by another program (see
   * `distrusts`): the store's may be forged. Otherwise the date first archived stays (another device may give
   * another), as does the finer of a date and the same cut to the second (an older macOS). True (counted as a
   * change, a new revision) when the date was not the source's: the store's is kept in `message_history`, in the
   * body it had (which `rewrite` then keeps no other of).
   */
  private redate(row: MessageRow, stored: StoredMessage): boolean {
    if (row.date === stored.date || !this.distrusts() || cutToSecond(new Date(row.date), new Date(stored.date))) return false;
    this.sql.history!.run(row.guid, stored.revision, this.runId, withStoredDate(stored.body, stored.date));
    this.sql.redate!.run(row.date, stored.revision + 1, row.guid);
    this.counts.changed++;
    return true;
  }

  /**
   * Whether this run, or one since the last finished run that did not finish, found the store changed by another
   * program (see `beginRun`): the store's dates and texts of the messages the sources give are not taken for theirs
   * (the store's are kept in `message_history`, not shown as earlier versions), nor its hashes of their databases.
   */
  distrusts(): boolean {
    if (this.distrusted?.run !== this.runId) {
      const found = this.db.prepare(`SELECT 1 FROM runs WHERE id <= @run AND counts ->> '$.storeAltered' = 1
        AND id > coalesce((SELECT max(id) FROM runs WHERE finished_at IS NOT NULL AND id < @run), 0)`).get({ run: this.runId });
      this.distrusted = { run: this.runId, is: found !== undefined };
    }
    return this.distrusted.is;
  }

  /**
   * Whether a message found only in older copies of a database (see `olderCopies`) is one the archive has from that
   * database: a run read it further on, so the archive's copy stays as it is (reactions taken back since, its mark
   * as gone from the device since).
   */
  private olderThanArchived(found: number, stored: number): boolean {
    const { older } = this.runSourceIds();
    return older.size > 0 && this.namesOf(found).every((name) => older.has(name)) && this.namesOf(stored).some((name) => older.has(name));
  }

  /** The id of a set of sources (added when new). */
  private setOf(names: string[]): number {
    const json = JSON.stringify([...new Set(names.map((name) => this.records.ownId(name)))].sort(byBytes));
    let id = this.sets.get(json);
    if (id === undefined) {
      id = (this.sql.setId!.get(json) as number | undefined) ?? Number(this.sql.addSet!.run(json).lastInsertRowid);
      this.sets.set(json, id);
    }
    return id;
  }

  /**
   * Where a message read again is found: in the sources this run found it in, and in those it had that the run
   * did not read. A message keeps every source a run found it in until one reads that source whole without it
   * (here, or in `unseenSets` when no source of the run has it).
   */
  private foundNow(stored: number, found: number): number {
    const w = this.writing!;
    const { older } = this.runSourceIds();
    const read = new Set(w.lostSince ? this.namesOf(w.every).filter((name) => !older.has(name)) : []);
    const now = this.setOf([...new Set([...this.namesOf(stored).filter((name) => !read.has(name)), ...this.namesOf(found)])]);
    if (this.namesOf(stored).some((name) => !this.namesOf(now).includes(name))) w.narrowed.add(w.key);
    return now;
  }

  /** A set's source names; a set never changes, so each is read once (a re-read message asks for three). */
  private namesOf(set: number): string[] {
    let names = this.setNames.get(set);
    if (names === undefined) this.setNames.set(set, (names = JSON.parse(this.sql.setNames!.get(set) as string) as string[]));
    return names;
  }

  /** When each source's first and last message were sent, by id (see `LackingSources`). */
  sourceSpans(): Map<string, Span> {
    return readSpans(this.db);
  }

  /** Each source set by id, and every source any message came from (sorted as SQLite sorts text). */
  sourceSets(): { sets: Map<number, string[]>; names: string[] } {
    const rows = this.db.prepare('SELECT id, sources FROM source_sets').all() as { id: number; sources: string }[];
    const sets = new Map(rows.map((r) => [r.id, JSON.parse(r.sources) as string[]]));
    return { sets, names: [...new Set([...sets.values()].flat())].sort(byBytes) };
  }

  /**
   * After a run that read every conversation of its sources in full: keeps the change marks they were read at (but
   * `skipped` ones), and when the run `decides` which messages are gone, marks them (see `markAbsent`) in the same
   * transaction. A conversation is skipped while unchanged only from then on: one a stopped run read before is read
   * again by the next run, which marks what it lost.
   */
  endReading(skipped: Set<string>, decides: boolean): void {
    this.commit();
    this.indexMessages();
    this.db.transaction(() => {
      for (const [key, { sources, mark, missing = [] }] of this.readMarks) {
        if (!skipped.has(key)) this.sql.setMark!.run(key, sources, mark, this.runId, missing.length > 0 ? JSON.stringify(missing) : null);
      }
      // A store this run made has only messages this run read (a 200k one's rows took 0.1 s to look through).
      if (decides && !this.made) this.markAbsent(skipped);
      // Immediate: it reads before it writes, and a transaction that did so after another connection of the run
      // had written failed at once (SQLITE_BUSY, told as a lock by another program) instead of waiting its turn.
    }).immediate();
  }

  /**
   * Messages no source had are kept, marked absent since this run began (the first run that read its sources
   * whole and missed them); not those of `skipped` conversations, nor of conversations whose sources were unchanged.
   */
  private markAbsent(skipped: Set<string>): void {
    // Conversations are looked at one by one (by index): an unchanged run reads no message at all.
    const left = JSON.stringify([...skipped, ...this.unchangedKeys]);
    const keys = this.db.prepare('SELECT key FROM conversations WHERE key NOT IN (SELECT value FROM json_each(?))').pluck().all(left) as string[];
    const unseen = 'WHERE conversation_key = ? AND last_run < ? AND absent_since IS NULL AND source_set';
    const missed = this.db.prepare(`UPDATE messages SET absent_since = ? ${unseen} IN (SELECT value FROM json_each(?))`);
    const moved = this.db.prepare(`UPDATE messages SET source_set = ? ${unseen} = ?`);
    const { gone, left: fewer } = this.unseenSets();
    // A conversation the sources no longer have keeps the mark it was last read with: forgotten, so that it
    // is read again when it comes back as it was (recovered from Recently Deleted), and its messages seen.
    for (const key of keys) {
      const { changes } = missed.run(this.runStarted, key, this.runId, gone);
      let changed = changes;
      for (const [set, to] of fewer) changed += moved.run(to, key, this.runId, set).changes;
      if (changed > 0) {
        this.sql.bump!.run(key);
        this.sql.forgetMarks!.run(key, this.runId);
        respan(this.db, key);
      }
      this.counts.absent += changes;
    }
  }

  /**
   * Whether this run reads every source that had the messages of this set: only then does a reaction the archive
   * has and they lack count as gone. Another device's (read in runs of its own) may be the one that had it: a Mac
   * that stopped getting messages lacks the reactions an iPhone got later, and each run would take it away and back.
   */
  private readsEverySource(set: number): boolean {
    let every = this.readsWhole.get(set);
    if (every === undefined) {
      const { now } = this.runSourceIds();
      this.readsWhole.set(set, (every = this.namesOf(set).every((id) => now.has(id))));
    }
    return every;
  }

  /** This run's sources, as `beginRun` recorded them. */
  private runSources(): RunSource[] {
    return fromJson<RunSource[]>(this.db.prepare('SELECT sources FROM runs WHERE id = ?').pluck().get(this.runId) as string);
  }

  /**
   * The ids of this run's sources: those read as their devices are `now`, and the `older` copies of a database a
   * run read further on (see `olderCopies`), whose lack of a message or a reaction says nothing. Found once a run.
   */
  private runSourceIds(): { now: Set<string>; older: Set<string> } {
    if (this.readIds?.run !== this.runId) {
      const sources = this.runSources();
      const ids = (older: boolean) => new Set(sources.filter((s) => (s.olderThan !== undefined) === older).map((s) => s.id!));
      this.readIds = { run: this.runId, now: ids(false), older: ids(true) };
    }
    return this.readIds;
  }

  /**
   * What becomes of a message this run did not find, by its source set: those of this run's sources only are
   * `gone` (absent); one another source had too (another device's, read in runs of its own) is `left` with
   * the others, as it may still be there.
   */
  private unseenSets(): { gone: string; left: Map<number, number> } {
    const read = this.runSourceIds().now;
    const gone: number[] = [];
    const left = new Map<number, number>();
    for (const [set, names] of this.sourceSets().sets) {
      const others = names.filter((name) => !read.has(name));
      if (others.length === 0) gone.push(set);
      else if (others.length < names.length) left.set(set, this.setOf(others));
    }
    return { gone: JSON.stringify(gone), left };
  }

  /**
   * Forgets the conversations every message of which moved to another (see `writeMessage`: contacts that now
   * join two people's handles make their two conversations one); gives the files written for them.
   */
  dropEmptyConversations(): { format: string; file: string }[] {
    this.commit();
    this.indexMessages();
    const keys = this.db.prepare('SELECT key FROM conversations c WHERE NOT EXISTS (SELECT 1 FROM messages m WHERE m.conversation_key = c.key)').pluck().all() as string[];
    if (keys.length === 0) return [];
    const chosen = 'IN (SELECT value FROM json_each(?))';
    const found = this.db.prepare(`SELECT format, file FROM rendered WHERE conversation_key ${chosen}`).all(JSON.stringify(keys)) as { format: string; file: string }[];
    this.db.transaction(() => {
      for (const table of ['rendered', 'source_marks', 'chat_guids', 'source_spans', 'waiting_reactions']) this.db.prepare(`DELETE FROM ${table} WHERE conversation_key ${chosen}`).run(JSON.stringify(keys));
      this.db.prepare(`DELETE FROM conversations WHERE key ${chosen}`).run(JSON.stringify(keys));
    })();
    return found;
  }

  /**
   * Commits what was written (whole conversations: one begun and not ended is left out); throws what the commit met
   * (a full disk, a file size limit), which `close` leaves unsaid. Still held, it leaves out what was read: the
   * sources' check refused one, or was not done (the run stopped first), and what was read cannot be trusted.
   */
  finishWriting(): void {
    if (this.held) this.discard();
    this.abandon();
    if (this.db.open && this.db.inTransaction) this.commit();
    this.indexMessages();
  }

  /**
   * Commits what was written (whole conversations: one begun and not ended is left out) and closes (once).
   * A connection beside another (the writer thread's) leaves the write-ahead log to it (`besideAnother`).
   */
  close(besideAnother = false): void {
    if (!this.db.open) return;
    try {
      this.finishWriting();
    } catch {
      // Not committed (a full disk): the next run reads those conversations again.
    }
    if (besideAnother) this.db.close();
    else closeStoreDatabase(this.db);
    this.snapshot?.remove();
  }
}

/** The path of an attachment's copy, its string as a message's JSON writes it, escapes and all (see `copiesHeld`). */
const COPY_PATH = /"path":"(attachments\/[0-9a-f]{2}\/[0-9a-f]{64}\/(?:[^"\\]|\\.)*)"/g;
/** A `path` field of a message's JSON, its string as written there, escapes and all (see `linkedFiles`). */
const PATH_FIELD = /"path":"((?:[^"\\]|\\.)*)"/g;

/**
 * A conversation's body as a run gives it, with the participants the store had merged in as the sources of one run
 * are (`everyParticipant`): as the archive keeps their messages, it keeps who took part (another device's, read in a
 * run of its own), where they came, and what became of them (a device that keeps the last month lacks who left
 * before); the run says what it knows of those it names (their names).
 */
function withEarlierParticipants(body: string, stored: string | undefined): string {
  if (stored === undefined) return body;
  const run = JSON.parse(body) as Conversation;
  const named = new Map(run.participants.flatMap((p) => handlesOf(p).map((handle): [string, Person] => [handle, p])));
  const earlier = (JSON.parse(stored) as Conversation).participants;
  // A stored person is the run's by any of their handles.
  const keyOf = new Map(earlier.flatMap((p) => {
    const key = (handlesOf(p).map((h) => named.get(h)).find((n) => n !== undefined) ?? p).handle;
    return handlesOf(p).map((handle): [string, string] => [handle, key]);
  }));
  const participants = everyParticipant([earlier, run.participants], (handle) => named.get(handle)?.handle ?? keyOf.get(handle) ?? handle).map((p) => {
    const name = handlesOf(p).map((h) => named.get(h)?.name).find((n) => n !== undefined);
    return name === undefined ? p : { ...p, name };
  });
  return JSON.stringify({ ...run, participants });
}

/**
 * A conversation's body as a run gives it, with the id the store first gave it: a device read since may know it by
 * another chat (`any;-;…` on a newer iPhone, another Mac's first), and scripts join each run's files by the id.
 */
function withStoredId(body: string, stored: string | undefined): string {
  if (stored === undefined) return body;
  const { id } = JSON.parse(stored) as Pick<Conversation, 'id'>;
  const run = JSON.parse(body) as Conversation;
  return run.id === id ? body : JSON.stringify({ ...run, id });
}

/**
 * A conversation's body as a run gives it, keeping what an archive read as a source said of the runs that first
 * read the messages only it kept (`keptOnly`, see `throughArchive`): a device read since gives none, and those
 * messages are still told by the runs that first read them. The owner's handles the store listed stay listed:
 * the messages that used them are kept, and a device gives none before its messages are read (see `addOwnerHandles`).
 */
function withCarried(body: string, stored: string | undefined): string {
  const runs = stored !== undefined && !body.includes('"keptOnly":') && stored.includes('"keptOnly":');
  if (!runs && !stored?.includes('"ownerHandles":')) return body;
  const { keptOnly, ownerHandles = [] } = JSON.parse(stored!) as Pick<Conversation, 'keptOnly' | 'ownerHandles'>;
  const carried = JSON.parse(body) as Conversation;
  if (runs && keptOnly !== undefined) carried.keptOnly = keptOnly;
  if (ownerHandles.length > 0) carried.ownerHandles = everyOwnerHandle(carried.ownerHandles ?? [], ownerHandles);
  return JSON.stringify(carried);
}
