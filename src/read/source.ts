import { basename } from 'node:path';

/** What a source is, for a record of where an export came from (a PDF's cover page, its metadata). */
export interface SourceFacts {
  kind: 'mac-database' | 'iphone-backup' | 'archive';
  /** The file or folder as given, made absolute. */
  path: string;
  /** The messages database file as stored (in a backup: its sms.db file), whose SHA-256 identifies the source. */
  database: string;
  /** Backups: the device's name and iOS version. */
  device?: string;
  osVersion?: string;
  /** Backups: the device's identifier (UDID), the same in every backup of it. */
  udid?: string;
}

/**
 * What each source of a run is known by in the archive: what it is, not where it was read, so that a
 * chat.db copied into a new folder each time (or a newer backup of the same iPhone) stays the same source.
 * A Mac's database is `chat.db`, a backup `iPhone backup <UDID>`; sources of one run that would share a name
 * (two Macs' databases) are each known by where they were read, as `… at <path>`.
 */
export function sourceIds(facts: SourceFacts[]): string[] {
  const kinds = facts.map((f) => (f.kind === 'iphone-backup' ? `iPhone backup ${f.udid ?? basename(f.path)}` : f.kind === 'mac-database' ? 'chat.db' : `archive ${f.path}`));
  return kinds.map((kind, i) => (kinds.indexOf(kind) === kinds.lastIndexOf(kind) ? kind : `${kind} at ${facts[i]!.path}`));
}

/** Where messages come from: a Mac's chat.db, or the sms.db inside an iPhone backup. */
export interface MessageSource {
  /** Short human description, e.g. "chat.db (/Users/a/Library/Messages)" or "iPhone backup: Alice’s iPhone, iOS 17.5, 2024-05-01". */
  description: string;
  /** A SQLite messages database (chat.db schema family) readable on this machine. */
  dbPath: string;
  readonly facts: SourceFacts;
  /**
   * Maps an attachment path as the database stores it (`~/Library/Messages/Attachments/...`,
   * `~/Library/SMS/Attachments/...`, `/var/mobile/Library/SMS/Attachments/...`) to a file on this machine,
   * or undefined when it cannot be mapped. The file may still be missing on disk.
   */
  resolveAttachment(storedPath: string): string | undefined;
  /** Resolved attachment paths must really lie inside one of these folders (links followed); others are withheld. */
  readonly attachmentFolders: string[];
  /** True when resolved attachment paths are temporary copies (decrypted files) gone after the export. */
  readonly transientAttachments?: boolean;
  /** Deletes attachment files made so far (decrypted copies), when the source makes any. */
  releaseAttachments?(): Promise<void>;
  /** Damage met outside the messages database so far (a backup's Manifest.db), as findings of the check. */
  damage?(): string[];
  /** Removes whatever the source made (temporary copies, decrypted files). Safe to call twice. */
  dispose(): Promise<void>;
}
