/**
 * An iPhone contacts database (AddressBook.sqlitedb, from a backup): people in ABPerson (ROWID, First, Last,
 * Nickname, Organization), their numbers and addresses in ABMultiValue (record_id, property 3 = phone,
 * 4 = email, value).
 */
import type Database from 'better-sqlite3';
import { namedRecord, type ContactRecord } from './contact-record.js';
import { readSqliteCopy } from '../sqlite/sqlite-copy.js';

const PHONE = 3;
const EMAIL = 4;

interface PersonRow {
  ROWID: number;
  First?: string | null;
  Last?: string | null;
  Nickname?: string | null;
  Organization?: string | null;
}

export function readIphoneAddressBook(file: string): Promise<ContactRecord[]> {
  return readSqliteCopy(file, iphoneRecords);
}

export function iphoneRecords(db: Database.Database): ContactRecord[] {
  const people = new Map<number, ContactRecord>();
  for (const row of db.prepare('SELECT * FROM ABPerson').iterate() as Iterable<PersonRow>) {
    people.set(row.ROWID, namedRecord(row.First, row.Last, row.Nickname, row.Organization));
  }
  const values = db
    .prepare('SELECT record_id AS owner, property, value FROM ABMultiValue WHERE property IN (?, ?)')
    .all(PHONE, EMAIL) as { owner: number; property: number; value: unknown }[];
  for (const { owner, property, value } of values) {
    if (typeof value !== 'string' || value === '') continue;
    const person = people.get(owner);
    if (property === PHONE) person?.phones.push(value);
    else person?.emails.push(value);
  }
  return [...people.values()];
}
