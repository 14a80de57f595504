/**
 * One spelling per handle, so a contact's "(555) 555-0123" meets the database's "+15555550123":
 * phone numbers become E.164 (read with libphonenumber-js and a default region), emails lower case.
 *
 *   normalizeHandle('(555) 555-0123', 'US')   // '+15555550123'
 *   normalizeHandle('Alice@Example.COM', 'US') // 'alice@example.com'
 */
import { createRequire } from 'node:module';
import type * as PhoneNumbers from 'libphonenumber-js';
import type { CountryCode } from 'libphonenumber-js';

// Loaded when a number needs it, as CommonJS: Node loads its 110 files in less time so than as ES modules
// (loading and reading 40 numbers on the loaded development machine: 125 ms of CPU where those took 200 ms).
const require = createRequire(import.meta.url);
let loaded: typeof PhoneNumbers | undefined;
const phoneNumbers = () => (loaded ??= require('libphonenumber-js') as typeof PhoneNumbers);

/**
 * A North American number in E.164 already (+1, then an area code, which never starts with 0 or 1):
 * libphonenumber gives it back as it is, so the usual handles of a US or Canadian database need no library.
 */
const NORTH_AMERICAN_E164 = /^\+1[2-9]\d{9}$/;

/**
 * A North American number as address books write it ("(555) 555-0123", "555.555.0123", "+1 555-555-0123"): read
 * in the US or Canada (or with +1), libphonenumber gives +1 and its ten digits. Taken here, the usual contacts of a
 * user there need no library either (loading it took 20 ms, 3 % of a one-conversation PDF).
 */
const NORTH_AMERICAN = /^(\+?1[\s.-]?)?\(?([2-9]\d\d)\)?[\s.-]?(\d{3})[\s.-]?(\d{4})$/;

export const DEFAULT_COUNTRY: CountryCode = 'US';

/** The region to read national numbers in, or undefined when `country` is not a known ISO 3166 code. */
export function toCountryCode(country: string): CountryCode | undefined {
  const code = country.trim().toUpperCase();
  return phoneNumbers().isSupportedCountry(code) ? code : undefined;
}

export function normalizeHandle(handle: string, country: CountryCode = DEFAULT_COUNTRY): string {
  const bare = handle.trim().replace(/^(?:tel|mailto|sms):/i, '');
  if (bare.includes('@')) return bare.toLowerCase();
  if (NORTH_AMERICAN_E164.test(bare)) return bare;
  const american = NORTH_AMERICAN.exec(bare);
  if (american && (american[1]?.startsWith('+') || country === 'US' || country === 'CA')) return `+1${american[2]}${american[3]}${american[4]}`;
  const phone = phoneNumbers().parsePhoneNumberFromString(bare, country);
  if (phone?.isPossible()) return phone.number;
  // Short codes ("12345") and oddities: digits only, keeping a leading +, or the handle itself.
  const digits = bare.replace(/[^\d+]/g, '').replace(/(?!^)\+/g, '');
  return /\d/.test(digits) ? digits : bare.toLowerCase();
}
