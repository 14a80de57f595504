import { realpathSync } from 'node:fs';
import { zoneAsSpelled } from './zone-names.js';

/**
 * The computer's time zone by its IANA name, as Date reads the clock in it; undefined when it has none.
 * A TZ that is an IANA name is named as given (Asia/Kolkata, not the Asia/Calcutta Node's Intl makes of it).
 * Node names none when TZ is a path (`TZ=:/etc/localtime`, a common setting) or empty, or a name its zone data
 * lacks: then the zone file the path leads to names it, and a zone whose offset never changes (`TZ=UTC+3`) is
 * named by that offset (a TZ Date takes for UTC though it names another zone is refused before: tzReadAsUtc).
 * A name is used only when Date agrees with it.
 */
export function machineZone(): string | undefined {
  const tz = process.env.TZ?.replace(/^:/, '');
  if (tz && agreesWithDate(tz)) return zoneAsSpelled(tz);
  const named = Intl.DateTimeFormat().resolvedOptions().timeZone as string | undefined;
  if (named && named !== 'Etc/Unknown') return named;
  const file = tz ?? '/etc/localtime';
  return [zoneOfFile(file), fixedOffsetZone()].find((zone) => zone !== undefined && agreesWithDate(zone));
}

/**
 * The computer's zone as its setting names it, found without Intl (whose first object costs a few hundredths of a
 * second): the zone file TZ or /etc/localtime leads to (so that `TZ=UTC` and a link to Etc/UTC are one), else TZ as
 * it is (a POSIX rule); undefined when neither names one.
 */
export function zoneSetting(): string | undefined {
  const tz = process.env.TZ?.replace(/^:/, '');
  if (tz === undefined) return zoneOfFile('/etc/localtime');
  return zoneOfFile(tz.startsWith('/') ? tz : `/usr/share/zoneinfo/${tz}`) ?? (tz || undefined);
}

/** A POSIX rule for UTC under any name: no daylight saving time, offset zero (`UTC0`, `GMT+0`, `<+00>0`). */
const UTC_RULE = /^(?:[A-Za-z]{3,}|<[A-Za-z0-9+-]{3,}>)[+-]?0{1,2}(?::00){0,2}$/;

/**
 * The TZ setting when Date reads it as UTC all year though it names another zone: a rule ICU cannot read
 * (`EST5EDT,M3.2.0,M11.1.0`, `<-03>3`) or a name its zone data lacks. Undefined when TZ is unset, empty,
 * or read as it says.
 */
export function tzReadAsUtc(): string | undefined {
  const tz = process.env.TZ;
  if (!tz || PROBES.some((ms) => new Date(ms).getTimezoneOffset() !== 0)) return undefined;
  const name = tz.replace(/^:/, '');
  const namesUtc = name === '' || UTC_RULE.test(name) || [zoneOfFile(name), name].some((zone) => zone !== undefined && agreesWithDate(zone));
  return namesUtc ? undefined : tz;
}

/** Instants across the years, summer and winter on either side of the equator. */
const PROBES = [2000, 2010, 2020, 2030].flatMap((year) => [Date.UTC(year, 0, 15), Date.UTC(year, 6, 15)]);

/** America/New_York for /usr/share/zoneinfo/America/New_York or a link to it (/etc/localtime). */
function zoneOfFile(file: string): string | undefined {
  if (!file.startsWith('/')) return undefined;
  try {
    const path = realpathSync(file);
    const at = path.lastIndexOf('/zoneinfo/');
    return at < 0 ? undefined : path.slice(at + '/zoneinfo/'.length).replace(/^(posix|right)\//, '');
  } catch {
    return undefined;
  }
}

/** UTC, or Etc/GMT-3 for a zone three hours ahead of UTC all year (IANA's Etc names count the other way). */
function fixedOffsetZone(): string | undefined {
  const minutes = new Set(PROBES.map((ms) => new Date(ms).getTimezoneOffset()));
  const [west] = minutes;
  if (minutes.size !== 1 || west! % 60 !== 0) return undefined;
  return west === 0 ? 'UTC' : `Etc/GMT${west! > 0 ? '+' : '-'}${Math.abs(west! / 60)}`;
}

function agreesWithDate(zone: string): boolean {
  try {
    const format = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' });
    return PROBES.every((ms) => {
      const offset = format.formatToParts(ms).find((part) => part.type === 'timeZoneName')!.value;
      const [, sign, hours, minutes] = /^GMT(?:([+-])(\d\d):(\d\d))?$/.exec(offset) ?? [];
      const east = sign === undefined ? 0 : (sign === '-' ? -1 : 1) * (Number(hours) * 60 + Number(minutes));
      return east === -new Date(ms).getTimezoneOffset();
    });
  } catch {
    return false;
  }
}
