import { createRequire } from 'node:module';
import type * as Tz from '@date-fns/tz';
import { UserError } from '../errors.js';
import { isValidTimeZone } from '../render/zone-names.js';

// Loaded for a --since or --until without an offset only, as CommonJS (its eight ES modules cost every run's start-up).
const require = createRequire(import.meta.url);

const DAY_MS = 86_400_000;
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
/** 2023-01-31T18:00, seconds and their fraction optional, then an optional Z or offset (+05:30, +0530, +05). */
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(Z|[+-](?:[01]\d|2[0-3])(?::?[0-5]\d)?)?$/;

/**
 * Parses `--since`/`--until`: a day (YYYY-MM-DD, midnight in the export's time zone) or an ISO date-time,
 * read in the export's time zone when it has no offset (as a day is), not in the computer's.
 * A bare `--until` day includes that whole day.
 */
export function parseBoundary(value: string, zone: string, flag: '--since' | '--until'): Date {
  const text = value.trim();
  if (text === '') throw new UserError(`${flag} is empty: give a date like 2023-01-31 or a date-time like 2023-01-31T18:00:00Z.`);
  const day = DAY.exec(text);
  const unnamed = () => new UserError(`${flag} ${value}: this computer's time zone (${zone}) has no name to read it in: add an offset (2023-01-31T18:00-05:00) or give --timezone.`);
  if (day) {
    const [year, month, date] = realDay(day, value, flag);
    if (!isValidTimeZone(zone)) throw unnamed();
    return inZone([year, month, date + (flag === '--until' ? 1 : 0)], zone);
  }
  const at = DATE_TIME.exec(text);
  if (!at) throw new UserError(`${flag} ${value}: use a date like 2023-01-31 or a date-time like 2023-01-31T18:00:00Z.`);
  const [hours, minutes, seconds] = [Number(at[4]), Number(at[5]), Number(at[6] ?? 0)];
  if (hours > 23 || minutes > 59 || seconds > 59) throw new UserError(`${flag} ${value}: not a real time of day.`);
  const wall = [...realDay(at, value, flag), hours, minutes, seconds, Number((at[7] ?? '').padEnd(3, '0').slice(0, 3))];
  const offset = at[8];
  if (offset === undefined) {
    if (!isValidTimeZone(zone)) throw unnamed();
    return inZone(wall, zone);
  }
  return new Date(utc(wall) - offsetMinutes(offset) * 60_000);
}

/** Year, month (0–11) and day of a match, refused when the day does not exist (2023-02-30, 2024-13-01). */
function realDay(match: RegExpExecArray, value: string, flag: string): [number, number, number] {
  const fields: [number, number, number] = [Number(match[1]), Number(match[2]) - 1, Number(match[3])];
  const probe = new Date(utc(fields));
  if (probe.getUTCMonth() !== fields[1] || probe.getUTCDate() !== fields[2]) throw new UserError(`${flag} ${value}: not a real date.`);
  return fields;
}

/** Wall-clock fields (year, month 0–11, day, then optional time) read in UTC, years 0–99 and days past the month's end included. */
function utc([year, month, day, hours = 0, minutes = 0, seconds = 0, ms = 0]: number[]): number {
  const date = new Date(0);
  date.setUTCFullYear(year!, month!, day!);
  return date.setUTCHours(hours, minutes, seconds, ms);
}

/**
 * Wall-clock fields read in the zone. A time that occurs twice is its first occurrence; one the clocks skip
 * (02:30 the night they go forward) is the moment they skipped to (03:00): the first one that reads later.
 */
function inZone(fields: number[], zone: string): Date {
  const { TZDate } = require('@date-fns/tz') as typeof Tz;
  const asked = utc(fields);
  const wall = (ms: number) => {
    const d = new TZDate(ms, zone);
    return utc([d.getFullYear(), d.getMonth(), d.getDate(), d.getHours(), d.getMinutes(), d.getSeconds(), d.getMilliseconds()]);
  };
  const [year, month, ...rest] = fields;
  let after = new TZDate(year!, month!, ...(rest as [number]), zone).getTime();
  if (wall(after) === asked) {
    // It may be the second of two: the first has the offset the day before had.
    const first = asked - (wall(after - DAY_MS) - (after - DAY_MS));
    return new Date(first < after && wall(first) === asked ? first : after);
  }
  // In a gap: `before` reads earlier than asked, `after` later; halve the span down to the millisecond.
  let before = after - (wall(after) - asked);
  while (after - before > 1) {
    const middle = Math.floor((before + after) / 2);
    if (wall(middle) >= asked) after = middle;
    else before = middle;
  }
  return new Date(after);
}

/** +05:30, +0530, +05 or Z, in minutes east of UTC. */
function offsetMinutes(offset: string): number {
  if (offset === 'Z') return 0;
  const digits = offset.slice(1).replace(':', '');
  const minutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || 0);
  return offset.startsWith('-') ? -minutes : minutes;
}
