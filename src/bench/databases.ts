import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { generateChatDb, type GenerateOptions } from '../generate/index.js';

/** Databases and outputs of the bench live here; databases are made once and kept. */
export const WORK = join(tmpdir(), 'textkeeper-bench');
/** Outputs of this run, removed at its end (several benches may run at once, e.g. `--only` different rows). */
export const OUT = join(WORK, `out-${process.pid}`);

export interface BenchDatabase {
  db: string;
  /** The folder standing for ~/Library/Messages (attachments are under it). */
  root: string;
}

export async function database(name: string, options: Omit<GenerateOptions, 'path' | 'attachmentsDir'>): Promise<BenchDatabase> {
  const root = join(WORK, name);
  const db = join(root, 'chat.db');
  if (!existsSync(db)) {
    mkdirSync(root, { recursive: true });
    process.stderr.write(`generating ${name} (once; kept in ${WORK}) …\n`);
    await generateChatDb({ ...options, path: db, attachmentsDir: join(root, 'Attachments') });
  }
  return { db, root };
}

export const DATABASES = {
  corpus200k: () => database('corpus-200k', { messages: 200_000, seed: 42 }),
  corpus1m: () => database('corpus-1m', { messages: 1_000_000, seed: 47, conversations: 400 }),
  thread20k: () => database('thread-20k', { messages: 20_000, seed: 43, singleConversation: true, images: 200 }),
  photos: () => database('photos-1k', { messages: 3_000, seed: 44, images: 1_000 }),
  thread5k: () => database('thread-5k', { messages: 5_000, seed: 45, singleConversation: true, images: 50 }),
  thread50k: () => database('thread-50k', { messages: 50_000, seed: 46, singleConversation: true, images: 500 }),
};

/** Removes a database's newest messages (with their chat and attachment links), as the device had it before they came. */
export function withoutNewest(path: string, count: number): void {
  const db = new Database(path);
  try {
    db.exec(`CREATE TEMP TABLE newest AS SELECT ROWID AS id FROM message ORDER BY date DESC LIMIT ${count};
      DELETE FROM chat_message_join WHERE message_id IN (SELECT id FROM newest);
      DELETE FROM message_attachment_join WHERE message_id IN (SELECT id FROM newest);
      DELETE FROM message WHERE ROWID IN (SELECT id FROM newest);`);
  } finally {
    db.close();
  }
}
