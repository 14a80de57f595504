// A minimal chat.db (the tables a backup round trip touches) with attachment files, for source tests.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { writeBackup } from '../../src/generate/backup.js';

/** The tables of chat.db that a conversation's messages and attachments need, with the columns read from them. */
export const MINIMAL_TABLES = `
    CREATE TABLE handle (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL, service TEXT NOT NULL);
    CREATE TABLE chat (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, guid TEXT, chat_identifier TEXT, display_name TEXT);
    CREATE TABLE message (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, guid TEXT UNIQUE NOT NULL, text TEXT,
      handle_id INTEGER DEFAULT 0, date INTEGER, is_from_me INTEGER DEFAULT 0, service TEXT);
    CREATE TABLE attachment (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, guid TEXT UNIQUE NOT NULL, filename TEXT,
      transfer_name TEXT, mime_type TEXT, total_bytes INTEGER DEFAULT 0);
    CREATE TABLE chat_message_join (chat_id INTEGER, message_id INTEGER, message_date INTEGER DEFAULT 0);
    CREATE TABLE chat_handle_join (chat_id INTEGER, handle_id INTEGER);
    CREATE TABLE message_attachment_join (message_id INTEGER, attachment_id INTEGER);
`;

export interface TinyChatDb {
  chatDb: string;
  attachmentsDir: string;
  /** attachment.filename → file bytes, for attachments whose file exists. */
  files: Map<string, Buffer>;
  /** attachment.filename of an attachment whose file is absent. */
  missing: string;
  handles: string[];
}

export function makeTinyChatDb(dir: string): TinyChatDb {
  const chatDb = path.join(dir, 'chat.db');
  const attachmentsDir = path.join(dir, 'Attachments');
  const db = new Database(chatDb);
  db.exec(MINIMAL_TABLES);
  const handles = ['+15555550123', 'Alice.Doe@Example.com', '+15555550188'];
  handles.forEach((id, i) => db.prepare('INSERT INTO handle (id, service) VALUES (?, ?)').run(id, i === 0 ? 'SMS' : 'iMessage'));
  db.prepare("INSERT INTO chat (guid, chat_identifier) VALUES ('SMS;-;+15555550123', '+15555550123')").run();
  db.prepare('INSERT INTO chat_handle_join VALUES (1, 1)').run();
  const texts = ['Hi Mom', 'Lunch at noon?', 'Photo from the trip \uFFFC', 'Résumé attached \uFFFC', 'Where is the scan? \uFFFC', 'Gute Nacht 🌙'];
  texts.forEach((text, i) => {
    db.prepare('INSERT INTO message (guid, text, handle_id, date, is_from_me, service) VALUES (?, ?, ?, ?, ?, ?)').run(
      `MSG-${i}`, text, i % 2 ? 0 : 1, 700000000000000000 + i * 60_000_000_000, i % 2, 'SMS');
    db.prepare('INSERT INTO chat_message_join VALUES (1, ?, ?)').run(i + 1, 700000000000000000 + i * 60_000_000_000);
  });
  const files = new Map<string, Buffer>();
  const attachments = [
    { rest: 'ab/11/AAA-1/IMG_0001.jpeg', bytes: Buffer.from('fake jpeg bytes '.repeat(100)) },
    { rest: 'cd/02/BBB-2/Résumé 2024.pdf', bytes: Buffer.from('%PDF-1.4 tiny') },
    { rest: 'ef/03/CCC-3/scan.pdf', bytes: undefined },
  ];
  let missing = '';
  attachments.forEach(({ rest, bytes }, i) => {
    const filename = `~/Library/Messages/Attachments/${rest}`;
    db.prepare('INSERT INTO attachment (guid, filename, transfer_name, total_bytes) VALUES (?, ?, ?, ?)').run(
      `ATT-${i}`, filename, path.posix.basename(rest), bytes?.length ?? 0);
    db.prepare('INSERT INTO message_attachment_join VALUES (?, ?)').run(3 + i, i + 1);
    if (!bytes) {
      missing = filename;
      return;
    }
    const file = path.join(attachmentsDir, ...rest.split('/'));
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, bytes);
    files.set(filename, bytes);
  });
  db.close();
  return { chatDb, attachmentsDir, files, missing, handles };
}

/** An encrypted backup (password "pw") of a tiny chat.db made in `dir`, at `dir`/backup; gives that folder. */
export async function encryptedTinyBackup(dir: string, seed: number): Promise<string> {
  const chat = makeTinyChatDb(dir);
  const backup = path.join(dir, 'backup');
  await writeBackup({ chatDb: chat.chatDb, attachmentsDir: chat.attachmentsDir, outDir: backup, seed, encryption: { password: 'pw', dpIterations: 1000, iterations: 10 } });
  return backup;
}
