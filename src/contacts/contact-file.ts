/**
 * A contacts file the user names (`--contacts`), read by what it holds rather than by its name: a Mac
 * (AddressBook-v22.abcddb) or iPhone (AddressBook.sqlitedb) contacts database, else a vCard file.
 */
import type Database from 'better-sqlite3';
import { isSqliteFile } from '../sources/backup/sqlite-file.js';
import type { ContactRecord } from './contact-record.js';
import { iphoneRecords } from './iphone-address-book.js';
import { macRecords } from './mac-address-book.js';
import { readSqliteCopy } from '../sqlite/sqlite-copy.js';
import { readVcfFile } from './vcard.js';

export async function readContactsFile(file: string): Promise<ContactRecord[]> {
  if (!isSqliteFile(file)) return readVcfFile(file);
  return readSqliteCopy(file, (db) => {
    if (hasTable(db, 'ABPerson')) return iphoneRecords(db);
    if (hasTable(db, 'ZABCDRECORD')) return macRecords(db);
    throw new Error('a SQLite database that is neither a Mac nor an iPhone contacts database');
  });
}

function hasTable(db: Database.Database, name: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
}
