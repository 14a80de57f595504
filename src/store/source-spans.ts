import type Database from 'better-sqlite3';

/**
 * The dates (as the messages' `date` column holds them) of the first and last message a source has: of those the
 * archive keeps as on the device whose sources include it. What a source no longer has (an iPhone that keeps 30
 * days) is out of its span, as is what it never had before its first message: its lack of them says nothing.
 */
export type Span = readonly [first: number, last: number];

/** An upsert's end that widens a source's span of a conversation already kept. */
const WIDENED = 'ON CONFLICT (source, conversation_key) DO UPDATE SET first_date = MIN(first_date, excluded.first_date), last_date = MAX(last_date, excluded.last_date)';

/** The span of a source with none: it has no message now (the device lost each it had), and its lack says nothing. */
const NO_DATE: Span = [Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER];

/**
 * The span of each source set's messages written by the writer in each conversation (see `source_spans`), kept with
 * the transaction: a conversation's once it is written whole, saved into the store just before its transaction is
 * committed, and forgotten with what is left out (a conversation abandoned, writes discarded). Writing widens a
 * span; what narrows it (a message a source no longer has) is found by `respan`.
 */
export class SpanTracker {
  private writing = new Map<number, Span>();
  private ended = new Map<string, Map<number, Span>>();

  note(set: number, date: number): void {
    widen(this.writing, set, [date, date]);
  }

  /** The conversation being written (`key`) is whole. */
  end(key: string): void {
    const spans = this.ended.get(key) ?? new Map<number, Span>();
    for (const [set, span] of this.writing) widen(spans, set, span);
    this.ended.set(key, spans);
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
    const upsert = db.prepare(`INSERT INTO source_spans (source, conversation_key, first_date, last_date) VALUES (?, ?, ?, ?)
      ${WIDENED}`);
    for (const [key, spans] of this.ended) {
      const bySource = new Map<string, Span>();
      for (const [set, span] of spans) for (const source of sourcesOf(set)) widen(bySource, source, span);
      for (const [source, [first, last]] of bySource) upsert.run(source, key, first, last);
    }
    this.ended.clear();
  }
}

function widen<K>(spans: Map<K, Span>, key: K, [first, last]: Span): void {
  const known = spans.get(key);
  spans.set(key, known ? [Math.min(known[0], first), Math.max(known[1], last)] : [first, last]);
}

/** Every source's span, by id. */
export function readSpans(db: Database.Database): Map<string, Span> {
  const rows = db.prepare('SELECT source, MIN(first_date), MAX(last_date) FROM source_spans GROUP BY source').raw().all() as [string, number, number][];
  return new Map(rows.map(([source, first, last]) => [source, [first, last]]));
}

/** Finds the sources' spans of a conversation anew from its messages. */
export function respan(db: Database.Database, key: string): void {
  db.prepare('DELETE FROM source_spans WHERE conversation_key = ?').run(key);
  db.prepare(spansOfMessages(' AND conversation_key = ?')).run(key);
}

/** Adds each source's span of each conversation (those `where` chooses) from the messages the archive keeps as on some device. */
export function spansOfMessages(where: string): string {
  return `INSERT INTO source_spans (source, conversation_key, first_date, last_date)
    SELECT j.value, s.key, MIN(s.first), MAX(s.last)
    FROM (SELECT conversation_key AS key, source_set, MIN(date) AS first, MAX(date) AS last FROM messages
      WHERE absent_since IS NULL${where} GROUP BY conversation_key, source_set) AS s
      JOIN source_sets ON source_sets.id = s.source_set, json_each(source_sets.sources) AS j
    GROUP BY j.value, s.key`;
}

/** Gives the spans a source known by `from` had to the source known by `to` (whose spans they widen). */
export function renameSpan(db: Database.Database, from: string, to: string): void {
  db.prepare(`INSERT INTO source_spans (source, conversation_key, first_date, last_date) SELECT ?, conversation_key, first_date, last_date FROM source_spans WHERE source = ?
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
    if (!lacked) this.lacked.set(set, (lacked = this.all.filter((id) => !had.includes(id)).map((id) => this.spans.get(id) ?? NO_DATE)));
    return lacked.some(([first, last]) => first <= date && date <= last);
  }

  /** Each source's span within the dates from `first` to `last` (null: none of them), which decide `lack` there. */
  within(first: number, last: number): ([number, number] | null)[] {
    return this.all.map((id) => {
      const [from, to] = this.spans.get(id) ?? NO_DATE;
      const span: [number, number] = [Math.max(from, first), Math.min(to, last)];
      return span[0] <= span[1] ? span : null;
    });
  }
}
