import type Database from 'better-sqlite3';

/** The dates (as the messages' `date` column holds them) of the first and last message a source ever had. */
export type Span = readonly [first: number, last: number];

/** An upsert's end that widens a source's span already kept. */
const WIDENED = 'ON CONFLICT (source) DO UPDATE SET first_date = MIN(first_date, excluded.first_date), last_date = MAX(last_date, excluded.last_date)';

/** A source whose span is unknown is taken to cover every date: its lack of a message is then always said. */
const EVERY_DATE: Span = [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER];

/**
 * The span of each source set's messages written by the writer (see `source_spans`), kept with the transaction:
 * a conversation's once it is written whole, saved into the store just before its transaction is committed,
 * and forgotten with what is left out (a conversation abandoned, writes discarded).
 */
export class SpanTracker {
  private writing = new Map<number, Span>();
  private ended = new Map<number, Span>();

  note(set: number, date: number): void {
    widen(this.writing, set, [date, date]);
  }

  /** The conversation being written is whole. */
  end(): void {
    for (const [set, span] of this.writing) widen(this.ended, set, span);
    this.writing.clear();
  }

  abandon(): void {
    this.writing.clear();
  }

  discard(): void {
    this.writing.clear();
    this.ended.clear();
  }

  /** Widens each source's span in the store by those of the conversations ended since; `sourcesOf` gives a set's source ids. */
  save(db: Database.Database, sourcesOf: (set: number) => string[]): void {
    if (this.ended.size === 0) return;
    const bySource = new Map<string, Span>();
    for (const [set, span] of this.ended) for (const source of sourcesOf(set)) widen(bySource, source, span);
    const upsert = db.prepare(`INSERT INTO source_spans (source, first_date, last_date) VALUES (?, ?, ?)
      ${WIDENED}`);
    for (const [source, [first, last]] of bySource) upsert.run(source, first, last);
    this.ended.clear();
  }
}

function widen<K>(spans: Map<K, Span>, key: K, [first, last]: Span): void {
  const known = spans.get(key);
  spans.set(key, known ? [Math.min(known[0], first), Math.max(known[1], last)] : [first, last]);
}

/** Every source's span, by id. */
export function readSpans(db: Database.Database): Map<string, Span> {
  const rows = db.prepare('SELECT source, first_date, last_date FROM source_spans').raw().all() as [string, number, number][];
  return new Map(rows.map(([source, first, last]) => [source, [first, last]]));
}

/** Gives the span a source known by `from` had to the source known by `to` (whose span it widens). */
export function renameSpan(db: Database.Database, from: string, to: string): void {
  db.prepare(`INSERT INTO source_spans (source, first_date, last_date) SELECT ?, first_date, last_date FROM source_spans WHERE source = ?
    ${WIDENED}`).run(to, from);
  db.prepare('DELETE FROM source_spans WHERE source = ?').run(from);
}

/**
 * Which sources a message's lack of says something about: those not among the ones that had it (`had`) whose
 * span holds its date. A new iPhone lacks the messages from before its first, an old one those after its last;
 * neither is worth a mark on every message.
 */
export class LackingSources {
  /** The spans of the sources each set lacks, by set id. */
  private readonly lacked = new Map<number, Span[]>();

  constructor(
    private readonly all: string[],
    private readonly spans: Map<string, Span>,
  ) {}

  /** Whether a source that held messages from before and after `date` lacks the message (found in the sources of set `set`, `had`). */
  lack(set: number, had: string[], date: number): boolean {
    let lacked = this.lacked.get(set);
    if (!lacked) this.lacked.set(set, (lacked = this.all.filter((id) => !had.includes(id)).map((id) => this.spans.get(id) ?? EVERY_DATE)));
    return lacked.some(([first, last]) => first <= date && date <= last);
  }

  /** Each source's span within the dates from `first` to `last` (null: none of them), which decide `lack` there. */
  within(first: number, last: number): ([number, number] | null)[] {
    return this.all.map((id) => {
      const [from, to] = this.spans.get(id) ?? EVERY_DATE;
      const span: [number, number] = [Math.max(from, first), Math.min(to, last)];
      return span[0] <= span[1] ? span : null;
    });
  }
}
