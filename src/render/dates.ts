import { machineZone, zoneSetting } from './machine-zone.js';

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const QUARTER_HOUR = 900_000;
const DAY = 86_400_000;
const WEEK = 7 * DAY;

const pad = (n: number, width = 2) => String(n).padStart(width, '0');
/** 00 … 59. */
const TWO = Array.from({ length: 60 }, (_, n) => pad(n));

export interface LocalTime {
  /** 2024-03-05 */
  dayKey: string;
  /** 14:07; 01:30 -04:00 in an hour the zone repeats (see DateFormatter.twice) */
  time: string;
  /** 2024-03-05 14:07:09; 2024-11-03 01:30:00 -04:00 in an hour the zone repeats */
  dateTime: string;
}

/**
 * Formats instants in the export's time zone (the machine's, or --timezone).
 * Formatting runs for every message, so the zone's UTC offset is looked up rarely (see offsetAt)
 * and the fields are computed directly.
 */
export class DateFormatter {
  private readonly weeks = new Map<number, number>();
  private readonly days = new Map<number, number>();
  private readonly quarters = new Map<number, number>();
  private readonly isoDays = new Map<number, string>();
  private lastOffset: [number, string] = [NaN, ''];
  /** The span of the last week found to repeat no hour (see `twice`). */
  private calm: [number, number] = [0, 0];
  private zoneParts?: Intl.DateTimeFormat;
  private readonly ownZone: boolean;

  /**
   * Without a zone, the machine's own, whose offsets Date knows without Intl: ICU's locale data, loaded by
   * the first Intl object, costs a few hundredths of a second, which a run that formats a few dates saves.
   */
  constructor(
    private zone?: string,
    private readonly seconds = false,
  ) {
    this.ownZone = zone === undefined;
  }

  /**
   * The same zone, its times of day to the second (14:07:09): a PDF is the record handed over, with no
   * hovering for the second as in HTML, and messages sent within one minute must be told apart there.
   */
  toTheSecond(): DateFormatter {
    // Not `this.zone`, which naming the machine's zone sets: its offsets would then be looked up through Intl.
    return new DateFormatter(this.ownZone ? undefined : this.zone, true);
  }

  /** The zone's IANA name; for a computer's zone that has none, its setting (`TZ=CET-1CEST,M3.5.0,M10.5.0/3`). */
  get timeZone(): string {
    return (this.zone ??= machineZone() ?? `TZ=${process.env.TZ ?? ''}`);
  }

  /**
   * The zone as the files' fingerprint holds it: `timeZone`, but for the computer's zone its setting where that
   * names one, so that a run whose files are all kept (an unchanged re-run) loads no Intl data to name it.
   */
  get zoneKey(): string {
    return (this.ownZone && zoneSetting()) || this.timeZone;
  }

  /**
   * The zone's offset from UTC in milliseconds at that instant. Cached per UTC week when the offset is
   * the same at both ends of the week (no zone changes its offset twice within a week); in a week with a
   * transition, per day likewise; on the day of the transition, per quarter hour.
   */
  private offsetAt(ms: number): number {
    const quarter = Math.floor(ms / QUARTER_HOUR);
    return this.steady(this.weeks, WEEK, ms) ?? this.steady(this.days, DAY, ms) ?? this.quarters.get(quarter) ?? this.measured(quarter);
  }

  /** The offset throughout the span of this length around `ms`, or undefined when it changes within. */
  private steady(cache: Map<number, number>, span: number, ms: number): number | undefined {
    const block = Math.floor(ms / span);
    let offset = cache.get(block);
    if (offset === undefined) {
      const start = this.measure(block * span);
      offset = start === this.measure(block * span + span - 1) ? start : NaN;
      cache.set(block, offset);
    }
    return Number.isNaN(offset) ? undefined : offset;
  }

  private measured(quarter: number): number {
    const offset = this.measure(quarter * QUARTER_HOUR);
    this.quarters.set(quarter, offset);
    return offset;
  }

  private measure(ms: number): number {
    if (this.ownZone) return -new Date(ms).getTimezoneOffset() * 60_000;
    this.zoneParts ??= new Intl.DateTimeFormat('en-US', {
      timeZone: this.timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    const p = Object.fromEntries(this.zoneParts.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
    const asUtc = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
    return asUtc - Math.floor(ms / 1000) * 1000;
  }

  /** The wall-clock fields of an instant in the zone, as a Date read with getUTC* methods. */
  private local(date: Date): Date {
    return new Date(date.getTime() + this.offsetAt(date.getTime()));
  }

  /**
   * " -04:00" after a wall-clock time the zone shows twice (the hour repeated when the clocks go back), so
   * that the two 01:30s of that night are told apart; "" for every other time.
   */
  private twice(ms: number): string {
    if (ms >= this.calm[0] && ms < this.calm[1]) return '';
    // A week whose offset holds, as it does the weeks either side, repeats no hour (most weeks: one check for all their times).
    const week = Math.floor(ms / WEEK);
    const offsets = [week - 1, week, week + 1].map((w) => this.steady(this.weeks, WEEK, w * WEEK));
    if (offsets.every((o) => o !== undefined && o === offsets[1])) {
      this.calm = [week * WEEK, (week + 1) * WEEK];
      return '';
    }
    const offset = this.offsetAt(ms);
    for (const other of [this.offsetAt(ms - DAY), this.offsetAt(ms + DAY)]) {
      if (other !== offset && this.offsetAt(ms + offset - other) === other) return ` ${this.offsetText(offset)}`;
    }
    return '';
  }

  /** 14:07 of wall-clock fields (see `local`); 14:07:09 to the second. */
  private clock(d: Date, seconds = this.seconds): string {
    const minute = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
    return seconds ? `${minute}:${pad(d.getUTCSeconds())}` : minute;
  }

  /** The day, time and full timestamp of one instant at once. */
  at(date: Date): LocalTime {
    const d = this.local(date);
    const dayKey = this.dayKeyOf(d);
    const twice = this.twice(date.getTime());
    return { dayKey, time: this.clock(d) + twice, dateTime: `${dayKey} ${this.clock(d, true)}${twice}` };
  }

  /** 2024-03-05 14:07:09 (2024-11-03 01:30:00 -04:00 in an hour the zone repeats) */
  dateTime(date: Date): string {
    const d = this.local(date);
    return `${this.dayKeyOf(d)} ${this.clock(d, true)}${this.twice(date.getTime())}`;
  }

  /** 14:07 (01:30 -04:00 in an hour the zone repeats; 14:07:09 to the second) */
  time(date: Date): string {
    return this.clock(this.local(date)) + this.twice(date.getTime());
  }

  /** Tuesday, 5 March 2024 */
  day(date: Date): string {
    const d = this.local(date);
    return `${DAYS[d.getUTCDay()]}, ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
  }

  /** 2024-03-05: a key that changes exactly when the local day changes. */
  dayKey(date: Date): string {
    return this.dayKeyOf(this.local(date));
  }

  private dayKeyOf(d: Date): string {
    return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  }

  /** 2024-03 */
  monthKey(date: Date): string {
    const d = this.local(date);
    return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}`;
  }

  /** March 2024 */
  month(date: Date): string {
    const d = this.local(date);
    return `${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
  }

  /** ISO 8601 with the zone's offset: 2024-03-05T14:07:09.123+01:00 */
  iso(date: Date): string {
    const offset = this.offsetAt(date.getTime());
    const local = date.getTime() + offset;
    const day = Math.floor(local / DAY);
    let ms = local - day * DAY;
    const hours = Math.floor(ms / 3_600_000);
    ms -= hours * 3_600_000;
    const minutes = Math.floor(ms / 60_000);
    ms -= minutes * 60_000;
    const seconds = Math.floor(ms / 1000);
    ms -= seconds * 1000;
    return `${this.isoDay(day)}T${TWO[hours]}:${TWO[minutes]}:${TWO[seconds]}.${pad(ms, 3)}${this.offsetText(offset)}`;
  }

  /** The date part of an ISO timestamp for this local day (days since 1970), computed once per day: NDJSON formats every date of every message. */
  private isoDay(day: number): string {
    let text = this.isoDays.get(day);
    if (text === undefined) {
      text = this.dayKeyOf(new Date(day * DAY));
      if (this.isoDays.size >= 4096) this.isoDays.clear();
      this.isoDays.set(day, text);
    }
    return text;
  }

  /** UTC offset of the zone at that instant, e.g. "+01:00". */
  offset(date: Date): string {
    return this.offsetText(this.offsetAt(date.getTime()));
  }

  private offsetText(offsetMs: number): string {
    if (offsetMs !== this.lastOffset[0]) {
      const minutes = Math.round(offsetMs / 60_000);
      const sign = minutes < 0 ? '-' : '+';
      this.lastOffset = [offsetMs, `${sign}${pad(Math.floor(Math.abs(minutes) / 60))}:${pad(Math.abs(minutes) % 60)}`];
    }
    return this.lastOffset[1];
  }
}
