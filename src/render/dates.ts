import { format } from 'date-fns';
import { TZDate } from '@date-fns/tz';

/** Formats instants in the export's time zone (the machine's, or --timezone). */
export class DateFormatter {
  constructor(readonly timeZone: string) {}

  private local(date: Date): Date {
    return new TZDate(date.getTime(), this.timeZone);
  }

  /** 2024-03-05 14:07:09 */
  dateTime(date: Date): string {
    return format(this.local(date), 'yyyy-MM-dd HH:mm:ss');
  }

  /** 14:07 */
  time(date: Date): string {
    return format(this.local(date), 'HH:mm');
  }

  /** Tuesday, 5 March 2024 */
  day(date: Date): string {
    return format(this.local(date), 'EEEE, d MMMM yyyy');
  }

  /** 2024-03-05: a key that changes exactly when the local day changes. */
  dayKey(date: Date): string {
    return format(this.local(date), 'yyyy-MM-dd');
  }

  /** 2024-03 */
  monthKey(date: Date): string {
    return format(this.local(date), 'yyyy-MM');
  }

  /** March 2024 */
  month(date: Date): string {
    return format(this.local(date), 'MMMM yyyy');
  }

  /** UTC offset of the zone at that instant, e.g. "+01:00". */
  offset(date: Date): string {
    return format(this.local(date), 'xxx');
  }
}

export function isValidTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
