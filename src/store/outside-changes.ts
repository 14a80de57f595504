// Files of an archive folder changed since the last run sealed it, by something other than textkeeper (an
// editor, a sync, a photo program, a failing disk): a run finds them before it writes, writes again what it
// can, says each, and never seals the others as its own.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { hashFiles } from './file-hasher.js';
import { STORE_FILE, SUMS_FILE } from './file-names.js';
import { sha256File } from './file-sha256.js';
import { isSystemPath, isUnlisted, listFilesAs, splitSums, type ManifestEntry } from './manifest.js';

/** A file as the run found it before it wrote (size -1: gone), and what the manifest listed for it (nothing: a file added). */
export interface FoundFile {
  size: number;
  mtimeMs: number;
  listed?: ManifestEntry;
}

export interface OutsideChanges {
  /** The sealed manifest, with the size and time of files whose bytes are the ones listed (a folder copied without its times): not hashed again. */
  manifest: ManifestEntry[];
  /** Files whose bytes changed, added or removed since the seal, by path. */
  changed: Map<string, FoundFile>;
  /** The store is not the one SHA256SUMS sealed (see `storeChangedSinceSeal`). */
  storeChanged?: boolean;
}

/**
 * Whether the store was changed since SHA256SUMS sealed it (written after the store was closed): asked before
 * the run opens it, and only of a store written after SHA256SUMS (an unchanged one is not hashed).
 */
export async function storeChangedSinceSeal(dir: string): Promise<boolean> {
  const sums = statSync(join(dir, SUMS_FILE), { throwIfNoEntry: false });
  const store = statSync(join(dir, STORE_FILE), { throwIfNoEntry: false });
  if (!sums?.isFile() || !store?.isFile() || store.mtimeMs <= sums.mtimeMs) return false;
  const sealed = splitSums(readFileSync(join(dir, SUMS_FILE), 'utf8')).store;
  return sealed !== undefined && sealed !== (await sha256File(join(dir, STORE_FILE)));
}

/** The folder against the manifest the last run sealed; files whose size or time is not the sealed one are hashed. */
export async function findOutsideChanges(dir: string, sealed: ManifestEntry[]): Promise<OutsideChanges> {
  const listed = new Map(sealed.map((e) => [e.path, e]));
  const changed = new Map<string, FoundFile>();
  const moved: FoundFile[] = [];
  for (const path of await listFilesAs(dir, listed.keys())) {
    if (isUnlisted(path)) continue;
    const { size, mtimeMs } = statSync(join(dir, path));
    const entry = listed.get(path);
    if (!entry) changed.set(path, { size, mtimeMs });
    else if (entry.size !== size || entry.mtimeMs !== mtimeMs) moved.push({ size, mtimeMs, listed: entry });
  }
  // (An older textkeeper listed the system's files too: they are not looked for.)
  for (const entry of sealed) {
    if (!isSystemPath(entry.path) && !existsSync(join(dir, entry.path))) changed.set(entry.path, { size: -1, mtimeMs: -1, listed: entry });
  }
  const sha256s = await hashFiles(moved.map((found) => [join(dir, found.listed!.path), found.size]));
  moved.forEach((found, i) => {
    const entry = found.listed!;
    if (sha256s[i] === entry.sha256) listed.set(entry.path, { ...entry, size: found.size, mtimeMs: found.mtimeMs });
    else changed.set(entry.path, found);
  });
  return { manifest: [...listed.values()], changed };
}

/**
 * The files changed outside textkeeper that the run did not write (same size and time as found), and those
 * removed that it did not write again, but the ones it `retired` (it wrote their format, and they are no longer
 * part of it): each with what the manifest listed for it, which stays the record, for verify to report (none for
 * a file added: it stays out of it).
 */
export function leftAsFound(dir: string, changed: Map<string, FoundFile>, retired: (path: string) => boolean): Map<string, ManifestEntry | undefined> {
  const left = new Map<string, ManifestEntry | undefined>();
  for (const [path, found] of changed) {
    const now = statSync(join(dir, path), { throwIfNoEntry: false });
    if (now ? now.size === found.size && now.mtimeMs === found.mtimeMs : found.size < 0 && !retired(path)) left.set(path, found.listed);
  }
  return left;
}

/** Paths of files in `attachments/` (copies, and what HTML made of them) removed from the archive folder since the seal. */
function removedAttachments(changed: Map<string, FoundFile>): string[] {
  return [...changed].filter(([path, found]) => found.size < 0 && found.listed && path.startsWith('attachments/')).map(([path]) => path);
}

/** The folders (`attachments/xx/<sha256>/`) of the removed ones: their conversations are read again (see `ArchiveStore.readAgainHolding`). */
export function removedCopyFolders(changed: Map<string, FoundFile>): Set<string> {
  return new Set(removedAttachments(changed).map((path) => path.slice(0, path.lastIndexOf('/') + 1)));
}

/** Whether the run copied a removed one again: the HTML pages are then written again, and make its thumbnails and playable audio. */
export function copiedAgain(dir: string, changed: Map<string, FoundFile>): boolean {
  return removedAttachments(changed).some((path) => existsSync(join(dir, path)));
}

/** Files the archive keeps that no export can write again: copies of attachments (and their thumbnails). */
const COPIES = /^(attachments|thumbs)\//;

/** One line for each file changed outside textkeeper, once the run sealed the folder (`manifest`). */
export function outsideChangeLines({ changed, storeChanged }: OutsideChanges, manifest: ManifestEntry[]): string[] {
  const sealed = new Map(manifest.map((e) => [e.path, e]));
  const store = storeChanged
    ? [`${STORE_FILE} was changed since the last export, not by textkeeper: this export went on from it as it was found (restore the folder from a backup if no one meant to change it)`]
    : [];
  return store.concat([...changed].map(([path, found]) => {
    const entry = sealed.get(path);
    const what = !found.listed ? 'was added' : found.size < 0 ? 'was removed' : 'was changed';
    let outcome: string;
    if (!found.listed) outcome = entry ? 'this export wrote over it' : 'it is not part of the archive (verify reports it)';
    else if (entry === found.listed) outcome = `left as it is, and the archive's record keeps it as textkeeper wrote it (verify reports it ${COPIES.test(path) ? 'until it is restored from a backup' : 'until an export with its format writes it again'})`;
    else outcome = entry ? 'this export wrote it again' : 'no longer listed';
    return `${path} ${what} since the last export, not by textkeeper: ${outcome}`;
  }));
}
