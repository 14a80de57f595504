import type Database from 'better-sqlite3';
import type { CopiedFile, ManifestEntry } from './manifest.js';

/**
 * The archive folder's files as the store records them: what each format last wrote for each conversation
 * (`rendered`), and the manifest of every file the last finished run sealed.
 */
export class WrittenFiles {
  /** The files this run recorded as written (see `recordWritten`). */
  private readonly written: CopiedFile[] = [];
  private readonly rendered: Database.Statement;
  private readonly hashOf: Database.Statement;

  constructor(
    private readonly db: Database.Database,
    /** The run this is (see `ArchiveStore.run`). */
    private readonly runId: () => number,
  ) {
    this.rendered = db.prepare('INSERT OR REPLACE INTO rendered (conversation_key, format, fingerprint, stem, file, counts) VALUES (?, ?, ?, ?, ?, ?)');
    this.hashOf = db.prepare('INSERT OR REPLACE INTO file_hashes (source_path, size, mtime_ms, sha256) VALUES (?, ?, ?, ?)');
  }

  /**
   * Records what each format wrote for each conversation (see StoreArchive.keptFile), with what it counts of the
   * conversation's attachments; formats written `whole` this run (HTML: its index lists only this run's
   * conversations) forget every earlier file.
   */
  saveRendered(rows: { key: string; format: string; fingerprint: string; stem: string; file: string; counts?: string }[], whole: string[]): void {
    if (rows.length === 0 && whole.length === 0) return;
    const forget = this.db.prepare('DELETE FROM rendered WHERE format = ?');
    this.db.transaction(() => {
      for (const format of whole) forget.run(format);
      for (const r of rows) this.rendered.run(r.key, r.format, r.fingerprint, r.stem, r.file, r.counts ?? null);
    })();
  }

  /** A file's SHA-256 by its path, size and time: a later run that finds it so hashes it no more. */
  rememberHash({ path, size, mtimeMs, sha256 }: { path: string; size: number; mtimeMs: number; sha256: string }): void {
    this.hashOf.run(path, size, mtimeMs, sha256);
  }

  /**
   * Records a file of a format kept across runs once it is written whole, with its size, time and SHA-256 (in
   * `file_hashes`, by its path in the folder): a run that does not finish leaves it to the next, which keeps it
   * while it is made from the same fingerprint and is as recorded (see StoreArchive.keptFile). The manifest
   * stays as the last finished run sealed it. A failure (the disk full) only leaves the file to be written again.
   * What it counts is recorded with every file at the run's end (`saveRendered`).
   */
  recordWritten(key: string, stem: string, { format, fingerprint, path, size, mtimeMs, sha256 }: ManifestEntry & { format: string; fingerprint: string }): void {
    try {
      this.db.transaction(() => {
        this.rendered.run(key, format, fingerprint, stem, path, null);
        this.rememberHash({ path, size, mtimeMs, sha256 });
      })();
      this.written.push({ path, size, sha256 });
    } catch {
      // The run's end records every file it wrote again, and says what stops it.
    }
  }

  /** Whether the file is one a format wrote for a conversation, as recorded (see `saveRendered`). */
  isRendered(file: string): boolean {
    return this.db.prepare('SELECT 1 FROM rendered WHERE file = ?').pluck().get(file) !== undefined;
  }

  /** Whether an HTML conversation's pages in this folder are recorded (a run writing HTML records only the ones it wrote). */
  hasHtmlIn(folder: string): boolean {
    return this.db.prepare("SELECT 1 FROM rendered WHERE format = 'html' AND substr(file, 1, length(@folder)) = @folder").pluck().get({ folder }) !== undefined;
  }

  /** The formats the folder holds files of. */
  renderedFormats(): string[] {
    return this.db.prepare('SELECT DISTINCT format FROM rendered ORDER BY format').pluck().all() as string[];
  }

  /**
   * Forgets the times recorded for these files (their bytes changed, their size and time did not): a format keeps
   * one only once its hash is found to be the one recorded (see StoreArchive.asListed), which it no longer is.
   */
  distrustTimes(paths: string[]): void {
    if (paths.length === 0) return;
    const manifest = this.db.prepare('UPDATE manifest SET mtime_ms = -1 WHERE path = ?');
    const hashed = this.db.prepare('UPDATE file_hashes SET mtime_ms = -1 WHERE source_path = ?');
    this.db.transaction(() => {
      for (const path of paths) {
        manifest.run(path);
        hashed.run(path);
      }
    })();
  }

  /**
   * The files of conversations the store has, as the last run that wrote each recorded it (see `recordWritten`):
   * after a run that did not finish, the ones it wrote since the manifest was sealed.
   */
  recordedAsWritten(): Map<string, ManifestEntry> {
    const rows = this.db.prepare(`SELECT h.source_path AS path, h.size, h.sha256, h.mtime_ms AS mtimeMs FROM file_hashes h
      WHERE h.source_path IN (SELECT file FROM rendered)`).all() as ManifestEntry[];
    return new Map(rows.map((e) => [e.path, e]));
  }

  manifest(): ManifestEntry[] {
    return this.db.prepare('SELECT path, size, sha256, mtime_ms AS mtimeMs FROM manifest ORDER BY path').all() as ManifestEntry[];
  }

  /**
   * The attachment copies this run made, each named by the SHA-256 of the file it copied, and the files it
   * recorded as written: the manifest takes those hashes rather than reading tens of gigabytes a second time
   * at the end of a first run.
   */
  copiesOfThisRun(): CopiedFile[] {
    return [...this.db.prepare('SELECT path, size, sha256 FROM attachments WHERE first_run = ?').all(this.runId()) as CopiedFile[], ...this.written];
  }

  saveManifest(entries: ManifestEntry[]): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM manifest').run();
      const add = this.db.prepare('INSERT INTO manifest (path, size, sha256, mtime_ms) VALUES (?, ?, ?, ?)');
      for (const e of entries) add.run(e.path, e.size, e.sha256, e.mtimeMs);
    })();
  }
}
