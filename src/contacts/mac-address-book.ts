/**
 * A Mac Contacts database (AddressBook-v22.abcddb, Core Data over SQLite): people in ZABCDRECORD, their
 * numbers in ZABCDPHONENUMBER (ZOWNER → record, ZFULLNUMBER) and addresses in ZABCDEMAILADDRESS (ZOWNER, ZADDRESS).
 */
import type Database from 'better-sqlite3';
import { namedRecord, type ContactRecord } from './contact-record.js';
import { readSqliteCopy } from '../sqlite/sqlite-copy.js';

interface RecordRow {
  Z_PK: number;
  ZFIRSTNAME?: string | null;
  ZLASTNAME?: string | null;
  ZNICKNAME?: string | null;
  ZORGANIZATION?: string | null;
}

export function readMacAddressBook(file: string): Promise<ContactRecord[]> {
  return readSqliteCopy(file, macRecords);
}

export function macRecords(db: Database.Database): ContactRecord[] {
  const people = new Map<number, ContactRecord>();
  for (const row of db.prepare('SELECT * FROM ZABCDRECORD').iterate() as Iterable<RecordRow>) {
    people.set(row.Z_PK, namedRecord(row.ZFIRSTNAME, row.ZLASTNAME, row.ZNICKNAME, row.ZORGANIZATION));
  }
  const owned = (sql: string) => db.prepare(sql).all() as { owner: number; value: string | null }[];
  for (const { owner, value } of owned('SELECT ZOWNER AS owner, ZFULLNUMBER AS value FROM ZABCDPHONENUMBER')) {
    if (value) people.get(owner)?.phones.push(value);
  }
  for (const { owner, value } of owned('SELECT ZOWNER AS owner, ZADDRESS AS value FROM ZABCDEMAILADDRESS')) {
    if (value) people.get(owner)?.emails.push(value);
  }
  return [...people.values()];
}
