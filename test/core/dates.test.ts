import { describe, expect, it } from 'vitest';
import { DateFormatter } from '../../src/render/dates.js';

/** The reference: what Intl says the wall clock reads in that zone. */
function intlDateTime(date: Date, format: Intl.DateTimeFormat): string {
  const p = Object.fromEntries(format.formatToParts(date).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
}

describe('DateFormatter', () => {
  const zones = ['UTC', 'Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kolkata', 'America/St_Johns', 'Pacific/Chatham', 'Africa/Casablanca'];
  // Every 47 minutes 13 seconds across two years: crosses every DST change, on and near the transitions
  // (Casablanca leaves and rejoins its usual offset for Ramadan, a month apart).
  const instants: Date[] = [];
  for (let t = Date.UTC(2023, 0, 1); t < Date.UTC(2025, 0, 1); t += 2_833_000) instants.push(new Date(t));

  for (const zone of zones) {
    it(`agrees with Intl in ${zone}, across daylight-saving changes`, () => {
      const dates = new DateFormatter(zone);
      const ours = instants.map((instant) => dates.dateTime(instant));
      // One Intl formatter per zone: making one per instant took minutes on a busy machine.
      const format = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
      // A wall-clock time the zone shows twice (its clocks going back by an hour, or by half an hour at Lord Howe) carries its offset.
      const twice = (instant: Date) => [-3_600_000, -1_800_000, 1_800_000, 3_600_000].some((shift) => intlDateTime(new Date(instant.getTime() + shift), format) === intlDateTime(instant, format));
      const reference = instants.map((instant) => intlDateTime(instant, format) + (twice(instant) ? ` ${dates.offset(instant)}` : ''));
      expect(ours).toEqual(reference);
      if (zone !== 'UTC' && zone !== 'Asia/Kolkata') expect(ours.filter((text) => text.length > 19).length).toBeGreaterThan(0);
    });
  }

  it('in the machine’s own zone (no --timezone) agrees with Intl and names the zone', () => {
    const before = process.env.TZ;
    try {
      for (const zone of ['Australia/Lord_Howe', 'America/St_Johns', 'Africa/Casablanca']) {
        process.env.TZ = zone;
        const own = new DateFormatter();
        const named = new DateFormatter(zone);
        expect(instants.map((instant) => own.iso(instant))).toEqual(instants.map((instant) => named.iso(instant)));
        expect(own.timeZone).toBe(zone);
      }
    } finally {
      if (before === undefined) delete process.env.TZ;
      else process.env.TZ = before;
    }
  });

  it('tells apart the two 01:30s of the night the clocks go back, and only them', () => {
    const dates = new DateFormatter('America/New_York');
    const at = (iso: string) => dates.at(new Date(iso));
    expect(at('2024-11-03T05:30:00Z')).toEqual({ dayKey: '2024-11-03', time: '01:30 -04:00', dateTime: '2024-11-03 01:30:00 -04:00' });
    expect(at('2024-11-03T06:30:00Z')).toEqual({ dayKey: '2024-11-03', time: '01:30 -05:00', dateTime: '2024-11-03 01:30:00 -05:00' });
    expect(dates.time(new Date('2024-11-03T04:59:59Z'))).toBe('00:59');
    expect(dates.time(new Date('2024-11-03T07:00:00Z'))).toBe('02:00');
    // Spring forward leaves a gap, no time twice.
    expect(['2024-03-10T06:59:00Z', '2024-03-10T07:00:00Z'].map((iso) => dates.time(new Date(iso)))).toEqual(['01:59', '03:00']);
  });

  it('names days and months, and writes offsets', () => {
    const dates = new DateFormatter('Europe/Berlin');
    const instant = new Date('2024-03-05T13:07:09Z');
    expect(dates.day(instant)).toBe('Tuesday, 5 March 2024');
    expect(dates.time(instant)).toBe('14:07');
    expect(dates.month(instant)).toBe('March 2024');
    expect(dates.monthKey(instant)).toBe('2024-03');
    expect(dates.offset(instant)).toBe('+01:00');
    expect(new DateFormatter('America/St_Johns').offset(instant)).toBe('-03:30');
  });
});
