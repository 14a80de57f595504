import { existsSync, statSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { UserError } from '../errors.js';
import { ArchiveLock } from './archive-lock.js';
import { STORE_FILE, SUMS_FILE } from './file-names.js';
import { sha256File } from './file-sha256.js';
import { storeSnapshot } from './store-snapshot.js';
import { isUnlisted, listFiles, readSums, sumsText, type ManifestEntry } from './manifest.js';

export interface VerifyReport {
  checked: number;
  /** One line per problem: "missing: path", "altered: path", "unexpected: path". */
  problems: string[];
}

/**
 * Re-hashes every file the archive's manifest lists and looks for files it does not list. The manifest
 * is the store's when the folder has one (SHA256SUMS must then say the same: a file changed together with
 * its line there is still found); else SHA256SUMS is read.
 */
export async function verifyArchive(dir: string): Promise<VerifyReport> {
  if (!existsSync(dir)) throw new UserError(`${dir}: no such folder.`);
  if (!statSync(dir).isDirectory()) throw new UserError(`${dir} is a file: give the archive folder (an earlier --out).`);
  if (ArchiveLock.isHeld(dir)) throw new UserError(`A textkeeper run is writing ${dir} now: verify it once the run has finished.`);
  const stored = storedManifest(dir);
  if (!stored && !existsSync(join(dir, SUMS_FILE))) throw new UserError(`${dir} is not a textkeeper archive (no ${SUMS_FILE}).`);
  const manifest = stored ?? (await readSums(dir));
  const problems: string[] = [];
  const expected = new Set(manifest.map((e) => e.path));
  for (const entry of manifest) {
    const path = join(dir, entry.path);
    const info = await stat(path).catch(() => undefined);
    if (!info?.isFile()) problems.push(`missing: ${entry.path}`);
    else if ((entry.size >= 0 && info.size !== entry.size) || (await sha256File(path)) !== entry.sha256) problems.push(`altered: ${entry.path}`);
  }
  if (stored) {
    const sums = await readFile(join(dir, SUMS_FILE), 'utf8').catch(() => undefined);
    if (sums === undefined) problems.push(`missing: ${SUMS_FILE}`);
    else if (sums !== sumsText(stored)) problems.push(`altered: ${SUMS_FILE}`);
  }
  for (const path of await listFiles(dir)) {
    if (!expected.has(path) && !isUnlisted(path)) problems.push(`unexpected: ${path}`);
  }
  return { checked: manifest.length, problems };
}

/**
 * The manifest the folder's store keeps; undefined without a store. Verifying writes nothing: a store a killed
 * run left with its write-ahead log is read from a private copy, as even a read-only connection writes the -shm.
 */
function storedManifest(dir: string): ManifestEntry[] | undefined {
  const path = join(dir, STORE_FILE);
  if (!existsSync(path)) return undefined;
  try {
    const entries = manifestRows(dir);
    // In the order SHA256SUMS was written in (listFiles': UTF-16 code units, not SQLite's bytes).
    return entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  } catch (error) {
    throw new UserError(`${path} cannot be read (${(error as Error).message}): the archive's own record is damaged.`);
  }
}

function manifestRows(dir: string): ManifestEntry[] {
  const snapshot = storeSnapshot(dir);
  try {
    const db = new Database(snapshot?.file ?? join(dir, STORE_FILE), { readonly: true, fileMustExist: true });
    try {
      return db.prepare('SELECT path, size, sha256, mtime_ms AS mtimeMs FROM manifest').all() as ManifestEntry[];
    } finally {
      db.close();
    }
  } finally {
    snapshot?.remove();
  }
}
