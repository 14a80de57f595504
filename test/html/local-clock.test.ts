import { describe, expect, it } from 'vitest';
import { DateFormatter } from '../../src/render/dates.js';
import { LocalClock } from '../../src/render/html/local-clock.js';

describe('LocalClock', () => {
  it.each(['Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'America/St_Johns', 'UTC'])(
    'agrees with DateFormatter in %s, across daylight-saving changes',
    (zone) => {
      const dates = new DateFormatter(zone);
      const clock = new LocalClock(dates);
      const mismatches: string[] = [];
      // Every 97 minutes through 2024: lands on both sides of every transition in the zones listed.
      for (let t = Date.parse('2024-01-01T00:00:00Z'); t < Date.parse('2025-01-01T00:00:00Z'); t += 97 * 60_000) {
        const date = new Date(t);
        const at = clock.at(date);
        const expected = `${dates.dateTime(date)} ${dates.time(date)} ${dates.dayKey(date)}`;
        if (`${at.dateTime} ${at.time} ${at.dayKey}` !== expected) mismatches.push(expected);
      }
      expect(mismatches).toEqual([]);
    },
  );

  it('gives the long day name once per day', () => {
    const dates = new DateFormatter('Europe/Berlin');
    const clock = new LocalClock(dates);
    const date = new Date('2024-03-05T23:30:00Z');
    expect(clock.dayLabel(date, clock.at(date).dayKey)).toBe('Wednesday, 6 March 2024');
  });
});
