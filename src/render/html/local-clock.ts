import type { DateFormatter } from '../dates.js';

export interface LocalTime {
  /** 2024-03-05 */
  dayKey: string;
  /** 14:07 */
  time: string;
  /** 2024-03-05 14:07:09 */
  dateTime: string;
}

const DAY_MS = 86_400_000;

const pad = (n: number) => (n < 10 ? `0${n}` : String(n));

/**
 * Formats message times in the export's zone, fast enough for hundreds of thousands of messages.
 * date-fns with a time zone costs several microseconds per call, so the zone's UTC offset is asked
 * of the DateFormatter once per UTC day (twice, at both ends, to catch a daylight-saving change inside
 * the day) and the fields are then computed by arithmetic. The output matches DateFormatter's formats.
 */
export class LocalClock {
  private readonly offsetByDay = new Map<number, number | null>();
  private readonly labelByDay = new Map<string, string>();

  constructor(private readonly dates: DateFormatter) {}

  at(date: Date): LocalTime {
    const ms = date.getTime();
    const local = new Date(ms + this.offsetMs(date));
    const dayKey = `${local.getUTCFullYear()}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}`;
    const time = `${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}`;
    return { dayKey, time, dateTime: `${dayKey} ${time}:${pad(local.getUTCSeconds())}` };
  }

  /** The DateFormatter's long day name ("Tuesday, 5 March 2024"), formatted once per local day. */
  dayLabel(date: Date, dayKey: string): string {
    let label = this.labelByDay.get(dayKey);
    if (label === undefined) {
      label = this.dates.day(date);
      this.labelByDay.set(dayKey, label);
    }
    return label;
  }

  private offsetMs(date: Date): number {
    const day = Math.floor(date.getTime() / DAY_MS);
    let offset = this.offsetByDay.get(day);
    if (offset === undefined) {
      const start = this.parseOffset(new Date(day * DAY_MS));
      const end = this.parseOffset(new Date((day + 1) * DAY_MS - 1));
      offset = start === end ? start : null;
      this.offsetByDay.set(day, offset);
    }
    // null marks a day on which the offset changes: ask for this instant exactly.
    return offset ?? this.parseOffset(date);
  }

  /** "+05:30" → milliseconds. */
  private parseOffset(date: Date): number {
    const text = this.dates.offset(date);
    const sign = text.startsWith('-') ? -1 : 1;
    const [hours, minutes] = text.slice(1).split(':').map(Number);
    return sign * (hours * 60 + (minutes || 0)) * 60_000;
  }
}
