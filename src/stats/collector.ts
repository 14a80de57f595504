// Counting what a history holds, message by message: the numbers `textkeeper stats` prints and the charts draw.
import { attachmentsOf } from '../model/attachments.js';
import type { Attachment, AttachmentKind, Message, Person } from '../model/types.js';
import type { DateFormatter } from '../render/dates.js';

export interface PersonStats {
  handle: string;
  name: string;
  /** Messages sent (group events not counted). */
  messages: number;
  /** Reactions (tapbacks, net of removals) this person placed, and placed on this person's messages. */
  reactionsGiven: number;
  reactionsReceived: number;
}

export interface MonthStats {
  /** 2024-03, in the export's time zone. */
  month: string;
  messages: number;
  /** Messages by sender handle. */
  bySender: Record<string, number>;
}

export interface Stats {
  messages: number;
  /** Group events (a member added, the group renamed): with `messages`, what `list` counts. */
  events: number;
  firstDate?: string;
  lastDate?: string;
  /** Every month from the first message's to the last's, empty months included. */
  months: MonthStats[];
  /** Most messages first. */
  people: PersonStats[];
  /** The five days with the most messages, busiest first. */
  busiestDays: { day: string; messages: number }[];
  /** What the export's summary counts: the messages' files, a Live Photo's movie, sticker reactions' files. */
  attachments: { count: number; bytes: number; byKind: Partial<Record<AttachmentKind, { count: number; bytes: number }>> };
  reactions: { count: number; byKind: Record<string, number> };
  /** Messages only an archive keeps: its sources no longer have them (0 for a device's database). */
  keptOnly: number;
  /** Group events only an archive keeps: with `keptOnly`, what `list` counts as KEPT ONLY. */
  keptOnlyEvents: number;
}

const BUSIEST = 5;

/** Takes messages in date order (one conversation, or several one after another) and sums them up. */
export class StatsCollector {
  private messages = 0;
  private events = 0;
  private keptOnly = 0;
  private keptOnlyEvents = 0;
  private first?: Date;
  private last?: Date;
  private readonly months = new Map<string, MonthStats>();
  private readonly days = new Map<string, number>();
  private readonly people = new Map<string, PersonStats>();
  private readonly attachments: Stats['attachments'] = { count: 0, bytes: 0, byKind: {} };
  private readonly reactions: Stats['reactions'] = { count: 0, byKind: {} };

  constructor(private readonly dates: DateFormatter) {}

  /** `dayKey`: the message's local day, when the caller has it already (each costs a time-zone lookup). */
  add(m: Message, dayKey?: string): void {
    for (const part of m.parts) {
      for (const t of part.tapbacks) {
        // Taken back: kept by an archive, no longer a reaction.
        if (t.removedAt) continue;
        this.reactions.count++;
        this.reactions.byKind[t.kind] = (this.reactions.byKind[t.kind] ?? 0) + 1;
        this.person(t.sender).reactionsGiven++;
        this.person(m.sender).reactionsReceived++;
      }
    }
    // What the export's summary counts (engine/counts.ts): sticker reactions' files too, placeholders with no row not.
    for (const a of attachmentsOf(m)) if (!a.notInDatabase) this.addAttachment(a);
    if (m.kind === 'event') {
      this.events++;
      if (m.absentSince) this.keptOnlyEvents++;
      return;
    }
    this.messages++;
    if (m.absentSince) this.keptOnly++;
    if (!this.first || m.date < this.first) this.first = m.date;
    if (!this.last || m.date > this.last) this.last = m.date;
    this.person(m.sender).messages++;
    const day = dayKey ?? this.dates.dayKey(m.date);
    // yyyy-MM-dd without its day.
    const month = day.slice(0, -3);
    const entry = this.months.get(month) ?? { month, messages: 0, bySender: {} };
    entry.messages++;
    entry.bySender[m.sender.handle] = (entry.bySender[m.sender.handle] ?? 0) + 1;
    this.months.set(month, entry);
    this.days.set(day, (this.days.get(day) ?? 0) + 1);
  }

  result(): Stats {
    return {
      messages: this.messages,
      events: this.events,
      firstDate: this.first && this.dates.iso(this.first),
      lastDate: this.last && this.dates.iso(this.last),
      months: this.allMonths(),
      people: [...this.people.values()].sort((a, b) => b.messages - a.messages || a.handle.localeCompare(b.handle)),
      busiestDays: [...this.days]
        .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
        .slice(0, BUSIEST)
        .map(([day, messages]) => ({ day, messages })),
      attachments: this.attachments,
      reactions: this.reactions,
      keptOnly: this.keptOnly,
      keptOnlyEvents: this.keptOnlyEvents,
    };
  }

  private person(p: Person): PersonStats {
    let entry = this.people.get(p.handle);
    if (!entry) this.people.set(p.handle, (entry = { handle: p.handle, name: p.name, messages: 0, reactionsGiven: 0, reactionsReceived: 0 }));
    return entry;
  }

  private addAttachment(a: Attachment): void {
    this.attachments.count++;
    this.attachments.bytes += a.size;
    const kind = (this.attachments.byKind[a.kind] ??= { count: 0, bytes: 0 });
    kind.count++;
    kind.bytes += a.size;
  }

  private allMonths(): MonthStats[] {
    return continuous(this.months);
  }
}

/** Several conversations' months added up, by month and sender (for the whole archive's chart). */
export function mergeMonths(lists: MonthStats[][]): MonthStats[] {
  const merged = new Map<string, MonthStats>();
  for (const list of lists) {
    for (const m of list) {
      const entry = merged.get(m.month) ?? { month: m.month, messages: 0, bySender: {} };
      entry.messages += m.messages;
      for (const [handle, n] of Object.entries(m.bySender)) entry.bySender[handle] = (entry.bySender[handle] ?? 0) + n;
      merged.set(m.month, entry);
    }
  }
  return continuous(merged);
}

/** The months given, with the empty ones between them, in order. */
function continuous(months: Map<string, MonthStats>): MonthStats[] {
  const seen = [...months.keys()].sort();
  if (seen.length === 0) return [];
  const result: MonthStats[] = [];
  let [year, month] = seen[0]!.split('-').map(Number) as [number, number];
  for (let key = seen[0]!; key <= seen.at(-1)!; key = monthKey(year, month)) {
    result.push(months.get(key) ?? { month: key, messages: 0, bySender: {} });
    if (++month > 12) [year, month] = [year + 1, 1];
  }
  return result;
}

const monthKey = (year: number, month: number) => `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}`;
