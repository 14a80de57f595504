import { createRequire } from 'node:module';
import type * as PhoneNumbers from 'libphonenumber-js';
import { describe, expect, it } from 'vitest';
import { normalizeHandle } from '../../src/contacts/handles.js';

const library = createRequire(import.meta.url)('libphonenumber-js') as typeof PhoneNumbers;

/** What libphonenumber makes of a number read in a region: E.164 when it is a possible number. */
function byLibrary(handle: string, country: PhoneNumbers.CountryCode): string | undefined {
  const phone = library.parsePhoneNumberFromString(handle, country);
  return phone?.isPossible() ? phone.number : undefined;
}

describe('North American numbers read without libphonenumber', () => {
  it('come out as libphonenumber gives them, in every way address books write them, wherever they are read', () => {
    const digits = ['5555550123', '2125550199', '4155550100', '9055550142', '2005550000'];
    const shapes = (d: string) => [
      d,
      `(${d.slice(0, 3)}) ${d.slice(3, 6)}-${d.slice(6)}`,
      `${d.slice(0, 3)}.${d.slice(3, 6)}.${d.slice(6)}`,
      `${d.slice(0, 3)}-${d.slice(3, 6)}-${d.slice(6)}`,
      `${d.slice(0, 3)} ${d.slice(3, 6)} ${d.slice(6)}`,
      `1 (${d.slice(0, 3)}) ${d.slice(3, 6)}-${d.slice(6)}`,
      `1-${d.slice(0, 3)}-${d.slice(3, 6)}-${d.slice(6)}`,
      `+1 ${d.slice(0, 3)}-${d.slice(3, 6)}-${d.slice(6)}`,
      `+1 (${d.slice(0, 3)}) ${d.slice(3, 6)}-${d.slice(6)}`,
      `+1${d}`,
      `1${d}`,
    ];
    let compared = 0;
    for (const country of ['US', 'CA', 'GB', 'DE', 'FR', 'CN'] as const) {
      for (const handle of digits.flatMap(shapes)) {
        const expected = byLibrary(handle, country);
        if (expected === undefined) continue;
        expect(normalizeHandle(handle, country), `${handle} in ${country}`).toBe(expected);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(200);
  });

  it('leave numbers of other shapes and regions to the library', () => {
    expect(normalizeHandle('020 7946 0958', 'GB')).toBe('+442079460958');
    expect(normalizeHandle('555-555-0123 x12', 'US')).toBe(byLibrary('555-555-0123 x12', 'US') ?? '5555550123');
    expect(normalizeHandle('(055) 555-0123', 'US')).toBe(byLibrary('(055) 555-0123', 'US') ?? '0555550123');
    expect(normalizeHandle('555 555 0123', 'GB')).toBe(byLibrary('555 555 0123', 'GB') ?? '5555550123');
  });
});
