import { closeSync, existsSync, lstatSync, openSync, readdirSync, readSync, rmdirSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { UserError } from '../errors.js';
import { ArchiveStore } from './archive-store.js';
import { STORE_FILE, SUMS_FILE } from './file-names.js';
import { isSystemFile, sealedStoreSha256 } from './manifest.js';

/** What earlier textkeeper versions wrote into --out (before archives kept a store). */
const EARLIER_OUTPUT = /^(index\.html|search\.html|conversations|assets|attachments|thumbs|search|.*\.(txt|pdf|partial))$/;
/**
 * What marks a text file or PDF as textkeeper's: its first line, its Producer. A run replaces such files,
 * so one the user made (a Mom.pdf of their own, notes.txt) makes the folder not earlier output.
 */
const OUR_MARK: Record<string, { bytes: Buffer; atStart: boolean }> = {
  txt: { bytes: Buffer.from('Conversation: '), atStart: true },
  pdf: { bytes: Buffer.from('(textkeeper \\(pdfkit\\))'), atStart: false },
};
const CHUNK = 1 << 20;

/**
 * The store of the folder a run writes into: the existing one, or a new one for an empty folder or
 * a folder holding only earlier textkeeper output. Any other folder is refused, so nothing of the
 * user's is ever mixed into an archive.
 */
export function openOutputStore(dir: string): ArchiveStore {
  refuseLostStore(dir);
  if (existsSync(join(dir, STORE_FILE))) return ArchiveStore.open(dir, { create: false, readonly: false });
  const foreign = existsSync(dir) ? readdirSync(dir).filter((name) => name !== SUMS_FILE && !name.startsWith(STORE_FILE) && !isSystemFile(name, true) && !isEarlierOutput(join(dir, name))) : [];
  if (foreign.length > 0) {
    throw new UserError(`--out ${dir} is not empty and not a textkeeper archive (it holds ${foreign.slice(0, 3).join(', ')}${foreign.length > 3 ? ', …' : ''}): choose an empty folder or an existing archive.`);
  }
  return ArchiveStore.open(dir, { create: true, readonly: false });
}

function isEarlierOutput(path: string): boolean {
  if (!EARLIER_OUTPUT.test(basename(path))) return false;
  const mark = OUR_MARK[extname(path).slice(1)];
  if (!mark || lstatSync(path).isDirectory()) return true;
  try {
    return holds(path, mark.bytes, mark.atStart);
  } catch {
    return false; // unreadable: not known to be ours
  }
}

/** Whether the file holds `bytes` (at its start, or anywhere), read a chunk at a time. */
function holds(path: string, bytes: Buffer, atStart: boolean): boolean {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(CHUNK + bytes.length);
    let kept = 0;
    for (;;) {
      const filled = kept + readSync(fd, buffer, kept, atStart ? bytes.length : CHUNK, null);
      if (atStart) return buffer.subarray(0, filled).equals(bytes);
      if (buffer.subarray(0, filled).includes(bytes)) return true;
      if (filled === kept) return false;
      // The mark may straddle two chunks: the end of this one starts the next.
      kept = Math.min(bytes.length - 1, filled);
      buffer.copy(buffer, 0, filled - kept, filled);
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * A folder whose SHA256SUMS lists the store was sealed with one: a store gone or emptied since (a sync
 * gone wrong, a failed copy) is the archive's record lost — the messages only it kept, their history — and
 * a new one would rewrite the files without them. (An empty store beside no such line is a first run killed
 * before it made its tables.)
 */
function refuseLostStore(dir: string): void {
  const store = join(dir, STORE_FILE);
  const size = statSync(store, { throwIfNoEntry: false })?.size;
  if (size !== undefined && size > 0) return;
  if (sealedStoreSha256(dir) === undefined) return;
  throw new UserError(`${store} is ${size === undefined ? 'missing' : 'empty'}, though ${SUMS_FILE} lists it: the archive's record of what it keeps is lost, and a new one would rewrite its files without the messages only it kept; the folder was left untouched — restore ${STORE_FILE} from a backup, or choose another --out.`);
}

/** What a run found at --out before it began. */
export interface FolderBefore {
  hadStore: boolean;
  /** The outermost folder of the path that was not there (the run makes it and those inside it), if any. */
  firstMissing?: string;
}

export function folderBefore(dir: string): FolderBefore {
  return { hadStore: existsSync(join(dir, STORE_FILE)), firstMissing: firstMissing(resolve(dir)) };
}

function firstMissing(dir: string): string | undefined {
  if (existsSync(dir)) return undefined;
  const parent = dirname(dir);
  return parent === dir ? dir : (firstMissing(parent) ?? dir);
}

/**
 * Undoes a new archive that bad input stopped while it held nothing but its store (a --chat that matched
 * nothing, dates with no message): the store, and the folders when the run made them. A folder the run wrote
 * anything else into is left as it is.
 */
export function discardNewArchive(dir: string, before: FolderBefore): void {
  if (before.hadStore) return;
  try {
    if (readdirSync(dir).some((name) => !name.startsWith(STORE_FILE))) return;
    removeStore(dir);
    removeMadeFolders(dir, before);
  } catch {
    // Not a folder, not readable, or something came into it meanwhile: it stays, and the run's own error is what is reported.
  }
}

/** Folders the run made and left empty (stopped, by Ctrl-C say, before its store began) are not left behind. */
export function leftEmpty(dir: string, before: FolderBefore): void {
  try {
    removeMadeFolders(dir, before);
  } catch {
    // Not empty (an archive to finish by exporting again) or gone already.
  }
}

/** `dir`, then each folder around it up to the first the run made (`--out new/archive` made `new` too), while empty. */
function removeMadeFolders(dir: string, before: FolderBefore): void {
  if (!before.firstMissing) return;
  for (let folder = resolve(dir); ; folder = dirname(folder)) {
    rmdirSync(folder);
    if (folder === before.firstMissing || dirname(folder) === folder) return;
  }
}

/** The store's file and its journals. */
export function removeStore(dir: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(join(dir, STORE_FILE + suffix), { force: true });
}
