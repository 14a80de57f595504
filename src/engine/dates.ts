import { createRequire } from 'node:module';
import type * as Tz from '@date-fns/tz';
import { UserError } from '../errors.js';

// Loaded for a --since or --until day only, as CommonJS (its eight ES modules cost every run's start-up).
const require = createRequire(import.meta.url);

/**
 * Parses `--since`/`--until`: a day (YYYY-MM-DD, midnight in the export's time zone) or an ISO date-time.
 * A bare `--until` day includes that whole day.
 */
export function parseBoundary(value: string, zone: string, flag: '--since' | '--until'): Date {
  if (value.trim() === '') throw new UserError(`${flag} is empty: give a date like 2023-01-31 or a date-time like 2023-01-31T18:00:00Z.`);
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value.trim());
  if (day) {
    const [year, month, date] = [Number(day[1]), Number(day[2]) - 1, Number(day[3])];
    const probe = new Date(Date.UTC(year, month, date));
    if (probe.getUTCMonth() !== month || probe.getUTCDate() !== date) throw new UserError(`${flag} ${value}: not a real date.`);
    const { TZDate } = require('@date-fns/tz') as typeof Tz;
    const start = new TZDate(year, month, date + (flag === '--until' ? 1 : 0), zone);
    return new Date(start.getTime());
  }
  const instant = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value.trim()) || Number.isNaN(instant.getTime())) {
    throw new UserError(`${flag} ${value}: use a date like 2023-01-31 or a date-time like 2023-01-31T18:00:00Z.`);
  }
  return instant;
}
