import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { ArchiveRun, Conversation, Message, ReplyRef } from '../model/types.js';
import type { ArchiveOptions, CandidateConversation, History, HistoryConversation } from '../normalize/archive.js';
import { earlierNames, type Naming } from '../normalize/earlier-names.js';
import { replyTarget } from '../normalize/message-builder.js';
import { selectConversations, type Selection } from '../select/match.js';
import type { MessageStream } from '../render/renderer.js';
import type { ArchiveStore } from './archive-store.js';
import { alteredCopy, attachmentsOf } from '../model/attachments.js';
import { compareText } from '../model/people.js';
import { fromJson, messageFromJson } from './message-json.js';
import { fileSha256OrNull, HASH_CHUNK } from './file-sha256.js';
import type { ManifestEntry } from './manifest.js';
import { Statements } from '../sqlite/statements.js';
import { LackingSources } from './source-spans.js';
import type { SourceDescription } from './run-records.js';
import { VERSION } from '../version.js';

const APPLE_EPOCH_MS = 978_307_200_000;
const BATCH = 500;

type KeptRun = NonNullable<Conversation['keptOnly']>['runs'][number];

/**
 * A run that read an archive folder as a source first read there the messages that archive kept only: they are
 * told by the runs of that archive that first read them (`carried`, as its conversation said then), through it,
 * not by this run, nor by the sources the archive had last read, which lacked them.
 */
function throughArchive(run: KeptRun, carried: KeptRun[]): KeptRun[] {
  const archive = run.sources.find((source) => source.recorded);
  if (!archive || carried.length === 0) return [run];
  const { description, sha256 } = archive;
  return carried.map(({ startedAt, sources }) => {
    const began = new Date(startedAt);
    const recorded = sources.flatMap((s) => s.recorded ?? [{ description: s.description, id: s.id, sha256: s.sha256, walSha256: s.walSha256, device: s.device, lastRead: began }]);
    return { startedAt: began, sources: [{ description, sha256, recorded }] };
  });
}

/**
 * Each source's name, by id: its description; one read through another archive that a source of this archive's
 * own also has (the same database read there and here) adds that archive's, so that the two are told apart.
 */
function sourceNamesOf(ids: string[], described: Map<string, SourceDescription>): Map<string, string> {
  const plain = (id: string) => described.get(id)?.description ?? id;
  const uses = new Map<string, number>();
  for (const id of ids) uses.set(plain(id), (uses.get(plain(id)) ?? 0) + 1);
  return new Map(ids.map((id) => {
    const through = described.get(id)?.through;
    return [id, uses.get(plain(id))! > 1 && through ? `${plain(id)}, through ${through}` : plain(id)];
  }));
}

/**
 * What the terms chose in the archive and on this run's devices (which know every chat's GUID): a term
 * chose nothing only when it chose nothing in either, and then the devices' closest names are the hint.
 */
function withDevices(own: Selection, onDevices: Selection): Selection {
  const chosen = new Map([...own.chosen, ...onDevices.chosen]);
  const unmatched = onDevices.unmatched.filter((d) => own.unmatched.some((u) => u.term === d.term));
  return { chosen, unmatched, loose: onDevices.loose, unnamed: own.unnamed && onDevices.unnamed };
}

/**
 * An archive folder's store as a history to export: every conversation and message it keeps,
 * including those the devices no longer have, with attachments read from the folder's own copies.
 */
export class StoreArchive implements History {
  /** What the `--chat` terms chose among the archive's conversations, and why; undefined without terms. */
  readonly selection?: Selection;
  private readonly chosen?: Set<string>;
  private readonly window: string;
  private readonly windowArgs: number[];
  /** Every source a kept message came from, by id (see `sourceIds`), in the order of their names. */
  private readonly names: string[];
  /** Which sources had a message (by id), by the id its row holds. */
  private readonly sets: Map<number, string[]>;
  /** Which sources lacking a message say something by it: those that held messages from its time. */
  private readonly lacking: LackingSources;
  /** Each source's name, by id: its description as the latest run that read it gave it (a copy's newest folder), see `sourceNamesOf`. */
  private readonly descriptions: Map<string, string>;
  /** Prepared once: planning an unchanged run asks a few of them of every conversation. */
  private readonly statements: Statements;
  /** Reads a kept file whose time is not the one listed. */
  private buffer?: Buffer;
  /** The sources whose check found damage in the run under way (its files say so), read once. */
  private damaged?: string[];
  /** The archive's runs by id, read when a conversation has messages only the archive keeps. */
  private runs?: Map<number, Pick<ArchiveRun, 'startedAt' | 'sources'>>;
  /** Copies shown as altered (see `showAltered`), by their path in the folder. */
  private altered = new Set<string>();
  /** The conversations holding them, with those they hold: read once a fingerprint asks. */
  private alteredHeld?: Map<string, Set<string>>;

  constructor(
    private readonly store: ArchiveStore,
    options: Pick<ArchiveOptions, 'window' | 'chatTerms' | 'exactChat' | 'contacts' | 'dayOf'>,
    private readonly onClose: () => void = () => store.close(),
    onDevices?: Selection,
  ) {
    this.statements = new Statements(store.db);
    const { since, until } = options.window;
    this.window = `${since === undefined ? '' : ' AND date >= ?'}${until === undefined ? '' : ' AND date < ?'}`;
    this.windowArgs = [since, until].filter((x): x is number => x !== undefined).map((ms) => ms + APPLE_EPOCH_MS);
    const { sets, names } = store.sourceSets();
    this.sets = sets;
    this.descriptions = sourceNamesOf(names, store.records.sourceDescriptions());
    // By name: an id depends on which source a run read first.
    this.names = names.sort((a, b) => compareText(this.describe(a), this.describe(b)) || compareText(a, b));
    this.lacking = new LackingSources(this.names, store.sourceSpans());
    if (options.chatTerms.length === 0) return;
    const { contacts, chatTerms, exactChat, dayOf } = options;
    const guids = this.allChatGuids();
    const namings = this.allNamings();
    const selectables = [...this.bodies()].map(([key, c]) => ({
      key, title: c.title, groupName: c.groupName, participants: c.participants,
      ids: [c.id, ...(guids.get(key) ?? []), ...(c.isGroup ? (c.chatIdentifiers ?? []) : [])],
      earlierNames: c.isGroup ? earlierNames(namings.get(key) ?? [], c.groupName, dayOf) : [],
    }));
    const own = selectConversations(selectables, chatTerms, { exact: exactChat, personKey: (h) => contacts.personKey(h) });
    this.selection = onDevices ? withDevices(own, onDevices) : own;
    this.chosen = new Set(this.selection.chosen.keys());
  }

  /**
   * Shows these copies (by their path in the folder: their bytes are no longer those of the SHA-256 their folder
   * names) as altered, never as their messages' files; the files of the conversations holding one are made from that.
   */
  showAltered(copies: string[]): void {
    this.altered = new Set(copies);
    this.alteredHeld = undefined;
  }

  /** Every source a kept message came from. */
  get description(): string {
    return this.sourceNames.join('; ');
  }

  get sourceNames(): string[] {
    return this.names.map((id) => this.describe(id));
  }

  /** As this archive's store knows them, told from the sources of the archive reading it (see `foreignId`). */
  get sourceIds(): string[] {
    return this.names.map((id) => this.store.records.foreignId(id));
  }

  private describe(id: string): string {
    return this.descriptions.get(id) ?? id;
  }

  candidates(): CandidateConversation[] {
    const rows = this.statements.get(`SELECT conversation_key AS key, COUNT(*) AS n, MAX(date) AS latest FROM messages WHERE 1${this.window} GROUP BY conversation_key`)
      .all(...this.windowArgs) as { key: string; n: number; latest: number }[];
    const bodies = this.bodies(this.chosen);
    return rows
      .filter((r) => bodies.has(r.key))
      .map((r) => {
        const body = bodies.get(r.key)!;
        return { key: r.key, id: body.id, title: body.title, participants: body.participants, estimate: r.n, latest: r.latest - APPLE_EPOCH_MS };
      })
      .sort((a, b) => b.latest - a.latest);
  }

  /** How many of the messages kept are not among those chosen, counted in the store (a device's estimates count its reactions too). */
  keptBeside(): number {
    const all = this.statements.get('SELECT COUNT(*) FROM messages').pluck().get() as number;
    return all - this.candidates().reduce((sum, c) => sum + c.estimate, 0);
  }

  /** The conversation as it is: the store lists the owner's handles in its body (see `ArchiveStore.addOwnerHandles`). */
  withOwnerHandles({ conversation }: HistoryConversation): Conversation {
    return conversation;
  }

  conversations(only?: Set<string>): HistoryConversation[] {
    const bodies = this.bodies(only ?? this.chosen);
    const count = this.statements.get(`SELECT COUNT(*) AS n, MIN(date) AS first, MAX(date) AS last FROM messages WHERE conversation_key = ?${this.window}`);
    const found: HistoryConversation[] = [];
    for (const [key, body] of bodies) {
      const { n, first, last } = count.get(key, ...this.windowArgs) as { n: number; first: number; last: number };
      if (n > 0) found.push({ key, conversation: { ...body, messageCount: n, firstDate: new Date(first), lastDate: new Date(last), keptOnly: this.keptOnly(key, body.keptOnly), sourceCounts: this.sourceCounts(key) } });
    }
    return found.sort((a, b) => b.conversation.lastDate!.getTime() - a.conversation.lastDate!.getTime());
  }

  /**
   * With several sources, how many of a conversation's messages each has and how many every one has, as a run that
   * reads them all together counts them: of the messages on some device now (one only the archive keeps is in none).
   */
  private sourceCounts(key: string): Conversation['sourceCounts'] {
    if (this.names.length < 2) return undefined;
    const rows = this.statements.get(`SELECT source_set, COUNT(*) FROM messages WHERE conversation_key = ? AND absent_since IS NULL${this.window} GROUP BY source_set`)
      .raw().all(key, ...this.windowArgs) as [set: number, n: number][];
    const has = (id: string) => rows.reduce((sum, [set, n]) => sum + (this.sets.get(set)!.includes(id) ? n : 0), 0);
    const inEvery = rows.reduce((sum, [set, n]) => sum + (this.sets.get(set)!.length === this.names.length ? n : 0), 0);
    return { bySource: this.names.map((id) => ({ source: this.describe(id), messages: has(id) })), inEvery };
  }

  /**
   * How many of a conversation's messages only the archive keeps, and the runs that first read them; `carried`:
   * those an archive folder read as a source said of it (see `throughArchive`).
   */
  private keptOnly(key: string, carried: Conversation['keptOnly']): Conversation['keptOnly'] {
    // Without a date window SQLite took the conversations' index and read every message's row: 135 ms on a 200k archive, 1.4 ms so.
    const { n, runs } = this.statements.get(`SELECT COUNT(*) AS n, json_group_array(DISTINCT first_run) AS runs FROM messages INDEXED BY messages_kept_only
      WHERE conversation_key = ? AND absent_since IS NOT NULL${this.window}`).get(key, ...this.windowArgs) as { n: number; runs: string };
    if (n === 0) return undefined;
    this.runs ??= new Map(this.store.records.runs().map(({ id, startedAt, sources }) => [id, { startedAt, sources }]));
    const readers = (JSON.parse(runs) as number[]).sort((a, b) => a - b).flatMap((id) => throughArchive(this.runs!.get(id)!, carried?.runs ?? []));
    return { messages: n, runs: [...new Map(readers.map((run) => [JSON.stringify(run), run])).values()] };
  }

  /**
   * What a conversation's files are made from, one for each of these `settings` of the run (see
   * renderSettings): its revision (raised whenever one of its messages is added, changed or marked absent),
   * its model, where it came from (its sources by id: a file kept names the copy of a database it was written
   * from, as it names when; and their spans over its dates, which decide which messages name their sources),
   * and the textkeeper that writes it (a new one writes every file anew); and which sources the run found
   * damaged, which its files name: a file written while one was damaged is written again once none is, and the
   * other way round.
   */
  fingerprints({ key, conversation }: HistoryConversation, settings: string[]): string[] {
    const revision = this.statements.get('SELECT revision FROM conversations WHERE key = ?').pluck().get(key) as number;
    this.damaged ??= (this.store.records.runs().at(-1)?.sources ?? []).filter((s) => s.check === 'damaged').map((s) => s.description);
    // Nothing is added for sound sources: files written before damage was part of it stay kept.
    const spans = this.lacking.within(conversation.firstDate!.getTime(), conversation.lastDate!.getTime());
    const altered = this.alteredIn(key);
    const made = JSON.stringify([revision, conversation, this.names, spans, VERSION, ...(this.damaged.length > 0 ? [this.damaged] : []), ...(altered ? [{ altered }] : [])]);
    return settings.map((s) => createHash('sha256').update(made).update(s).digest('base64'));
  }

  /** The altered copies the conversation's messages hold, in order; none when it holds none. */
  private alteredIn(key: string): string[] | undefined {
    if (this.altered.size === 0) return undefined;
    this.alteredHeld ??= this.store.copiesHeld((copy) => this.altered.has(copy));
    const held = this.alteredHeld.get(key);
    return held && [...held].sort();
  }

  /**
   * The file a format last wrote for the conversation, when made from the same fingerprint and still as the
   * run that wrote it recorded it (as the manifest lists it, for a file an older textkeeper wrote): one
   * changed since, not by textkeeper, is written again (one of another size or time is read to find out, as is one
   * the run found changed with its size and time kept: its time is forgotten, see `WrittenFiles.distrustTimes`).
   */
  keptFile(key: string, format: string, fingerprint: string): string | undefined {
    const file = this.writtenFrom(key, format, fingerprint);
    return file !== undefined && this.asListed(file) ? file : undefined;
  }

  /** What a format last wrote for the conversation from this fingerprint (for NDJSON, its part of the one file). */
  writtenFrom(key: string, format: string, fingerprint: string): string | undefined {
    return this.statements.get('SELECT file FROM rendered WHERE conversation_key = ? AND format = ? AND fingerprint = ?').pluck().get(key, format, fingerprint) as string | undefined;
  }

  /**
   * What these files of the conversation (each by its format and fingerprint) count of its attachments, as the
   * first that knows it recorded (see `attachmentCounts`); undefined when none does (all written before it was kept).
   */
  countsWith(key: string, files: { format: string; fingerprint: string }[]): string | undefined {
    const counts = this.statements.get('SELECT counts FROM rendered WHERE conversation_key = ? AND format = ? AND fingerprint = ?').pluck();
    for (const { format, fingerprint } of files) {
      const known = counts.get(key, format, fingerprint) as string | null | undefined;
      if (known) return known;
    }
    return undefined;
  }

  /** The file is as the manifest lists it (see keptFile). */
  asListed(file: string): boolean {
    const path = join(this.store.dir, file);
    const info = statSync(path, { throwIfNoEntry: false });
    if (!info?.isFile()) return false;
    // Recorded as written first: a stopped run may have rewritten a file the manifest lists as it was before.
    const listed = (this.statements.get('SELECT size, sha256, mtime_ms AS mtimeMs FROM file_hashes WHERE source_path = ?').get(file)
      ?? this.statements.get('SELECT size, sha256, mtime_ms AS mtimeMs FROM manifest WHERE path = ?').get(file)) as ManifestEntry | undefined;
    if (!listed || (listed.size === info.size && listed.mtimeMs === info.mtimeMs)) return true;
    return listed.size === info.size && fileSha256OrNull(path, info.size, (this.buffer ??= Buffer.allocUnsafe(HASH_CHUNK))) === listed.sha256;
  }

  /** How many conversations have a file of this format. */
  renderedCount(format: string): number {
    return this.statements.get('SELECT COUNT(*) FROM rendered WHERE format = ?').pluck().get(format) as number;
  }

  chatGuids(key: string): string[] {
    return this.statements.get('SELECT guid FROM chat_guids WHERE conversation_key = ? ORDER BY guid').pluck().all(key) as string[];
  }

  /** Every conversation's chat GUIDs, by key. */
  private allChatGuids(): Map<string, string[]> {
    const byKey = new Map<string, string[]>();
    const rows = this.statements.get('SELECT conversation_key AS key, guid FROM chat_guids').all() as { key: string; guid: string }[];
    for (const { key, guid } of rows) byKey.set(key, [...(byKey.get(key) ?? []), guid]);
    return byKey;
  }

  /** Every group's namings, by key: from the renames it keeps (whatever the date window), as a device's are read. */
  private allNamings(): Map<string, Naming[]> {
    const byKey = new Map<string, Naming[]>();
    // LIKE first: it skips most rows without parsing their JSON.
    const rows = this.statements.get(`SELECT conversation_key, json_extract(body, '$.event.name'), date FROM messages
      WHERE body LIKE '%"renamed"%' AND json_extract(body, '$.event.type') = 'renamed'`).raw().all() as [key: string, name: string | null, date: number][];
    for (const [key, name, date] of rows) byKey.set(key, [...(byKey.get(key) ?? []), [name, date - APPLE_EPOCH_MS]]);
    return byKey;
  }

  /** The file stem each conversation was written under before: a conversation keeps its file names. */
  stems(): Map<string, string> {
    const rows = this.statements.get('SELECT conversation_key AS key, stem FROM rendered GROUP BY conversation_key').all() as { key: string; stem: string }[];
    return new Map(rows.map((r) => [r.key, r.stem]));
  }

  messages({ key }: HistoryConversation, byId = false): MessageStream {
    return () => this.read(key, byId);
  }

  private *read(key: string, byId: boolean): Generator<Message> {
    // Rows as arrays (cheaper than objects with named fields; the pagination's columns last).
    const page = this.statements.get(`SELECT body, absent_since, source_set, date, seq, guid FROM messages
      WHERE conversation_key = ?${this.window} AND (date, seq, guid) > (?, ?, ?) ORDER BY date, seq, guid LIMIT ${BATCH}`).raw();
    let after: unknown[] = [Number.MIN_SAFE_INTEGER, 0, ''];
    for (;;) {
      const rows = page.all(key, ...this.windowArgs, ...after) as [body: string, absent: number | null, sources: number, date: number, seq: number, guid: string][];
      for (const [body, absent, sourceSet, date, seq, guid] of rows) {
        const message = messageFromJson(body, { guid, date, seq });
        for (const attachment of attachmentsOf(message)) {
          for (const version of attachment.replaced?.later ?? []) version.path = join(this.store.dir, version.path);
          if (!attachment.path || isAbsolute(attachment.path)) continue;
          if (this.altered.has(attachment.path)) Object.assign(attachment, { path: undefined, missing: true, withheld: alteredCopy(attachment.path) });
          else attachment.path = join(this.store.dir, attachment.path);
        }
        if (absent !== null) message.absentSince = new Date(absent);
        if (message.replyTo && !message.replyTo.target) this.quoteKept(message.replyTo);
        // As for several sources of one run: only a message some of the archive's sources lack names those that had it.
        const sources = this.sets.get(sourceSet);
        if (sources && sources.length < this.names.length) {
          message.sources = sources.map((id) => (byId ? this.store.records.foreignId(id) : this.describe(id)));
          if (!byId && this.lacking.lack(sourceSet, sources, date)) message.lackedInItsTime = true;
        }
        yield message;
      }
      if (rows.length < BATCH) return;
      after = rows.at(-1)!.slice(3);
    }
  }

  /**
   * A reply read from a source that lacked its original (a device that no longer has it, or an archive read before
   * the original came in) quotes the original the archive keeps, as the source would have while it had it.
   */
  private quoteKept(reply: ReplyRef): void {
    const row = this.statements.get('SELECT body, date, seq FROM messages WHERE guid = ?').get(reply.guid) as { body: string; date: number; seq: number } | undefined;
    if (row) reply.target = replyTarget(messageFromJson(row.body, { guid: reply.guid, ...row }), reply.partIndex);
  }

  async releaseAttachments(): Promise<void> {}

  async close(): Promise<void> {
    this.onClose();
  }

  private bodies(only?: Set<string>): Map<string, Conversation> {
    const one = this.statements.get('SELECT key, body FROM conversations WHERE key = ?');
    const rows = (only ? [...only].map((key) => one.get(key)).filter((r) => r !== undefined)
      : this.statements.get('SELECT key, body FROM conversations').all()) as { key: string; body: string }[];
    return new Map(rows.map((r) => [r.key, fromJson<Conversation>(r.body)]));
  }
}
