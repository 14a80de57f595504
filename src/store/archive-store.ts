import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { ArchiveRun, Conversation, Message } from '../model/types.js';
import type { ManifestEntry } from './manifest.js';
import { fromJson, mergeRevision, toJson } from './message-json.js';
import { openStoreDatabase } from './schema.js';

/** What a run records about one of its sources. */
export type RunSource = ArchiveRun['sources'][number];

export interface RunRecord extends ArchiveRun {
  id: number;
}

/** What ingesting a run changed. */
export interface IngestCounts {
  added: number;
  changed: number;
  absent: number;
}

/** A row of `messages`, as the writer compares it. */
interface StoredMessage {
  body: string;
  body_hash: string;
  revision: number;
  absent_since: number | null;
}

/**
 * The archive folder's store (textkeeper.sqlite): the normalized model every run adds to.
 * Writes happen one conversation per transaction, so a run killed at any moment leaves whole
 * conversations, never half of one.
 */
export class ArchiveStore {
  readonly counts: IngestCounts = { added: 0, changed: 0, absent: 0 };
  /** Conversations this run found unchanged in its sources (their messages' `last_run` is left as it was). */
  private readonly unchangedKeys = new Set<string>();
  private runId = 0;
  private runStarted = 0;
  private readonly sql: Record<string, Database.Statement>;

  private constructor(
    readonly dir: string,
    readonly db: Database.Database,
  ) {
    const p = (text: string) => db.prepare(text);
    this.sql = {
      conversation: p(`INSERT INTO conversations (key, body, revision) VALUES (?, ?, 1)
        ON CONFLICT (key) DO UPDATE SET body = excluded.body, revision = revision + (body != excluded.body)`),
      bump: p('UPDATE conversations SET revision = revision + 1 WHERE key = ?'),
      person: p('INSERT INTO people (handle, name) VALUES (?, ?) ON CONFLICT (handle) DO UPDATE SET name = excluded.name'),
      find: p('SELECT body, body_hash, revision, absent_since FROM messages WHERE guid = ?'),
      insert: p(`INSERT INTO messages (guid, conversation_key, date, seq, body, body_hash, revision, first_run, last_run)
        VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?)`),
      update: p('UPDATE messages SET body = ?, body_hash = ?, revision = ?, last_run = ?, absent_since = NULL WHERE guid = ?'),
      seen: p('UPDATE messages SET last_run = ?, absent_since = NULL WHERE guid = ?'),
      history: p('INSERT OR IGNORE INTO message_history (guid, revision, run_id, body) VALUES (?, ?, ?, ?)'),
      source: p('INSERT OR IGNORE INTO message_sources (guid, source) VALUES (?, ?)'),
      markOf: p('SELECT mark FROM source_marks WHERE conversation_key = ? AND sources = ?'),
      setMark: p('INSERT OR REPLACE INTO source_marks (conversation_key, sources, mark, run_id) VALUES (?, ?, ?, ?)'),
    };
  }

  static open(dir: string, mode: { create: boolean; readonly: boolean }): ArchiveStore {
    return new ArchiveStore(dir, openStoreDatabase(dir, mode));
  }

  get run(): number {
    return this.runId;
  }

  beginRun(toolVersion: string, sources: RunSource[]): void {
    this.runStarted = Date.now();
    const info = this.db
      .prepare('INSERT INTO runs (started_at, tool_version, sources) VALUES (?, ?, ?)')
      .run(this.runStarted, toolVersion, toJson(sources));
    this.runId = Number(info.lastInsertRowid);
  }

  finishRun(counts: Record<string, number>): void {
    this.db.prepare('UPDATE runs SET finished_at = ?, counts = ? WHERE id = ?').run(Date.now(), toJson({ ...counts, ...this.counts }), this.runId);
  }

  runs(): RunRecord[] {
    const rows = this.db.prepare('SELECT id, started_at, finished_at, tool_version, sources, counts FROM runs ORDER BY id').all() as {
      id: number; started_at: number; finished_at: number | null; tool_version: string; sources: string; counts: string | null;
    }[];
    return rows.map((r) => ({
      id: r.id,
      startedAt: new Date(r.started_at),
      finishedAt: r.finished_at === null ? undefined : new Date(r.finished_at),
      toolVersion: r.tool_version,
      sources: JSON.parse(r.sources) as RunSource[],
      counts: r.counts === null ? undefined : (JSON.parse(r.counts) as Record<string, number>),
    }));
  }

  /**
   * True when the conversation's sources are as the store last read them (`mark`): its messages are then
   * not read, and nothing is written (not even that this run saw them: `markAbsent` leaves it alone).
   */
  unchanged(key: string, sources: string, mark: string | undefined): boolean {
    if (mark === undefined) return false;
    const known = this.sql.markOf!.get(key, sources) as { mark: string } | undefined;
    if (known?.mark !== mark) return false;
    this.unchangedKeys.add(key);
    return true;
  }

  /** Adds a conversation's messages as one transaction (see `ingest.ts` for where they come from). */
  writeConversation(key: string, conversation: Conversation, messages: Iterable<{ message: Message; sources: string[] }>, mark?: { sources: string; mark?: string }): void {
    this.db.transaction(() => {
      const { messageCount, firstDate, lastDate, ...kept } = conversation;
      this.sql.conversation!.run(key, toJson(kept));
      for (const person of conversation.participants) this.sql.person!.run(person.handle, person.name);
      let changed = false;
      for (const { message, sources } of messages) changed = this.writeMessage(key, message, sources) || changed;
      if (changed) this.sql.bump!.run(key);
      if (mark?.mark !== undefined) this.sql.setMark!.run(key, mark.sources, mark.mark, this.runId);
    })();
  }

  /** Writes one message; true when the archive's copy changed. */
  private writeMessage(key: string, seen: Message, sources: string[]): boolean {
    const { sources: _listed, absentSince, ...message } = seen;
    for (const source of sources) this.sql.source!.run(message.guid, source);
    const stored = this.sql.find!.get(message.guid) as StoredMessage | undefined;
    if (!stored) {
      const body = toJson(message);
      this.sql.insert!.run(message.guid, key, message.date.getTime(), message.rowId, body, digest(body), this.runId, this.runId);
      if (absentSince) this.db.prepare('UPDATE messages SET absent_since = ? WHERE guid = ?').run(absentSince.getTime(), message.guid);
      this.counts.added++;
      return true;
    }
    const body = toJson(message);
    const hash = digest(body);
    if (hash === stored.body_hash) {
      this.sql.seen!.run(this.runId, message.guid);
      return stored.absent_since !== null;
    }
    const merged = toJson(mergeRevision(fromJson<Message>(stored.body), message));
    const mergedHash = digest(merged);
    if (mergedHash === stored.body_hash) {
      this.sql.seen!.run(this.runId, message.guid);
      return stored.absent_since !== null;
    }
    this.sql.history!.run(message.guid, stored.revision, this.runId, stored.body);
    this.sql.update!.run(merged, mergedHash, stored.revision + 1, this.runId, message.guid);
    this.counts.changed++;
    return true;
  }

  /**
   * After a run that read every conversation of its sources in full: messages no source had are
   * kept, marked absent since this run began (the first run that missed them); not those of `skipped`
   * conversations, nor of conversations whose sources were unchanged.
   */
  markAbsent(skipped: Set<string>): void {
    this.db.transaction(() => {
      const keys = JSON.stringify([...skipped, ...this.unchangedKeys]);
      const missed = 'last_run < ? AND absent_since IS NULL AND conversation_key NOT IN (SELECT value FROM json_each(?))';
      this.db.prepare(`UPDATE conversations SET revision = revision + 1 WHERE key IN (SELECT conversation_key FROM messages WHERE ${missed})`).run(this.runId, keys);
      this.counts.absent = this.db.prepare(`UPDATE messages SET absent_since = ? WHERE ${missed}`).run(this.runStarted, this.runId, keys).changes;
    })();
  }

  /** Records what each format wrote for each conversation (see StoreArchive.keptFile). */
  saveRendered(rows: { key: string; format: string; fingerprint: string; stem: string; file: string }[]): void {
    const save = this.db.prepare('INSERT OR REPLACE INTO rendered (conversation_key, format, fingerprint, stem, file) VALUES (?, ?, ?, ?, ?)');
    this.db.transaction(() => {
      for (const r of rows) save.run(r.key, r.format, r.fingerprint, r.stem, r.file);
    })();
  }

  manifest(): ManifestEntry[] {
    return this.db.prepare('SELECT path, size, sha256, mtime_ms AS mtimeMs FROM manifest ORDER BY path').all() as ManifestEntry[];
  }

  saveManifest(entries: ManifestEntry[]): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM manifest').run();
      const add = this.db.prepare('INSERT INTO manifest (path, size, sha256, mtime_ms) VALUES (?, ?, ?, ?)');
      for (const e of entries) add.run(e.path, e.size, e.sha256, e.mtimeMs);
    })();
  }

  close(): void {
    this.db.close();
  }
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('base64');
}
