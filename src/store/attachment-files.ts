import { accessSync, constants, existsSync, linkSync, mkdirSync, readdirSync, rmdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import type Database from 'better-sqlite3';
import { systemReason } from '../errors.js';
import type { Attachment } from '../model/types.js';
import { alteredCopy, alteredCopyWarning, couldNotCopy, notCopiedWarning, unreadableFile } from '../model/attachments.js';
import { copyAsNewSync } from '../output/copied-file.js';
import { renameIntoPlaceSync } from '../output/rename-into-place.js';
import { copyName } from '../media/media-archive.js';
import { foundOnDisk, type FoundOnDisk } from '../normalize/attachments.js';
import { FileHasher } from './file-hasher.js';
import { fileSha256, HASH_CHUNK } from './file-sha256.js';
import type { OutsideChanges } from './outside-changes.js';
import type { FileRows } from './rows.js';

/**
 * Copies attachment files into the archive folder once per distinct content:
 * `attachments/<first two hex digits>/<sha256>/<its safe name>`. The same content under another name shares
 * the bytes of the copy there where the file system can (see `shared`). What it copied and hashed is collected
 * (`collect`) and written by the store with the conversation that needed it.
 */
export class AttachmentFiles {
  /** Made when a file is first hashed: a run that hashes none need not allocate it. */
  private buffer?: Buffer;
  private readonly knownHash: Database.Statement;
  private readonly sealedCopy: Database.Statement;
  /** The store knew no file's hash when the run began (a new archive): attachments need not be looked up. */
  private readonly nothingKnown: boolean;
  /** The store's remembered hashes may be forged (see `distrustKnown`): every file is hashed. */
  private distrusted = false;
  private found: FileRows = { copies: [], hashes: [] };
  /** Copies this run found in the folder or made (many messages may share one file's content). */
  private readonly present = new Set<string>();
  /** The copies this run made (the others were in the folder already). */
  private readonly made = new Set<string>();
  /** The first copy this run made of each content, by its SHA-256. */
  private readonly madeOf = new Map<string, string>();
  /** Hashes found ahead of `keep` (by `hashAhead`), by what they are remembered by (`hashKey`): `fresh` ones were computed, not looked up. */
  private readonly ahead = new Map<string, { sha256: string; fresh: boolean }>();
  private readonly hasher = new FileHasher();
  /** Warnings said (see `notCopied`). */
  warned = 0;

  constructor(
    private readonly dir: string,
    db: Database.Database,
    /** Says an original that could not be copied (see `notCopied`), or a copy altered (see `altered`). */
    private readonly warn: (line: string) => void = () => {},
    /**
     * The folder's copies altered since the last run sealed it, to copy again from a device that has the original
     * (`outside`); an archive folder read as a source, whose copies are taken in only as their folders name them (`archive`).
     */
    private readonly checks: { outside?: Pick<OutsideChanges, 'altered' | 'restored'>; archive?: string } = {},
  ) {
    this.knownHash = db.prepare('SELECT sha256 FROM file_hashes WHERE source_path = ? AND size = ? AND mtime_ms = ?').pluck();
    this.sealedCopy = db.prepare('SELECT 1 FROM manifest WHERE path = ? AND sha256 = ? AND size = ? AND mtime_ms = ?').pluck();
    this.nothingKnown = db.prepare('SELECT NOT EXISTS (SELECT 1 FROM file_hashes)').pluck().get() === 1;
  }

  /** Starts the hashing thread now, for a run that will hash files (a new archive hashes every one it copies). */
  startHashing(): void {
    this.hasher.startEarly();
  }

  /**
   * Takes no attachment's hash the store remembers from now on, for a store changed by another program (see
   * ArchiveStore.distrusts): a forged one would have the file copied into another content's folder. The hashes
   * found are remembered in their place.
   */
  distrustKnown(): void {
    this.distrusted = true;
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
    let sha256: string;
    const key = hashKey(attachment);
    try {
      sha256 = this.sha256Ahead(key, info, !attachment.transient) ?? this.sha256Of(source, info, !attachment.transient, key);
    } catch (error) {
      return unreadable(attachment, error);
    }
    if (this.checks.archive !== undefined && alteredIn(this.checks.archive, source, sha256)) return this.altered(attachment, source);
    const folder = `attachments/${sha256.slice(0, 2)}/${sha256}`;
    const path = `${folder}/${copyName(attachment, source)}`;
    const target = join(this.dir, path);
    const restores = this.restores(path);
    if (restores || (!this.present.has(target) && !existsSync(target))) {
      const same = this.copyOf(folder, sha256);
      try {
        if (!same || !shared(same, target)) copyInto(source, target);
      } catch (error) {
        // The original read (or hashed) before is gone or unreadable now; any other failure is the archive's disk's.
        if (readable(source)) throw error;
        return this.notCopied(attachment, error);
      }
      // A copy made again in place of an altered one stays, whatever becomes of the run (see `removeMade`).
      if (restores) this.checks.outside!.restored.set(path, attachment.transient ? 'the backup' : source);
      else this.made.add(target);
      if (!this.madeOf.has(sha256)) this.madeOf.set(sha256, target);
    }
    this.present.add(target);
    this.found.copies.push({ sha256, path, size: info.size });
    // The size shown is the copy's: the row's total_bytes stays as it was when the device's file is replaced.
    return { ...attachment, path, size: info.size, transient: false };
  }

  /** Whether the copy at `path` (in the folder) was altered since the seal, and this run has not copied it again yet. */
  private restores(path: string): boolean {
    const outside = this.checks.outside;
    return outside !== undefined && outside.altered.has(path) && !outside.restored.has(path);
  }

  /** A copy of the archive read as a source that is not the file its folder names: said, and shown as altered, never taken in. */
  private altered(attachment: Attachment, copy: string): Attachment {
    this.warned++;
    this.warn(alteredCopyWarning(attachment.fileName, copy));
    return { ...attachment, path: undefined, missing: true, withheld: alteredCopy(copy) };
  }

  /**
   * A copy in `folder` (named by `sha256`) under another name, known to hold those bytes: one this run made, or
   * one as the last run sealed it (the folder also holds what was converted from the copy, and a copy may have
   * been changed since, not by textkeeper).
   */
  private copyOf(folder: string, sha256: string): string | undefined {
    const made = this.madeOf.get(sha256);
    // A new archive's folder holds only what this run made.
    if (made || this.nothingKnown || !existsSync(join(this.dir, folder))) return made;
    for (const name of readdirSync(join(this.dir, folder))) {
      const path = join(this.dir, folder, name);
      const info = statSync(path, { throwIfNoEntry: false });
      if (info && this.sealedCopy.get(`${folder}/${name}`, sha256, info.size, info.mtimeMs)) return path;
    }
    return undefined;
  }

  /**
   * Finds the hashes `keep` will need for these attachments: those the store knows, and the others on
   * another thread, so that this one reads on meanwhile. Never fails (`keep` hashes what was not found).
   */
  async hashAhead(attachments: Attachment[]): Promise<void> {
    const unknown: [path: string, size: number][] = [];
    const keys: string[] = [];
    for (const attachment of attachments) {
      const info = foundOnDisk(attachment);
      if (!attachment.path || attachment.missing || !info) continue;
      const key = hashKey(attachment);
      // A new archive knows no hash: nothing is looked up (a file this run hashed already is hashed again).
      const known = this.nothingKnown ? undefined : this.known(key, attachment.path, info);
      if (known) this.ahead.set(key, known);
      else {
        keys.push(key);
        unknown.push([attachment.path, info.size]);
      }
    }
    const hashes = await this.hasher.hash(unknown);
    keys.forEach((key, i) => {
      const sha256 = hashes[i];
      if (sha256) this.ahead.set(key, { sha256, fresh: true });
    });
  }

  /** The hash `hashAhead` found for the file (by `hashKey`), remembered when it was computed. */
  private sha256Ahead(key: string, info: FoundOnDisk, remember: boolean): string | undefined {
    const found = this.ahead.get(key);
    if (!found) return undefined;
    this.ahead.delete(key);
    if (found.fresh) this.remember(key, info, found.sha256, remember);
    return found.sha256;
  }

  /**
   * The SHA-256 of a file, remembered by `key` (its path unless said: see `hashKey`), size and modification time
   * (unless `remember` is false: temporary copies).
   */
  sha256Of(path: string, info: FoundOnDisk = statSync(path), remember = true, key = path): string {
    const known = this.known(key, path, info);
    if (known && !known.fresh) return known.sha256;
    const sha256 = known?.sha256 ?? fileSha256(path, info.size, (this.buffer ??= Buffer.allocUnsafe(HASH_CHUNK)));
    this.remember(key, info, sha256, remember);
    return sha256;
  }

  /**
   * The hash remembered for the file by its key; else by its path, as a store before version 7 remembered an
   * attachment's (`fresh`: to be remembered by its key: the first run after the upgrade hashes no file again).
   */
  private known(key: string, path: string, info: FoundOnDisk): { sha256: string; fresh: boolean } | undefined {
    if (this.distrusted) return undefined;
    const sha256 = this.knownSha256(key, info);
    if (sha256) return { sha256, fresh: false };
    const before = key === path ? undefined : this.knownSha256(path, info);
    return before === undefined ? undefined : { sha256: before, fresh: true };
  }

  /** Lists the hash of a file hashed elsewhere (see HashesInPieces) for the store to remember. */
  learn(path: string, info: FoundOnDisk, sha256: string): void {
    this.remember(path, info, sha256, true);
  }

  /** Lists a hash computed for the store to remember by key (a path), size and modification time (unless `remember` is false). */
  private remember(key: string, info: FoundOnDisk, sha256: string, remember: boolean): void {
    if (remember) this.found.hashes.push({ path: key, size: info.size, mtimeMs: info.mtimeMs, sha256 });
  }

  /**
   * An original hashed (or known) that its copy then failed to read (removed, or its permissions changed since):
   * said as a warning and where the file would be, never linked; the run goes on.
   */
  private notCopied(attachment: Attachment, error: unknown): Attachment {
    const reason = systemReason(error);
    if (reason === undefined) throw error;
    this.warned++;
    this.warn(notCopiedWarning(attachment.fileName, attachment.transient ? 'the backup' : attachment.path!, reason));
    return { ...attachment, path: undefined, missing: true, withheld: couldNotCopy(reason, attachment.transient ? undefined : attachment.path) };
  }

  /** Removes the copies this run made, and the folders they leave empty: what it read is not kept. */
  removeMade(): void {
    for (const target of this.made) {
      rmSync(target, { force: true });
      removeEmptyFolders(dirname(target), this.dir);
    }
    this.made.clear();
    this.madeOf.clear();
  }

  /** The SHA-256 a run found for the file (by key: a path) while it had this size and modification time; none: not hashed as it is now. */
  knownSha256(key: string, info: FoundOnDisk = statSync(key)): string | undefined {
    return this.knownHash.get(key, info.size, info.mtimeMs) as string | undefined;
  }
}

/** What an attachment's hash is remembered by: its source and stored path, as its row was read (see `FoundOnDisk`); else where it is. */
function hashKey(attachment: Attachment): string {
  return foundOnDisk(attachment)?.key ?? attachment.path!;
}

/** Whether `source` is a copy in the archive folder `archive` whose folder names other bytes than its own (`sha256`). */
function alteredIn(archive: string, source: string, sha256: string): boolean {
  const named = COPY_IN_FOLDER.exec(relative(archive, source))?.[1];
  return named !== undefined && named !== sha256;
}

/** An attachment's copy in an archive folder (`attachments/xx/<sha256>/<name>`), by a path relative to it: its folder's SHA-256. */
const COPY_IN_FOLDER = /^attachments[\\/][0-9a-f]{2}[\\/]([0-9a-f]{64})[\\/][^\\/]+$/;

/** Copies `source` to `target` through a partial file (never half a copy at `target`). */
function copyInto(source: string, target: string, mode = constants.COPYFILE_FICLONE): void {
  mkdirSync(dirname(target), { recursive: true });
  const partial = `${target}.partial`;
  try {
    // A clone where the file system makes one (APFS, Btrfs, XFS): no second copy of tens of gigabytes on disk.
    copyAsNewSync(source, partial, mode);
    renameIntoPlaceSync(partial, target);
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  }
}

/**
 * Whether `target` was made to share the bytes of `existing` on disk: a clone (APFS, Btrfs, XFS: two files
 * still), else a hard link (one file under two names: changed in place, both change); neither on FAT, exFAT
 * and some network shares.
 */
function shared(existing: string, target: string): boolean {
  return done(() => copyInto(existing, target, constants.COPYFILE_FICLONE_FORCE)) || done(() => linkSync(existing, target));
}

/** Whether `make` did not fail. */
function done(make: () => void): boolean {
  try {
    make();
    return true;
  } catch {
    return false;
  }
}

/**
 * A file that cannot be read (permissions, a failing disk) is not copied, and says why and where it is (not a
 * backup's file decrypted for the run, gone after it) where it would be; the run goes on.
 */
function unreadable(attachment: Attachment, error: unknown): Attachment {
  const reason = systemReason(error);
  if (reason === undefined) throw error;
  return { ...attachment, path: undefined, missing: true, withheld: unreadableFile(reason, attachment.transient ? undefined : attachment.path) };
}

/** Whether the file at `path` is a regular file this process can read. */
function readable(path: string): boolean {
  try {
    accessSync(path, constants.R_OK);
    return regularFile(path) !== undefined;
  } catch {
    return false;
  }
}

function regularFile(path: string): FoundOnDisk | undefined {
  const info = statSync(path, { throwIfNoEntry: false });
  return info?.isFile() ? info : undefined;
}

/** Removes `folder`, then the folders holding it up to `top` (left), while each is empty. */
function removeEmptyFolders(folder: string, top: string): void {
  for (let at = folder; at !== top && at.startsWith(top); at = dirname(at)) {
    try {
      rmdirSync(at);
    } catch {
      return;
    }
  }
}
