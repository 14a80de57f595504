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
