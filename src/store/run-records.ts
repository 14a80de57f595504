import type Database from 'better-sqlite3';
import type { ArchiveRun, DatabaseReach, RecordedSource } from '../model/types.js';
import { fromJson } from './message-json.js';
import { lineageIds, type Found, type Lineage } from '../read/source.js';

/** What a run records about one of its sources. */
export type RunSource = ArchiveRun['sources'][number];

export interface RunRecord extends ArchiveRun {
  id: number;
}

/** A source as a run described it; one read through another archive, with that archive's description (`archive /a`). */
export interface SourceDescription {
  description: string;
  through?: string;
}

/** The reach of a source no run recorded one for (an older textkeeper recorded none): the least. */
const NOWHERE: DatabaseReach = { rowId: 0, sent: 0 };

/** What ends the id of a source another archive read (see `foreignId`). */
const FOREIGN = ' read into the archive begun ';

/**
 * What the store's runs recorded of their sources: which ones they read, by which ids (a Mac database's lineage, an
 * iPhone's backups), what each was found to be, and the ids another archive knows them by.
 */
export class RunRecords {
  /** What ends the ids another archive knows this one's sources by (see `foreignId`), found once. */
  private foreignEnd?: string;

  constructor(private readonly db: Database.Database) {}

  /** Whether the latest run (before this one) finished: one that did leaves no half-written file behind. */
  lastRunFinished(): boolean {
    const last = this.db.prepare('SELECT finished_at FROM runs ORDER BY id DESC LIMIT 1').pluck().get() as number | null | undefined;
    return last !== undefined && last !== null;
  }

  /** When the first run since the last finished one began; undefined when the last run finished. */
  stoppedSince(): number | undefined {
    const since = this.db.prepare(`SELECT min(started_at) FROM runs WHERE finished_at IS NULL
      AND id > coalesce((SELECT max(id) FROM runs WHERE finished_at IS NOT NULL), 0)`).pluck().get() as number | null;
    return since ?? undefined;
  }

  /** Every run, the oldest first. */
  runs(): RunRecord[] {
    const rows = this.db.prepare('SELECT id, started_at, finished_at, tool_version, sources, counts FROM runs ORDER BY id').all() as {
      id: number; started_at: number; finished_at: number | null; tool_version: string; sources: string; counts: string | null;
    }[];
    return rows.map((r) => ({
      id: r.id,
      startedAt: new Date(r.started_at),
      finishedAt: r.finished_at === null ? undefined : new Date(r.finished_at),
      toolVersion: r.tool_version,
      sources: fromJson<RunSource[]>(r.sources),
      counts: r.counts === null ? undefined : (JSON.parse(r.counts) as Record<string, number>),
    }));
  }

  /** What each source of a run is known by, given the lineages of the Mac databases earlier runs read (see `lineageIds`). */
  identify(found: Found[]): string[] {
    const known = new Map<string, Lineage>();
    for (const { source, item, row_id } of this.db.prepare('SELECT source, item, row_id FROM lineages').iterate() as Iterable<{ source: string; item: string; row_id: number }>) {
      if (!known.has(source)) known.set(source, new Map());
      known.get(source)!.set(item, row_id);
    }
    return lineageIds(found, this.furthestFirst(known)).map((id, i) => (this.newerBackupRead(id, found[i]!.backedUp) ? `${id} at ${found[i]!.path}` : id));
  }

  /**
   * The lineages, that of the source read furthest along first (its newest message the latest, then its highest
   * ROWID): of two copies of one database a run read together (two sources), a later copy continues the later
   * one, whose messages it has; the older keeps the messages only it had, named as it was read.
   */
  private furthestFirst(known: Map<string, Lineage>): Map<string, Lineage> {
    const reached = new Map<string, DatabaseReach>();
    for (const { id, newest } of this.runs().flatMap((run) => run.sources)) {
      if (id && newest && furtherOn(newest, reached.get(id) ?? NOWHERE) > 0) reached.set(id, newest);
    }
    const reach = (id: string) => reached.get(id) ?? NOWHERE;
    return new Map([...known].sort(([a], [b]) => furtherOn(reach(b), reach(a))));
  }

  /**
   * Whether the archive read a backup of this iPhone made after this one: this one is then a source of its own
   * (known by its path), as its lack of what came later says nothing of the iPhone.
   */
  private newerBackupRead(id: string, backedUp: number | undefined): boolean {
    if (backedUp === undefined) return false;
    return this.runs().some((run) => run.sources.some((s) => s.id === id && (s.backedUp ?? -Infinity) > backedUp));
  }

  /** Keeps each Mac database's lineage, by the id it is known by, as this run read it (an unchanged one writes nothing). */
  rememberLineages(lineages: (readonly [string, Lineage])[]): void {
    const stored = this.db.prepare('SELECT item, row_id FROM lineages WHERE source = ?').raw();
    const add = this.db.prepare('INSERT INTO lineages (source, item, row_id) VALUES (?, ?, ?)');
    this.db.transaction(() => {
      for (const [id, lineage] of lineages) {
        const before = new Map(stored.all(id) as [string, number][]);
        if (before.size === lineage.size && [...lineage].every(([item, rowId]) => before.get(item) === rowId)) continue;
        this.db.prepare('DELETE FROM lineages WHERE source = ?').run(id);
        for (const [item, rowId] of lineage) add.run(id, item, rowId);
      }
    }).immediate();
  }

  /**
   * Every source the finished runs read (by its id), as the latest run that read it recorded it; what they read
   * through another archive, as that archive recorded it (the sources the messages came from).
   */
  recordedSources(): RecordedSource[] {
    const latest = new Map<string, RecordedSource>();
    for (const run of this.runs()) {
      if (!run.finishedAt) continue;
      for (const { description, id, sha256, walSha256, device, recorded } of run.sources) {
        const read = recorded ?? [{ description, id, sha256, walSha256, device, lastRead: run.startedAt }];
        for (const source of read) latest.set(source.id ?? `${source.description}\u0000${source.device ?? ''}`, source);
      }
    }
    return [...latest.values()];
  }

  /**
   * Each source's description as the latest run that read it (or the archive it came through) gave it, by id; for
   * one read through an archive, that archive's description too.
   */
  sourceDescriptions(): Map<string, SourceDescription> {
    const descriptions = new Map<string, SourceDescription>();
    for (const run of this.runs()) {
      for (const { description, id, recorded } of run.sources) {
        if (!recorded) descriptions.set(id ?? description, { description });
        for (const source of recorded ?? []) descriptions.set(source.id ?? source.description, { description: source.description, through: description });
      }
    }
    return descriptions;
  }

  /**
   * What another archive knows by this store's source `id`: a source of this archive, told from that archive's
   * own by when this archive's first run began (two archives' `chat.db` are two Macs' databases). One it had
   * from a third archive is told so already.
   */
  foreignId(id: string): string {
    return id.includes(FOREIGN) ? id : `${id}${this.foreign()}`;
  }

  /** A source of this archive given back by another (a copy of this folder read into it) by its id here. */
  ownId(id: string): string {
    const end = this.foreign();
    return id.endsWith(end) ? id.slice(0, -end.length) : id;
  }

  /** What ends the ids another archive knows this one's sources by: when its first run began (see `foreignId`). */
  private foreign(): string {
    if (this.foreignEnd === undefined) {
      const begun = this.db.prepare('SELECT started_at FROM runs ORDER BY id LIMIT 1').pluck().get() as number | undefined;
      this.foreignEnd = `${FOREIGN}${new Date(begun ?? 0).toISOString()}`;
    }
    return this.foreignEnd;
  }

  /** Whether a run checked a database with this SHA-256 in place and found nothing. */
  checkedSound(sha256: string): boolean {
    const found = this.db.prepare(`SELECT 1 FROM runs, json_each(runs.sources) AS source
      WHERE source.value ->> '$.sha256' = ? AND source.value ->> '$.check' = 'sound' LIMIT 1`).get(sha256);
    return found !== undefined;
  }
}

/** How much further on `a` is than `b`: its newest message later, or as late and a higher ROWID (negative: less far). */
function furtherOn(a: DatabaseReach, b: DatabaseReach): number {
  return a.sent - b.sent || a.rowId - b.rowId;
}
