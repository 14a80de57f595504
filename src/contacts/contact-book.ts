/**
 * Names for handles, from the Mac's Contacts, an iPhone backup's contacts and .vcf files.
 *
 *   const { book, warnings } = await loadContacts({ addressBookDirs: defaultMacAddressBookDirs(), files, country: 'US' });
 *   book.nameFor('+15555550123')          // 'Ann Lee' (also for '(555) 555-0123')
 *   book.personKey('ann@example.com')     // same key as her phone number, when one card holds both
 *
 * Sources are read in this order and the first name found for a handle wins: files given explicitly (.vcf, or
 * a contacts database), Mac address books, the backup's address book. A source that cannot be read, or a file
 * given explicitly that holds no contacts, becomes one warning line.
 */
import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import type { CountryCode } from 'libphonenumber-js';
import { displayName, type ContactRecord } from './contact-record.js';
import { DEFAULT_COUNTRY, normalizeHandle, toCountryCode } from './handles.js';
import { readContactsFile } from './contact-file.js';
import { UnionFind } from './union-find.js';
import { readIphoneAddressBook } from './iphone-address-book.js';
import { readMacAddressBook } from './mac-address-book.js';
import { MAC_REFUSAL } from '../errors.js';

export class ContactBook {
  private readonly names = new Map<string, string>();
  /** Normalized handles that belong to one card. */
  private readonly cards = new UnionFind();
  /** Each handle's spelling, read once: planning asks for the same few handles in every chat they are in. */
  private readonly spelling = new Map<string, string>();

  constructor(
    records: ContactRecord[] = [],
    private readonly country: CountryCode = DEFAULT_COUNTRY,
  ) {
    for (const record of records) this.add(record);
  }

  /** The contact name for a handle in any formatting, or undefined when no card has it. */
  nameFor(handle: string): string | undefined {
    return this.names.get(this.normalize(handle));
  }

  /**
   * The same key for every handle of one person (a card holding a phone and an email links them; cards with
   * the same name sharing a handle are one person); for anyone else, the normalized handle. The key is the
   * person's smallest normalized handle.
   */
  personKey(handle: string): string {
    return this.cards.root(this.normalize(handle));
  }

  /** The spelling handles are matched in: E.164 for phone numbers, lower case for emails. */
  normalize(handle: string): string {
    let normalized = this.spelling.get(handle);
    if (normalized === undefined) {
      normalized = normalizeHandle(handle, this.country);
      this.spelling.set(handle, normalized);
    }
    return normalized;
  }

  /** How many handles have a name. */
  get size(): number {
    return this.names.size;
  }

  /**
   * A handle already named by an earlier card stays with it unless this card has the same name (the same
   * person in two sources): a landline on both parents' cards must not make them one person.
   */
  private add(record: ContactRecord): void {
    const name = displayName(record);
    const sameName = (other: string) => name !== undefined && other.toLocaleLowerCase() === name.toLocaleLowerCase();
    const handles = [...record.phones, ...record.emails]
      .map((handle) => this.normalize(handle))
      .filter((handle) => {
        const owner = this.names.get(handle);
        return owner === undefined || sameName(owner);
      });
    for (const handle of handles) {
      if (name && !this.names.has(handle)) this.names.set(handle, name);
      this.cards.union(handles[0], handle);
    }
  }
}

export interface LoadContactsOptions {
  /** Folders holding AddressBook-v22.abcddb, directly or in Sources/<id>/. */
  addressBookDirs?: string[];
  /** iPhone AddressBook.sqlitedb files, one or several (see BackupSource.contactsDatabase()). */
  backupAddressBook?: string | string[];
  /** Contacts files given explicitly: .vcf, or a Mac or iPhone contacts database (told apart by their content). */
  files?: string[];
  /** Region for numbers written without a country code; default US. */
  country?: string;
}

const MAC_DB_NAME = 'AddressBook-v22.abcddb';

/** The Mac's Contacts folder, when it exists (~/Library/Application Support/AddressBook). */
export function defaultMacAddressBookDirs(): string[] {
  const dir = path.join(homedir(), 'Library', 'Application Support', 'AddressBook');
  return existsSync(dir) ? [dir] : [];
}

/** AddressBook-v22.abcddb files in a folder and in its Sources/<id>/ subfolders (one per account). */
function macDatabasesIn(dir: string): string[] {
  const found = [path.join(dir, MAC_DB_NAME)];
  const sources = path.join(dir, 'Sources');
  if (existsSync(sources)) {
    for (const id of readdirSync(sources).sort()) found.push(path.join(sources, id, MAC_DB_NAME));
  }
  return found.filter((file) => existsSync(file));
}

function reason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM') return MAC_REFUSAL;
  return (error as Error).message;
}

export async function loadContacts(opts: LoadContactsOptions): Promise<{ book: ContactBook; warnings: string[] }> {
  const warnings: string[] = [];
  // The command line and the library refuse an unknown --country before this.
  const country = (opts.country === undefined ? undefined : toCountryCode(opts.country)) ?? DEFAULT_COUNTRY;
  const records: ContactRecord[] = [];
  // How many contacts the file gave; undefined when it could not be read.
  const readInto = async (what: string, file: string, read: (file: string) => Promise<ContactRecord[]>) => {
    try {
      const found = await read(file);
      records.push(...found);
      return found.length;
    } catch (error) {
      warnings.push(`Cannot read ${what} ${file}: ${reason(error)}; going on without it`);
      return undefined;
    }
  };
  for (const file of opts.files ?? []) {
    const found = await readInto('contacts file', file, readContactsFile);
    if (found === 0) warnings.push(`No contacts in ${file} (a .vcf file, an AddressBook folder or an AddressBook.sqlitedb was expected)`);
  }
  for (const dir of opts.addressBookDirs ?? []) {
    let databases: string[] = [];
    try {
      databases = macDatabasesIn(dir);
    } catch (error) {
      warnings.push(`Cannot read the contacts folder ${dir}: ${reason(error)}; going on without it`);
    }
    if (databases.length === 0 && existsSync(dir)) warnings.push(`No ${MAC_DB_NAME} in ${dir}`);
    for (const file of databases) await readInto('contacts database', file, readMacAddressBook);
  }
  for (const file of [opts.backupAddressBook ?? []].flat()) await readInto('contacts database', file, readIphoneAddressBook);
  return { book: new ContactBook(records, country), warnings };
}
