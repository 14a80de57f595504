/**
 * Contacts for generated handles, written as a Mac AddressBook-v22.abcddb, an iPhone AddressBook.sqlitedb and
 * a .vcf (vCard 3.0), with phone numbers formatted the way people type them ("(555) 555-0123",
 * "+1 555-555-0123", …) and emails in varied case, so readers must normalize to match.
 *
 *   const contacts = contactsForHandles(handlesFromChatDb(chatDb), 1);
 *   writeMacAddressBook(path.join(dir, 'AddressBook-v22.abcddb'), contacts);
 *   writeIphoneAddressBook(path.join(dir, 'AddressBook.sqlitedb'), contacts);
 *   writeVcf(path.join(dir, 'contacts.vcf'), contacts);
 *   // or all three at once: writeContacts({ chatDb, outDir, seed: 1 })
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { ContactRecord } from '../contacts/contact-record.js';
import { Random } from './random.js';

export interface GeneratedContact extends ContactRecord {
  /** The name readers should show. */
  expectedName: string;
}

const FIRST_NAMES = ['Ann', 'Ben', 'Chloé', 'David', 'Elif', 'Farah', 'Gustavo', 'Hana', 'Ivan', 'Jonas', 'Keiko', 'Liam'];
const LAST_NAMES = ['Lee', 'Okafor', 'Müller', 'García', 'Cohen', 'Nakamura', 'Silva', 'Novak', 'Haddad', 'Brown'];

const NANP = /^\+1(\d{3})(\d{3})(\d{4})$/;
const PHONE_STYLES: ((area: string, exchange: string, line: string) => string)[] = [
  (a, e, l) => `(${a}) ${e}-${l}`,
  (a, e, l) => `+1 ${a}-${e}-${l}`,
  (a, e, l) => `${a}.${e}.${l}`,
  (a, e, l) => `1 ${a} ${e} ${l}`,
];

/** A North American E.164 number as a person would type it; other numbers unchanged. */
export function formatPhoneLikeAPerson(e164: string, style: number): string {
  const match = NANP.exec(e164);
  return match ? PHONE_STYLES[style % PHONE_STYLES.length](match[1], match[2], match[3]) : e164;
}

function varyCase(email: string, style: number): string {
  if (style % 3 === 0) return email.toUpperCase();
  if (style % 3 === 1) return email.toLowerCase();
  return email.replace(/^./, (c) => c.toUpperCase());
}

/**
 * One card per phone number; the first emails join the first phones' cards (one person, two handles), the
 * rest get cards of their own. The first card is "Mom" (a first name only), the last handle gets no card
 * (unless it is the only one: a file of no cards would name no one).
 */
export function contactsForHandles(handles: string[], seed: number): GeneratedContact[] {
  const random = new Random(seed);
  const phones = handles.filter((h) => !h.includes('@'));
  const emails = handles.filter((h) => h.includes('@'));
  const uncarded = handles.length > 1 ? handles.at(-1) : undefined;
  const cards: GeneratedContact[] = [];
  const newCard = (): GeneratedContact => {
    if (cards.length === 0) return { firstName: 'Mom', expectedName: 'Mom', phones: [], emails: [] };
    const firstName = random.pick(FIRST_NAMES);
    const lastName = random.pick(LAST_NAMES);
    return { firstName, lastName, expectedName: `${firstName} ${lastName}`, phones: [], emails: [] };
  };
  phones.forEach((phone, i) => {
    if (phone === uncarded) return;
    const card = newCard();
    card.phones.push(formatPhoneLikeAPerson(phone, i));
    cards.push(card);
  });
  emails.forEach((email, i) => {
    if (email === uncarded) return;
    const card = i < Math.min(2, cards.length) ? cards[i] : newCard();
    card.emails.push(varyCase(email, i));
    if (!cards.includes(card)) cards.push(card);
  });
  return cards;
}

/** Handles of a chat.db, in ROWID order, each once. */
export function handlesFromChatDb(chatDb: string): string[] {
  const db = new Database(chatDb, { readonly: true, fileMustExist: true });
  try {
    const ids = db.prepare('SELECT id FROM handle ORDER BY ROWID').pluck().all() as string[];
    return [...new Set(ids)];
  } finally {
    db.close();
  }
}

export function writeMacAddressBook(file: string, contacts: GeneratedContact[]): void {
  const db = new Database(file);
  try {
    db.exec(`
      CREATE TABLE ZABCDRECORD (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZFIRSTNAME VARCHAR,
        ZLASTNAME VARCHAR, ZMIDDLENAME VARCHAR, ZNICKNAME VARCHAR, ZORGANIZATION VARCHAR, ZUNIQUEID VARCHAR);
      CREATE TABLE ZABCDPHONENUMBER (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZOWNER INTEGER,
        ZORDERINGINDEX INTEGER, ZFULLNUMBER VARCHAR, ZLABEL VARCHAR);
      CREATE TABLE ZABCDEMAILADDRESS (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZOWNER INTEGER,
        ZORDERINGINDEX INTEGER, ZADDRESS VARCHAR, ZADDRESSNORMALIZED VARCHAR, ZLABEL VARCHAR);
    `);
    const person = db.prepare(
      'INSERT INTO ZABCDRECORD (Z_ENT, Z_OPT, ZFIRSTNAME, ZLASTNAME, ZNICKNAME, ZORGANIZATION, ZUNIQUEID) VALUES (19, 1, ?, ?, ?, ?, ?)',
    );
    const phone = db.prepare("INSERT INTO ZABCDPHONENUMBER (Z_ENT, Z_OPT, ZOWNER, ZORDERINGINDEX, ZFULLNUMBER, ZLABEL) VALUES (17, 1, ?, ?, ?, '_$!<Mobile>!$_')");
    const email = db.prepare("INSERT INTO ZABCDEMAILADDRESS (Z_ENT, Z_OPT, ZOWNER, ZORDERINGINDEX, ZADDRESS, ZADDRESSNORMALIZED, ZLABEL) VALUES (9, 1, ?, ?, ?, ?, '_$!<Home>!$_')");
    db.transaction(() => {
      contacts.forEach((c, i) => {
        const owner = person.run(c.firstName ?? null, c.lastName ?? null, c.nickname ?? null, c.organization ?? null, `GEN-${i}:ABPerson`).lastInsertRowid;
        c.phones.forEach((value, order) => phone.run(owner, order, value));
        c.emails.forEach((value, order) => email.run(owner, order, value, value.toLowerCase()));
      });
    })();
  } finally {
    db.close();
  }
}

const PHONE_PROPERTY = 3;
const EMAIL_PROPERTY = 4;

export function writeIphoneAddressBook(file: string, contacts: GeneratedContact[]): void {
  const db = new Database(file);
  try {
    db.exec(`
      CREATE TABLE ABPerson (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, First TEXT, Last TEXT, Middle TEXT,
        Organization TEXT, Nickname TEXT, Kind INTEGER DEFAULT 0);
      CREATE TABLE ABMultiValue (UID INTEGER PRIMARY KEY, record_id INTEGER, property INTEGER, identifier INTEGER,
        label INTEGER, value TEXT);
    `);
    const person = db.prepare('INSERT INTO ABPerson (First, Last, Organization, Nickname) VALUES (?, ?, ?, ?)');
    const value = db.prepare('INSERT INTO ABMultiValue (record_id, property, identifier, label, value) VALUES (?, ?, ?, 1, ?)');
    db.transaction(() => {
      for (const c of contacts) {
        const owner = person.run(c.firstName ?? null, c.lastName ?? null, c.organization ?? null, c.nickname ?? null).lastInsertRowid;
        c.phones.forEach((phone, i) => value.run(owner, PHONE_PROPERTY, i, phone));
        c.emails.forEach((email, i) => value.run(owner, EMAIL_PROPERTY, i, email));
      }
    })();
  } finally {
    db.close();
  }
}

const escapeText = (text: string) => text.replace(/[\\;,]/g, (c) => `\\${c}`).replace(/\n/g, '\\n');

/** Folds a content line at 75 octets, never inside a UTF-8 sequence (RFC 6350 §3.2). */
function fold(line: string): string {
  const pieces: string[] = [];
  let current = '';
  for (const char of line) {
    const limit = pieces.length === 0 ? 75 : 74;
    if (Buffer.byteLength(current + char) > limit) {
      pieces.push(current);
      current = '';
    }
    current += char;
  }
  pieces.push(current);
  return pieces.join('\r\n ');
}

export function writeVcf(file: string, contacts: GeneratedContact[]): void {
  const lines: string[] = [];
  for (const c of contacts) {
    lines.push('BEGIN:VCARD', 'VERSION:3.0');
    lines.push(`N:${escapeText(c.lastName ?? '')};${escapeText(c.firstName ?? '')};;;`);
    lines.push(`FN:${escapeText(c.expectedName)}`);
    if (c.organization) lines.push(`ORG:${escapeText(c.organization)};`);
    c.phones.forEach((phone, i) => lines.push(`item${i + 1}.TEL;type=CELL;type=VOICE${i === 0 ? ';type=pref' : ''}:${phone}`));
    c.emails.forEach((email) => lines.push(`EMAIL;type=INTERNET;type=HOME:${email}`));
    lines.push(`NOTE:${escapeText(`Generated sample contact for ${c.expectedName}; handles: ${[...c.phones, ...c.emails].join(', ')}`)}`);
    lines.push('END:VCARD');
  }
  writeFileSync(file, lines.map(fold).join('\r\n') + '\r\n');
}

export interface WrittenContacts {
  contacts: GeneratedContact[];
  /** A folder laid out like ~/Library/Application Support/AddressBook (database in Sources/<id>/). */
  macAddressBookDir: string;
  iphoneAddressBook: string;
  vcf: string;
}

/** All three contact files for a chat.db's handles, under outDir. */
export function writeContacts(opts: { chatDb: string; outDir: string; seed: number }): WrittenContacts {
  const contacts = contactsForHandles(handlesFromChatDb(opts.chatDb), opts.seed);
  const macAddressBookDir = path.join(opts.outDir, 'AddressBook');
  const macSource = path.join(macAddressBookDir, 'Sources', 'SAMPLE-SOURCE');
  mkdirSync(macSource, { recursive: true });
  writeMacAddressBook(path.join(macSource, 'AddressBook-v22.abcddb'), contacts);
  const iphoneAddressBook = path.join(opts.outDir, 'AddressBook.sqlitedb');
  writeIphoneAddressBook(iphoneAddressBook, contacts);
  const vcf = path.join(opts.outDir, 'contacts.vcf');
  writeVcf(vcf, contacts);
  return { contacts, macAddressBookDir, iphoneAddressBook, vcf };
}
