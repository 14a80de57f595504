import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { zoneSetting } from '../../src/render/machine-zone.js';

const ZONES = '/usr/share/zoneinfo';
const before = process.env.TZ;

describe("the computer's zone as the files' fingerprint holds it (zoneSetting)", () => {
  afterEach(() => {
    if (before === undefined) delete process.env.TZ;
    else process.env.TZ = before;
  });

  it.skipIf(!existsSync(`${ZONES}/America/New_York`))('is the zone file a TZ name or path leads to, so that one zone under two names is one', () => {
    for (const tz of ['America/New_York', ':America/New_York', `${ZONES}/America/New_York`, `:${ZONES}/America/New_York`]) {
      process.env.TZ = tz;
      expect(zoneSetting(), tz).toBe('America/New_York');
    }
    if (existsSync(`${ZONES}/US/Eastern`)) {
      process.env.TZ = 'US/Eastern';
      expect(zoneSetting()).toBe('America/New_York');
    }
  });

  it('is a POSIX rule as it is, and nothing for an empty TZ', () => {
    process.env.TZ = 'EST5EDT,M3.2.0,M11.1.0';
    expect(zoneSetting()).toBe('EST5EDT,M3.2.0,M11.1.0');
    process.env.TZ = '';
    expect(zoneSetting()).toBeUndefined();
  });
});
