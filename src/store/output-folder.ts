import { existsSync, readdirSync, rmdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { ArchiveStore } from './archive-store.js';
import { STORE_FILE, SUMS_FILE } from './file-names.js';

/** What earlier textkeeper versions wrote into --out (before archives kept a store). */
const EARLIER_OUTPUT = /^(index\.html|search\.html|conversations|assets|attachments|thumbs|search|.*\.(txt|pdf|partial))$/;

/**
 * The store of the folder a run writes into: the existing one, or a new one for an empty folder or
 * a folder holding only earlier textkeeper output. Any other folder is refused, so nothing of the
 * user's is ever mixed into an archive.
 */
export function openOutputStore(dir: string): ArchiveStore {
  if (existsSync(join(dir, STORE_FILE))) return ArchiveStore.open(dir, { create: false, readonly: false });
  const foreign = existsSync(dir) ? readdirSync(dir).filter((name) => name !== SUMS_FILE && !name.startsWith(STORE_FILE) && !EARLIER_OUTPUT.test(name)) : [];
  if (foreign.length > 0) {
    throw new UserError(`--out ${dir} is not empty and not a textkeeper archive (it holds ${foreign.slice(0, 3).join(', ')}${foreign.length > 3 ? ', …' : ''}): choose an empty folder or an existing archive.`);
  }
  return ArchiveStore.open(dir, { create: true, readonly: false });
}

/** What a run found at --out before it began. */
export interface FolderBefore {
  existed: boolean;
  hadStore: boolean;
}

export function folderBefore(dir: string): FolderBefore {
  return { existed: existsSync(dir), hadStore: existsSync(join(dir, STORE_FILE)) };
}

/**
 * Undoes a new archive that bad input stopped while it held nothing but its store (a --chat that matched
 * nothing, dates with no message): the store, and the folder when the run made it. A folder the run wrote
 * anything else into is left as it is.
 */
export function discardNewArchive(dir: string, before: FolderBefore): void {
  if (before.hadStore) return;
  try {
    if (readdirSync(dir).some((name) => !name.startsWith(STORE_FILE))) return;
    removeStore(dir);
    if (!before.existed) rmdirSync(dir);
  } catch {
    // Not a folder, not readable, or something came into it meanwhile: it stays, and the run's own error is what is reported.
  }
}

/** The store's file and its journals. */
export function removeStore(dir: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(join(dir, STORE_FILE + suffix), { force: true });
}
