import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { SUMS_FILE } from './file-names.js';
import { sha256File } from './file-sha256.js';
import { isUnlisted, listFiles, readSums, type ManifestEntry } from './manifest.js';

export interface VerifyReport {
  checked: number;
  /** One line per problem: "missing: path", "altered: path", "unexpected: path". */
  problems: string[];
}

/**
 * Re-hashes every file the archive's manifest lists and looks for files it does not list.
 * `listed` is the manifest from the store when there is one; else SHA256SUMS is read.
 */
export async function verifyArchive(dir: string, listed?: ManifestEntry[]): Promise<VerifyReport> {
  if (!existsSync(dir)) throw new UserError(`${dir}: no such folder.`);
  if (!listed && !existsSync(join(dir, SUMS_FILE))) throw new UserError(`${dir} is not a textkeeper archive (no ${SUMS_FILE}).`);
  const manifest = listed ?? (await readSums(dir));
  const problems: string[] = [];
  const expected = new Set(manifest.map((e) => e.path));
  for (const entry of manifest) {
    const path = join(dir, entry.path);
    const info = await stat(path).catch(() => undefined);
    if (!info?.isFile()) problems.push(`missing: ${entry.path}`);
    else if ((entry.size >= 0 && info.size !== entry.size) || (await sha256File(path)) !== entry.sha256) problems.push(`altered: ${entry.path}`);
  }
  for (const path of await listFiles(dir)) {
    if (!expected.has(path) && !isUnlisted(path)) problems.push(`unexpected: ${path}`);
  }
  return { checked: manifest.length, problems };
}
