import { accessSync, constants, existsSync, statSync } from 'node:fs';
import type { KnownFile } from '../normalize/source-archive.js';
import type { MessageSource } from '../read/source.js';
import type { ArchiveStore } from './archive-store.js';
import type { AttachmentFiles } from './attachment-files.js';
import type { StoreWriter } from './store-writer.js';

/**
 * What earlier runs learnt of a source's database file, while it is the very same file (its SHA-256,
 * remembered by size and time): whether a run checked it and found nothing, and its chats' change marks (kept
 * by the source's `id`: a copy in another folder replaces them rather than adding its own).
 * Only a file read where it lies counts: not a copy (decrypted from a backup), nor a database with a -wal
 * or -shm beside it, which may hold more than its file.
 */
export function knownFile(store: ArchiveStore, writer: StoreWriter, files: AttachmentFiles, { dbPath, facts }: MessageSource): KnownFile | undefined {
  if (dbPath !== facts.database || existsSync(`${dbPath}-wal`) || existsSync(`${dbPath}-shm`)) return undefined;
  // What cannot be read is said by opening it, in its own words.
  if (!statSync(dbPath, { throwIfNoEntry: false })?.isFile() || !isReadable(dbPath)) return undefined;
  // A file not hashed as it is now is new or changed: no run knows it (the writer hashes it, see archive-run.ts).
  const sha256 = files.knownSha256(dbPath);
  const find = store.db.prepare('SELECT mark FROM chat_marks WHERE source = ? AND chat_ids = ? AND sha256 = ?').pluck();
  return {
    checkedSound: sha256 !== undefined && store.records.checkedSound(sha256),
    marks: {
      get: (source, chatIds) => (sha256 === undefined ? undefined : (find.get(source, chatIds.join(','), sha256) as string | undefined)),
      set: (source, chatIds, mark) => writer.rememberChatMark({ path: dbPath, source, chatIds: chatIds.join(','), sha256, mark }),
    },
  };
}

function isReadable(path: string): boolean {
  try {
    accessSync(path, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}
