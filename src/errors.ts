/** A problem the user can fix (bad path, wrong password, …): shown as one line, exit code 1, no stack trace. */
export class UserError extends Error {
  override readonly name = 'UserError';
}

/**
 * Bad input seen only once the sources were read into the archive's store (a --chat term that chose
 * nothing, dates with no message, --bates beside PDFs the run would not write, or moving numbers produced): no other file was written.
 */
export class Refusal extends UserError {}

/** The user pressed Ctrl-C (or the run got SIGINT, SIGTERM or SIGHUP): thrown where the work stops, so what it began is discarded. */
export class Interrupted extends Error {
  override readonly name = 'Interrupted';
}

/**
 * A failure of the machine told in words with what to do about it (the temporary folder's disk is full): it ends
 * the run as any system error does (what was written is kept, as by an interrupted run), reported as its message.
 */
export class SystemFailure extends Error {
  override readonly name = 'SystemFailure';

  constructor(
    message: string,
    /** The system's code (ENOSPC, SQLITE_FULL, …). */
    readonly code: string,
  ) {
    super(message);
  }
}

/** How an export learns that the user interrupted it. */
export interface RunSignal {
  interrupted: boolean;
  /**
   * Every conversation is written and the archive is being finished (index, manifest, SHA256SUMS: seconds):
   * an interrupt from now on no longer stops the run, which would leave all of it to be written again.
   */
  finishing?: boolean;
}

/** What the operating system's error codes mean to someone running an export. */
const SYSTEM_ERRORS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'the file system is read-only',
  ENOTDIR: 'part of the path is a file, not a folder',
  EISDIR: 'a folder is in the way',
  ENOENT: 'no such file or folder',
  ENOSPC: 'the disk is full',
  SQLITE_FULL: 'the disk is full',
  // Of the databases read, only a live chat.db is read in place (for its snapshot), and says so by its path
  // (open-database.ts); any other lock is on the archive's store, the one database written.
  SQLITE_BUSY: 'another program holds it locked (close it there, then run again)',
  // SQLite opens a file it may not write read-only, and says so at the first write.
  SQLITE_READONLY: 'it is read-only (its permissions, a locked file, or a read-only disk)',
  EDQUOT: 'the disk quota is used up',
  EFBIG: 'the file is too large for this file system',
  ENAMETOOLONG: 'a file name is too long for this file system',
  ELOOP: 'its symbolic links lead round in a loop',
  EIO: 'an input/output error (a failing disk?)',
  // The one database SQLite writes is the archive's store: a disk failing or a file size limit (ulimit -f) reached.
  SQLITE_IOERR_WRITE: 'it could not be written (a failing disk, or a file size limit reached?)',
  SQLITE_IOERR_READ: 'it could not be read (a failing disk?)',
  SQLITE_IOERR_SHORT_READ: 'it could not be read (a failing disk?)',
  SQLITE_IOERR_NOMEM: 'the system is out of memory',
  EMFILE: 'too many open files',
  ENOMEM: 'the system is out of memory',
  EAGAIN: 'the system could not start another process just now (too many running, or too little memory)',
  ENFILE: 'too many open files',
  EEXIST: 'something of that name is already there',
  // Windows: a file another program opened without letting others share it (a sharing violation).
  EBUSY: 'another program has it open (close it there, then run again)',
};

/** The reason an operating system error gives, in words; undefined when the error is not one. */
export function systemReason(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  // macOS refuses the folders it guards (~/Library/Messages, the backups, the Desktop) so until the terminal may.
  if (code === 'EPERM' && process.platform === 'darwin') return MAC_REFUSAL;
  if (typeof code !== 'string') return undefined;
  return SYSTEM_ERRORS[code] ?? (isSqliteIoError(error) ? SYSTEM_ERRORS.EIO : undefined);
}

/**
 * Whether SQLite could not read or write a file (SQLITE_IOERR and its thirty-odd extended codes): a failure of the
 * disk, not damage to what the file holds (SQLITE_CORRUPT, SQLITE_NOTADB), so it ends the run rather than skipping a conversation.
 */
export function isSqliteIoError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code === 'SQLITE_IOERR' || code.startsWith('SQLITE_IOERR_'));
}

export const MAC_REFUSAL = 'permission denied (on a Mac, give your terminal Full Disk Access in System Settings › Privacy & Security)';

/**
 * Whether an error is about the machine or the run as a whole (a full disk, an output file in the way,
 * Ctrl-C) rather than about one conversation (a value no one foresaw, a damaged page of the database):
 * such errors end the run; others skip the conversation.
 */
export function endsTheRun(error: unknown): boolean {
  const name = (error as Error | null)?.name;
  return error instanceof UserError || name === 'UserError' || name === 'Interrupted' || systemReason(error) !== undefined;
}

/**
 * An error a thread can throw to its parent whole: Node hands over an uncaught error of a class of its own
 * (better-sqlite3's SqliteError) as its enumerable fields alone, `{ code }`, and its message is lost.
 */
export function crossingThreads(error: unknown): unknown {
  if (!(error instanceof Error) || error.constructor === Error) return error;
  const { message, code, path, syscall } = error as NodeJS.ErrnoException;
  return Object.assign(new Error(message), { code, path, syscall });
}

/** A system error as one line: what failed, on which path, and why. */
export function describeSystemError(error: NodeJS.ErrnoException & { dest?: string }): string {
  const what = error.syscall ? ` (${error.syscall})` : '';
  const where = error.dest ? `${error.path} → ${error.dest}: ` : error.path ? `${error.path}: ` : '';
  return `${where}${systemReason(error) ?? error.message}${what}`;
}
