import { existsSync, readdirSync } from 'node:fs';
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
  const foreign = existsSync(dir) ? readdirSync(dir).filter((name) => name !== SUMS_FILE && !EARLIER_OUTPUT.test(name)) : [];
  if (foreign.length > 0) {
    throw new UserError(`--out ${dir} is not empty and not a textkeeper archive (it holds ${foreign.slice(0, 3).join(', ')}${foreign.length > 3 ? ', …' : ''}): choose an empty folder or an existing archive.`);
  }
  return ArchiveStore.open(dir, { create: true, readonly: false });
}
