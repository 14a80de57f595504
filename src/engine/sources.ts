import { accessSync, constants, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ContactBook, defaultMacAddressBookDirs, loadContacts } from '../contacts/contact-book.js';
import { ShownContacts, type ShownPerson } from '../contacts/shown-people.js';
import { systemReason, UserError } from '../errors.js';
import { MAC_MESSAGES } from '../home-path.js';
import { chatDbSource } from '../read/chat-db-source.js';
import type { MessageSource, SourceFacts } from '../read/source.js';
import { Archive, type ArchiveOptions, type History } from '../normalize/archive.js';
import type { Contacts } from '../normalize/people.js';
import type { Selection } from '../select/match.js';
import { ArchiveStore } from '../store/archive-store.js';
import { StoreArchive } from '../store/store-archive.js';
import type { BackupSource } from '../sources/backup/open-backup.js';
import type { ResolvedOptions, SourceOptions } from './options.js';
import { Spinner } from './spinner.js';

export interface OpenedSources {
  sources: MessageSource[];
  contacts: ContactBook;
  /** Warning lines the sources said so far (a contacts file that gives nothing, a backup's missing file). */
  readonly warnings: number;
  /** Says a warning line, counted with theirs. */
  warn(line: string): void;
  dispose(): Promise<void>;
}

/**
 * Opens every --db and --backup (unlocking encrypted backups), then reads contact names from the
 * Mac's Contacts (on macOS), each backup's contacts and every --contacts file. Their problems are said as
 * `warning: …` lines, and counted.
 */
export async function openSources(options: SourceOptions, log: (line: string) => void): Promise<OpenedSources> {
  let warnings = 0;
  const warn = (line: string) => {
    warnings++;
    log(`warning: ${line}`);
  };
  const dbs = options.db ?? [];
  const backups = options.backup ?? [];
  if (dbs.length === 0 && backups.length === 0) {
    if (process.platform !== 'darwin') throw new UserError('--db, --backup or --archive is required: give a chat.db file, an iPhone backup folder or an archive folder (there is no default outside macOS).');
    dbs.push(join(MAC_MESSAGES, 'chat.db'));
  }
  for (const path of options.contacts ?? []) requireReadable(path);
  if (options.passwordFile !== undefined) requirePasswordFile(options.passwordFile);
  if (options.attachmentsRoot !== undefined) requireFolder('--attachments-root', options.attachmentsRoot);
  const sources: MessageSource[] = dbs.map((db) => chatDbSource(db, options.attachmentsRoot ?? defaultRoot(db)));
  const dispose = () => Promise.all(sources.map((s) => s.dispose())).then(() => undefined);
  try {
    const opened = backups.length > 0 ? await openBackups(options, sources, warn) : { books: [], encrypted: false };
    if (options.passwordFile !== undefined && !opened.encrypted) {
      warn(`--password-file ${options.passwordFile} was not needed: no --backup given is encrypted`);
    } else if (options.passwordFile !== undefined && readableByOthers(options.passwordFile)) {
      warn(`--password-file ${options.passwordFile} can be read by other users of this computer (chmod 600 it, or type the password at the prompt)`);
    }
    const contacts = await readContacts(options, opened.books, warn);
    return { sources, contacts, warn, dispose, get warnings() { return warnings; } };
  } catch (error) {
    await dispose();
    throw error;
  }
}

/**
 * Opens every --backup into `sources` (asking for passwords as needed); gives the contacts databases they hold,
 * and whether any was encrypted.
 */
async function openBackups(options: SourceOptions, sources: MessageSource[], warn: (line: string) => void): Promise<{ books: string[]; encrypted: boolean }> {
  // Loaded only when needed: the backup readers add a noticeable share of start-up time.
  const [{ openBackup, describeApart }, { passwordProvider }] = await Promise.all([import('../sources/backup/open-backup.js'), import('../sources/backup/password.js')]);
  const password = passwordProvider({ passwordFile: options.passwordFile, plainPassword: options.password });
  const spinner = new Spinner();
  const books: string[] = [];
  let encrypted = false;
  const dirs = options.backup ?? [];
  const opened: BackupSource[] = [];
  for (const dir of dirs) {
    // Of several backups (two iPhones with passwords of their own), the prompt says which one it asks for.
    const backup = await openBackup(dir, { password: (tried) => password(dirs.length > 1 ? dir : undefined, tried), progress: spinner, onWarning: warn });
    sources.push(backup);
    opened.push(backup);
    encrypted ||= backup.info.encrypted;
    const contacts = await backup.contactsDatabase().catch((error: Error) => {
      warn(error.message);
      return undefined;
    });
    if (contacts) books.push(contacts);
  }
  describeApart(opened);
  return { books, encrypted };
}

/**
 * The attachment folders (what stands for ~/Library/Messages) of the --db given that hold no `Attachments`: a
 * chat.db copied without it, or an --attachments-root mistyped, has every attachment missing.
 */
export function rootsWithoutAttachments(options: SourceOptions): string[] {
  const roots = new Set((options.db ?? []).map((db) => options.attachmentsRoot ?? defaultRoot(db)));
  return [...roots].filter((root) => !statSync(join(root, 'Attachments'), { throwIfNoEntry: false })?.isDirectory());
}

/** On a Mac reading its own database, ~/Library/Messages; otherwise the folder holding the database. */
function defaultRoot(db: string): string {
  const path = resolve(db);
  return process.platform === 'darwin' && path === join(MAC_MESSAGES, 'chat.db') ? MAC_MESSAGES : dirname(path);
}

async function readContacts(options: SourceOptions, backupBooks: string[], warn: (line: string) => void): Promise<ContactBook> {
  const given = options.contacts ?? [];
  const folders = given.filter((p) => statSync(p, { throwIfNoEntry: false })?.isDirectory());
  const { book, warnings } = await loadContacts({
    files: given.filter((p) => !folders.includes(p)),
    addressBookDirs: [...folders, ...(process.platform === 'darwin' ? defaultMacAddressBookDirs() : [])],
    backupAddressBook: backupBooks,
    country: options.country,
  });
  for (const line of warnings) warn(line);
  return book;
}

/**
 * A `--contacts` path that cannot be read is bad input, like a missing `--db`; so is one that is neither a
 * file nor a folder (a pipe or a device would be read without end).
 */
function requireReadable(path: string): void {
  try {
    accessSync(path, constants.R_OK);
  } catch (error) {
    throw new UserError(`--contacts ${path}: ${systemReason(error) ?? (error as Error).message}.`);
  }
  const kind = statSync(path);
  if (!kind.isFile() && !kind.isDirectory()) throw new UserError(`--contacts ${path}: not a file or folder (a .vcf file, an AddressBook folder or an AddressBook.sqlitedb).`);
}

/** A password file mistyped is said at once, whether or not a backup turns out to need it. */
function requirePasswordFile(path: string): void {
  try {
    accessSync(path, constants.R_OK);
  } catch (error) {
    throw new UserError(`--password-file ${path}: ${systemReason(error) ?? (error as Error).message}.`);
  }
  if (!statSync(path).isFile()) throw new UserError(`--password-file ${path}: not a file.`);
}

/** Whether users other than its owner may read the file (POSIX modes: Windows reports none of them). */
function readableByOthers(path: string): boolean {
  return process.platform !== 'win32' && (statSync(path).mode & 0o044) !== 0;
}

/** A folder given to read from: a mistyped one would only have every attachment listed as missing. */
function requireFolder(flag: string, path: string): void {
  try {
    if (!statSync(path).isDirectory()) throw new UserError(`${flag} ${path}: not a folder.`);
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UserError(`${flag} ${path}: ${systemReason(error) ?? (error as Error).message}.`);
  }
}

export interface OpenedArchive {
  archive: Archive;
  facts: SourceFacts[];
  contacts: Contacts;
  readonly warnings: number;
  close(): Promise<void>;
}

/** What an archive's store tells the run of what it holds (see `openArchive`). */
interface StoreKnowledge extends Pick<ArchiveOptions, 'known' | 'storedKey' | 'identify'> {
  shown: ShownPerson[];
}

/**
 * The sources opened and combined into one Archive; close() lets go of everything. What the archive's `store`
 * says earlier runs learnt of a database file saves checking and counting it again; it knows the sources by
 * what it knew them by (`identify`), conversations by the keys it gave them (`storedKey`), and people as it
 * showed them where the run's contacts do not name them (`shown`).
 */
export async function openArchive(options: ResolvedOptions, store?: StoreKnowledge): Promise<OpenedArchive> {
  const opened = await openSources(options.sources, options.log);
  try {
    const contacts = store ? new ShownContacts(opened.contacts, store.shown) : opened.contacts;
    const archive = await Archive.open(opened.sources, { ...options.archive, ...store, contacts, warn: opened.warn });
    return {
      archive,
      facts: archive.facts,
      contacts,
      get warnings() {
        return opened.warnings;
      },
      async close() {
        await archive.close();
        await opened.dispose();
      },
    };
  } catch (error) {
    await opened.dispose();
    throw error;
  }
}

/** What checking the databases found: damage, and rows lost to it (each said on stderr). */
export interface DamageCounts {
  findings: number;
  unreadable: number;
  /** More rows may be lost than `unreadable` counts. */
  uncounted?: boolean;
  /** Some of the damage is in a Mac's chat.db (see `COPIED_WHILE_IN_USE`). */
  inMacDatabase?: boolean;
  /** The damaged sources of a run that read several (none named when it read one). */
  damaged?: string[];
}

/** Says on stderr what checking the databases found damaged and which rows are lost, and counts them. */
export async function reportDamage(archive: Archive, log: (line: string) => void): Promise<DamageCounts> {
  const { findings, unreadable, uncounted, inMacDatabase, damaged } = await archive.damage();
  for (const line of [...findings, ...unreadable]) log(`warning: ${line}`);
  return { findings: findings.length, unreadable: unreadable.length, uncounted, inMacDatabase, damaged };
}

/** A history to read from (list, stats, the library): the devices, or an archive folder's store alone. */
export interface OpenedHistory {
  history: History & { readonly selection?: Selection };
  /** Says on stderr what checking the devices' databases found (an archive folder's store was checked when opened). */
  reportDamage(log: (line: string) => void): Promise<DamageCounts>;
  close(): Promise<void>;
}

export async function openHistory(options: ResolvedOptions): Promise<OpenedHistory> {
  const { archive: folder, db = [], backup = [] } = options.sources;
  if (folder === undefined) {
    const opened = await openArchive(options);
    return { history: opened.archive, reportDamage: (log) => reportDamage(opened.archive, log), close: opened.close };
  }
  if (db.length + backup.length > 0) {
    throw new UserError('--archive reads an archive folder alone here: to add --db or --backup to it, export them into it first (`textkeeper export --out`).');
  }
  const history = new StoreArchive(ArchiveStore.open(resolve(folder), { create: false, readonly: true, snapshot: true }), { ...options.archive, contacts: new ContactBook() });
  return { history, reportDamage: async () => ({ findings: 0, unreadable: 0 }), close: () => history.close() };
}
