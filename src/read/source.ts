import { basename } from 'node:path';

/** What a source is, for a record of where an export came from (a PDF's cover page, its metadata). */
export interface SourceFacts {
  kind: 'mac-database' | 'iphone-backup' | 'archive';
  /** The file or folder as given, made absolute. */
  path: string;
  /** The messages database file as stored (in a backup: its sms.db file), whose SHA-256 identifies the source. */
  database: string;
  /**
   * Its -wal as stored, when one holding anything was read with it (beside a Mac's chat.db; in a backup, its
   * sms.db-wal file): the newest rows may be only there, so its SHA-256 is named beside the database's.
   */
  wal?: string;
  /** Backups: the device's name and iOS version. */
  device?: string;
  osVersion?: string;
  /** Backups: the device's identifier (UDID), the same in every backup of it. */
  udid?: string;
  /** Backups: when the backup was made (Info.plist's Last Backup Date). */
  backedUp?: Date;
}

/**
 * What each source of a run is known by in the archive: what it is, not where it was read, so that a
 * chat.db copied into a new folder each time (or a newer backup of the same iPhone) stays the same source.
 * A Mac's database is `chat.db`, a backup `iPhone backup <UDID>`; sources of one run that would share a name
 * (two Macs' databases) are each known by where they were read, as `… at <path>`, but for the backup of an
 * iPhone made last: it is that iPhone, as it is in a run that reads it alone.
 */
export function sourceIds(facts: SourceFacts[]): string[] {
  const kinds = facts.map((f) => (f.kind === 'iphone-backup' ? `iPhone backup ${f.udid ?? basename(f.path)}` : f.kind === 'mac-database' ? 'chat.db' : `archive ${f.path}`));
  const alone = (kind: string, i: number) => kinds.indexOf(kind) === kinds.lastIndexOf(kind) || newestBackup(facts, kinds, kind) === i;
  return kinds.map((kind, i) => (alone(kind, i) ? kind : `${kind} at ${facts[i]!.path}`));
}

/** Which of the backups known as `kind` was made last; undefined when none says when, or two were made then. */
function newestBackup(facts: SourceFacts[], kinds: string[], kind: string): number | undefined {
  const times = kinds.map((k, i) => (k === kind ? (facts[i]!.backedUp?.getTime() ?? NaN) : NaN));
  const latest = Math.max(...times.filter((t) => !Number.isNaN(t)));
  return times.filter((t) => t === latest).length === 1 ? times.indexOf(latest) : undefined;
}

/**
 * A Mac database's chats and handles by what they are (`chat <guid>`, `handle <service> <id>`), with the ROWIDs it
 * gave them: a database keeps them for life (Messages purges old messages, not chats nor handles), while another
 * Mac's numbers the same chats and handles in the order it met them.
 */
export type Lineage = Map<string, number>;

/** Whether two lineages are of one database read at two times: most of what both hold has one ROWID in both (or one holds nothing). */
function sameDatabase(a: Lineage, b: Lineage): boolean {
  if (a.size === 0 || b.size === 0) return true;
  let shared = 0;
  let agreed = 0;
  for (const [item, rowId] of a) {
    const other = b.get(item);
    if (other === undefined) continue;
    shared++;
    if (other === rowId) agreed++;
  }
  return agreed * 2 > shared;
}

/** A source of a run as `lineageIds` takes it: what it would be known by (see `sourceIds`), and a Mac database's lineage. */
export interface Found {
  id: string;
  path: string;
  lineage?: Lineage;
  /** Backups: when it was made (ms since 1970). */
  backedUp?: number;
}

/**
 * What each source of a run is known by, given the lineages of the Mac databases the archive read before (by
 * id, the one to prefer first): a Mac database is the one whose lineage its own continues (a copy in a new folder
 * is still `chat.db`; of two that it continues, its own id's, else the first); else known by its own id when the
 * archive knows no database by it, else by where it was read (`chat.db at <path>`: another Mac's database, read
 * into the archive in a run of its own, stays a source of its own).
 */
export function lineageIds(found: Found[], known: Map<string, Lineage>): string[] {
  const taken = new Set(found.filter((f) => !f.lineage).map((f) => f.id));
  return found.map(({ id, path, lineage }) => {
    if (!lineage) return id;
    const same = [id, ...known.keys()].find((k) => !taken.has(k) && known.has(k) && sameDatabase(known.get(k)!, lineage));
    let chosen = same ?? id;
    for (let n = 1; !same && (known.has(chosen) || taken.has(chosen)); n++) chosen = n === 1 ? `chat.db at ${path}` : `chat.db at ${path} (${n})`;
    taken.add(chosen);
    return chosen;
  });
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
