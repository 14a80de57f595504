import { createHash } from 'node:crypto';
import { closeSync, copyFileSync, existsSync, mkdirSync, openSync, readSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type Database from 'better-sqlite3';
import type { Attachment } from '../model/types.js';
import { copyName } from '../media/media-archive.js';
import type { ArchiveStore } from './archive-store.js';

const CHUNK = 1 << 20;

/**
 * Copies attachment files into the archive folder once per distinct content:
 * `attachments/<first two hex digits>/<sha256>/<its safe name>`. Synchronous, so it runs inside a
 * conversation's store transaction.
 */
export class AttachmentFiles {
  private readonly buffer = Buffer.allocUnsafe(CHUNK);
  private readonly knownHash: Database.Statement;
  private readonly rememberHash: Database.Statement;
  private readonly addFile: Database.Statement;

  constructor(private readonly store: ArchiveStore) {
    const db = store.db;
    this.knownHash = db.prepare('SELECT sha256 FROM file_hashes WHERE source_path = ? AND size = ? AND mtime_ms = ?').pluck();
    this.rememberHash = db.prepare('INSERT OR REPLACE INTO file_hashes (source_path, size, mtime_ms, sha256) VALUES (?, ?, ?, ?)');
    this.addFile = db.prepare('INSERT OR IGNORE INTO attachments (sha256, path, size, first_run) VALUES (?, ?, ?, ?)');
  }

  /** The attachment with `path` made relative to the archive's own copy; unchanged when its file is not readable. */
  keep(attachment: Attachment): Attachment {
    const source = attachment.path;
    if (!source || attachment.missing) return attachment;
    const info = statSync(source, { throwIfNoEntry: false });
    if (!info?.isFile()) return attachment;
    const sha256 = this.sha256Of(source, !attachment.transient);
    const path = `attachments/${sha256.slice(0, 2)}/${sha256}/${copyName(attachment, source)}`;
    const target = join(this.store.dir, path);
    if (!existsSync(target)) {
      mkdirSync(dirname(target), { recursive: true });
      try {
        copyFileSync(source, `${target}.partial`);
        renameSync(`${target}.partial`, target);
      } catch (error) {
        rmSync(`${target}.partial`, { force: true });
        throw error;
      }
    }
    this.addFile.run(sha256, path, info.size, this.store.run);
    return { ...attachment, path, transient: false };
  }

  /** The SHA-256 of a file, remembered by path, size and modification time (unless `remember` is false: temporary copies). */
  sha256Of(path: string, remember = true): string {
    const info = statSync(path);
    let sha256 = this.knownHash.get(path, info.size, info.mtimeMs) as string | undefined;
    if (!sha256) {
      sha256 = this.hash(path);
      if (remember) this.rememberHash.run(path, info.size, info.mtimeMs, sha256);
    }
    return sha256;
  }

  private hash(path: string): string {
    const hash = createHash('sha256');
    const fd = openSync(path, 'r');
    try {
      for (let read = readSync(fd, this.buffer); read > 0; read = readSync(fd, this.buffer)) hash.update(this.buffer.subarray(0, read));
    } finally {
      closeSync(fd);
    }
    return hash.digest('hex');
  }
}
