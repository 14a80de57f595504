import { join } from 'node:path';
import { STORE_FILE, SUMS_FILE } from './file-names.js';
import { sha256File } from './file-sha256.js';
import { sealedStoreSha256 } from './manifest.js';

/**
 * What makes another archive's store, read as a source (`--archive`), other than the one its last run sealed;
 * undefined: it is that one (or the folder seals no store). `log`: a log beside it that no run left (see
 * `unsealedLog`); `sha256`: the store file's, as the run hashed it. Only the store is hashed, not the folder.
 */
export async function unsealedReason(dir: string, log: string | undefined, sha256: string | undefined): Promise<string | undefined> {
  if (log) return `${log} lay beside it, left by no export`;
  const sealed = sealedStoreSha256(dir);
  if (sealed === undefined || sealed === (sha256 ?? (await sha256File(join(dir, STORE_FILE))))) return undefined;
  return `the folder's ${SUMS_FILE} gives it the SHA-256 ${sealed}`;
}
