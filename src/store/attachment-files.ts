import { createHash } from 'node:crypto';
import { closeSync, copyFileSync, existsSync, mkdirSync, openSync, readSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type Database from 'better-sqlite3';
import type { Attachment } from '../model/types.js';
import { copyName } from '../media/media-archive.js';
import { foundOnDisk, type FoundOnDisk } from '../normalize/attachments.js';
import type { FileRows } from './rows.js';

const CHUNK = 1 << 20;

/**
 * Copies attachment files into the archive folder once per distinct content:
 * `attachments/<first two hex digits>/<sha256>/<its safe name>`. What it copied and hashed is collected
 * (`collect`) and written by the store with the conversation that needed it.
 */
export class AttachmentFiles {
  /** Made when a file is first hashed: a run that hashes none need not allocate it. */
  private buffer?: Buffer;
  private readonly knownHash: Database.Statement;
  /** The store knew no file's hash when the run began (a new archive): attachments need not be looked up. */
  private readonly nothingKnown: boolean;
  private found: FileRows = { copies: [], hashes: [] };
  /** Copies this run found in the folder or made (many messages may share one file's content). */
  private readonly present = new Set<string>();

  constructor(
    private readonly dir: string,
    db: Database.Database,
  ) {
    this.knownHash = db.prepare('SELECT sha256 FROM file_hashes WHERE source_path = ? AND size = ? AND mtime_ms = ?').pluck();
    this.nothingKnown = db.prepare('SELECT NOT EXISTS (SELECT 1 FROM file_hashes)').pluck().get() === 1;
  }

  /** Where what is copied and hashed from now on is listed. */
  collect(): FileRows {
    this.found = { copies: [], hashes: [] };
    return this.found;
  }

  /** The attachment with `path` made relative to the archive's own copy; unchanged when its file is not readable. */
  keep(attachment: Attachment): Attachment {
    const source = attachment.path;
    if (!source || attachment.missing) return attachment;
    const info = foundOnDisk(attachment) ?? regularFile(source);
    if (!info) return attachment;
    // A file this run hashed already is hashed again rather than looked up: it costs less than a lookup for every file.
    const sha256 = this.nothingKnown ? this.hashOf(source, info, !attachment.transient) : this.sha256Of(source, info, !attachment.transient);
    const path = `attachments/${sha256.slice(0, 2)}/${sha256}/${copyName(attachment, source)}`;
    const target = join(this.dir, path);
    if (!this.present.has(target) && !existsSync(target)) {
      mkdirSync(dirname(target), { recursive: true });
      const partial = `${target}.partial`;
      try {
        copyFileSync(source, partial);
        renameSync(partial, target);
      } catch (error) {
        rmSync(partial, { force: true });
        throw error;
      }
    }
    this.present.add(target);
    this.found.copies.push({ sha256, path, size: info.size });
    return { ...attachment, path, transient: false };
  }

  /** The SHA-256 of a file, remembered by path, size and modification time (unless `remember` is false: temporary copies). */
  sha256Of(path: string, info: FoundOnDisk = statSync(path), remember = true): string {
    return this.knownSha256(path, info) ?? this.hashOf(path, info, remember);
  }

  /** The file's SHA-256, remembered (unless `remember` is false) by path, size and modification time. */
  private hashOf(path: string, info: FoundOnDisk, remember: boolean): string {
    const sha256 = this.hash(path, info.size);
    if (remember) this.found.hashes.push({ path, size: info.size, mtimeMs: info.mtimeMs, sha256 });
    return sha256;
  }

  /** The SHA-256 a run found for the file while it had this size and modification time; none: not hashed as it is now. */
  knownSha256(path: string, info: FoundOnDisk = statSync(path)): string | undefined {
    return this.knownHash.get(path, info.size, info.mtimeMs) as string | undefined;
  }

  /** Reads to the end; a short read past the size stat found is the end (no further read to learn it: most files take one). */
  private hash(path: string, size: number): string {
    const hash = createHash('sha256');
    const fd = openSync(path, 'r');
    try {
      const buffer = (this.buffer ??= Buffer.allocUnsafe(CHUNK));
      let total = 0;
      for (let read = readSync(fd, buffer); read > 0; read = readSync(fd, buffer)) {
        hash.update(buffer.subarray(0, read));
        total += read;
        if (read < buffer.length && total >= size) break;
      }
    } finally {
      closeSync(fd);
    }
    return hash.digest('hex');
  }
}

function regularFile(path: string): FoundOnDisk | undefined {
  const info = statSync(path, { throwIfNoEntry: false });
  return info?.isFile() ? info : undefined;
}
