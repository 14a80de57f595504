// Files of an archive folder changed since the last run sealed it, by something other than textkeeper (an
// editor, a sync, a photo program, a failing disk): a run finds them before it writes, writes again what it
// can, says each, and never seals the others as its own.
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { hashFiles } from './file-hasher.js';
import { STORE_FILE, SUMS_FILE } from './file-names.js';
import { sha256File } from './file-sha256.js';
import { isSystemPath, isUnlisted, listFilesAs, sealedStoreSha256, type ManifestEntry } from './manifest.js';
import { mediaKey, thumbnailKey } from '../media/media-key.js';
import { twinNote, twinsApart } from './unicode-twins.js';

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
  /**
   * The files of `attachments/` and `thumbs/` removed, with the files each is or was made from (see `madeFrom`): copies
   * of attachments, by their path in the folder, or a device's file, by its absolute path.
   */
  removedMedia: Map<string, string[]>;
  /**
   * The copies of attachments changed (their bytes no longer those of the SHA-256 their folder names), by their path
   * in the folder: copied again from a source that has the original, else shown as altered (see `alteredNow`).
   */
  altered: Set<string>;
  /** Those the run copied again, with where from (see `AttachmentFiles`). */
  restored: Map<string, string>;
  /**
   * What made the store not the one SHA256SUMS sealed: the store file (see `storeChangedSinceSeal`), or a log
   * beside it that no run left, which the run read in (see `unsealedLog`).
   */
  storeChanged?: string;
}

/**
 * Whether the store was changed since SHA256SUMS sealed it (written after the store was closed): asked before
 * the run opens it, and only of a store written after SHA256SUMS (an unchanged one is not hashed).
 */
export async function storeChangedSinceSeal(dir: string): Promise<boolean> {
  const sums = statSync(join(dir, SUMS_FILE), { throwIfNoEntry: false });
  const store = statSync(join(dir, STORE_FILE), { throwIfNoEntry: false });
  if (!sums || !store?.isFile() || store.mtimeMs <= sums.mtimeMs) return false;
  const sealed = sealedStoreSha256(dir);
  return sealed !== undefined && sealed !== (await sha256File(join(dir, STORE_FILE)));
}

/**
 * The folder against the manifest the last run sealed. Every file but those of `attachments/` and `thumbs/` is
 * hashed: an edit that kept a transcript's or a page's size and time is found before the run keeps the file
 * (they are small: 15.5 MB for 20k messages in txt and HTML). The copies of attachments, tens of gigabytes, and
 * what HTML makes of them, are hashed only when their size or time is not the sealed one (`verify` reads them).
 * `linked` names the devices' files that messages link to (asked only when a file HTML made of one was removed).
 */
export async function findOutsideChanges(dir: string, sealed: ManifestEntry[], linked: () => string[], added = true): Promise<OutsideChanges> {
  const listed = new Map(sealed.map((e) => [e.path, e]));
  const changed = new Map<string, FoundFile>();
  const doubted: FoundFile[] = [];
  for (const path of await listFilesAs(dir, listed.keys())) {
    if (isUnlisted(path)) continue;
    const { size, mtimeMs } = statSync(join(dir, path));
    const entry = listed.get(path);
    if (!entry) {
      if (added) changed.set(path, { size, mtimeMs });
    } else if (entry.size !== size || entry.mtimeMs !== mtimeMs || !MEDIA.test(path)) doubted.push({ size, mtimeMs, listed: entry });
  }
  // (An older textkeeper listed the system's files too: they are not looked for.)
  for (const entry of sealed) {
    if (!isSystemPath(entry.path) && !existsSync(join(dir, entry.path))) changed.set(entry.path, { size: -1, mtimeMs: -1, listed: entry });
  }
  const sha256s = await hashFiles(doubted.map((found) => [join(dir, found.listed!.path), found.size]));
  doubted.forEach((found, i) => {
    const entry = found.listed!;
    if (sha256s[i] === entry.sha256) listed.set(entry.path, { ...entry, size: found.size, mtimeMs: found.mtimeMs });
    else changed.set(entry.path, found);
  });
  const altered = new Set([...changed].filter(([, found]) => found.size >= 0 && found.listed && isCopy(found.listed)).map(([path]) => path));
  return { manifest: [...listed.values()], changed, removedMedia: madeFrom(changed, sealed, linked), altered, restored: new Map() };
}

/**
 * After a run that did not finish: the folder against the manifest the last finished run sealed, for the files a
 * run records as it writes them, each as the last run that wrote it recorded it (`written`, see
 * `WrittenFiles.recordedAsWritten`), the copies of attachments (named by their SHA-256), and every other file not
 * changed since the stopped run began (`stoppedAt`, ms). What that run wrote without recording it (the HTML archive,
 * PDFs numbered with --bates, what HTML makes of attachments, new copies) was changed since, and is not compared;
 * a file added is taken as its own. One it was killed between writing and recording is said as changed.
 */
export async function findChangesAfterStop(dir: string, sealed: ManifestEntry[], written: Map<string, ManifestEntry>, stoppedAt: number, linked: () => string[]): Promise<OutsideChanges> {
  const compared = (entry: ManifestEntry) => isCopy(entry) || written.has(entry.path) || unchangedSince(join(dir, entry.path), stoppedAt);
  const found = await findOutsideChanges(dir, sealed.filter(compared).map((e) => written.get(e.path) ?? e), linked, false);
  return { ...found, manifest: [...found.manifest, ...sealed.filter((e) => !compared(e))] };
}

/** Whether the file is there, last changed before `since` (ms); one removed may be the stopped run's doing. */
function unchangedSince(path: string, since: number): boolean {
  const found = statSync(path, { throwIfNoEntry: false });
  return found !== undefined && found.mtimeMs < since;
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

/**
 * The files that files removed from `attachments/` and `thumbs/` are, or were made from by HTML: a copy is itself
 * (its folder is named by its SHA-256); a picture converted for browsers or a voice message made playable, in the
 * folder of its copy, is made from that; a thumbnail from the copy its name is the key of. With `--attachments link`,
 * a thumbnail, and what lies in a folder named by a key, are made from the device's file of that key as it is now.
 */
function madeFrom(changed: Map<string, FoundFile>, sealed: ManifestEntry[], linked: () => string[]): Map<string, string[]> {
  const removed = [...changed].filter(([path, found]) => found.size < 0 && found.listed && MEDIA.test(path));
  if (removed.length === 0) return new Map();
  const copies = sealed.filter(isCopy);
  const byFolder = new Map<string, string[]>();
  for (const { path } of copies) {
    const folder = byFolder.get(folderOf(path));
    if (folder) folder.push(path);
    else byFolder.set(folderOf(path), [path]);
  }
  let byKey: Map<string, string> | undefined;
  let byDeviceKey: Map<string, string> | undefined;
  return new Map(removed.map(([path, found]) => {
    if (isCopy(found.listed!)) return [path, [path]];
    const key = thumbnailKey(path) ?? DEVICE_FOLDER.exec(path)?.[1];
    if (key === undefined) return [path, byFolder.get(folderOf(path)) ?? []];
    byKey ??= new Map(copies.map((copy) => [mediaKey(copy.path, copy.size), copy.path]));
    const from = byKey.get(key) ?? (byDeviceKey ??= keysOfDeviceFiles(linked())).get(key);
    return [path, from === undefined ? [] : [from]];
  }));
}

/** Device files that are there, by the key of what HTML makes of them (see `mediaKey`). */
function keysOfDeviceFiles(paths: string[]): Map<string, string> {
  const byKey = new Map<string, string>();
  for (const path of paths) {
    const info = statSync(path, { throwIfNoEntry: false });
    if (info?.isFile()) byKey.set(mediaKey(path, info.size, info.mtimeMs), path);
  }
  return byKey;
}

/** The folder HTML converts a device's file into (`--attachments link`): `attachments/xx/<key>/`, its key. */
const DEVICE_FOLDER = /^attachments\/[0-9a-f]{2}\/([0-9a-f]{20})\//;

/** The folders of attachments' copies and what HTML makes of them, which no export writes from the store alone. */
const MEDIA = /^(attachments|thumbs)\//;

/** Whether a file of `attachments/` is the copy of an attachment its folder is named for (`attachments/xx/<sha256>/`). */
const isCopy = (entry: ManifestEntry) => entry.path.startsWith('attachments/') && entry.path.split('/')[2] === entry.sha256;

const folderOf = (path: string) => path.slice(0, path.lastIndexOf('/') + 1);

/**
 * The files changed with their size and time kept as sealed (only a hash tells): the store is told to hash them
 * before it keeps one (see `WrittenFiles.distrustTimes`).
 */
export function changedInPlace({ changed }: OutsideChanges): string[] {
  return [...changed].filter(([, found]) => found.listed?.size === found.size && found.listed.mtimeMs === found.mtimeMs).map(([path]) => path);
}

/**
 * The folders (`attachments/xx/<sha256>/`) of removed and altered copies: their conversations are read again (see
 * `ArchiveStore.readAgainHolding`), to copy the original again from a device that still has it.
 */
export function lostCopyFolders({ removedMedia, altered }: OutsideChanges): Set<string> {
  const removed = [...removedMedia].filter(([path, copies]) => copies.includes(path)).map(([path]) => path);
  return new Set([...removed, ...altered].map(folderOf));
}

/** The altered copies the run did not copy again: every format shows their attachments as altered, not as their files. */
export function alteredNow(outside: OutsideChanges | undefined): string[] {
  return outside ? [...outside.altered].filter((path) => !outside.restored.has(path)) : [];
}

/**
 * Whether HTML pages written again would make a removed file again: a thumbnail, converted picture or playable
 * audio whose copy (or device's file) is there, or a removed copy that was copied again (and its thumbnails with
 * it). Those whose copy is gone for good are not looked for at every run.
 */
export function remakesMedia(dir: string, { removedMedia }: OutsideChanges): boolean {
  return [...removedMedia.values()].some((sources) => sources.some((source) => existsSync(resolve(dir, source))));
}

/** One line for each file changed outside textkeeper, once the run sealed the folder (`manifest`). */
export function outsideChangeLines(dir: string, { changed, storeChanged, removedMedia, altered, restored }: OutsideChanges, manifest: ManifestEntry[]): string[] {
  const sealed = new Map(manifest.map((e) => [e.path, e]));
  const archive = new Set([...sealed.keys(), ...[...changed].filter(([, found]) => found.listed).map(([path]) => path)]);
  const twins = twinsApart(archive, [...changed].filter(([, found]) => !found.listed).map(([path]) => path));
  const store = storeChanged
    ? [`${storeChangeLine(storeChanged)}: this export read every conversation again from its sources, and its record of this run says so (restore the folder from a backup if no one meant to change it: what only the archive kept is as the store was found)`]
    : [];
  return store.concat([...changed].map(([path, found]) => {
    const entry = sealed.get(path);
    const what = `was ${kindOf(found)}`;
    let outcome: string;
    if (altered.has(path) && (restored.has(path) || entry === found.listed)) outcome = alteredOutcome(restored.get(path));
    else if (!found.listed) outcome = entry ? 'this export wrote over it' : 'it is not part of the archive (verify reports it)';
    else if (entry === found.listed) outcome = `left as it is, and the archive's record keeps it as textkeeper wrote it (verify reports it ${until(dir, path, removedMedia.get(path))})`;
    else outcome = entry ? 'this export wrote it again' : 'no longer listed';
    return `${path}${twinNote(path, twins, archive)} ${what} since the last export, not by textkeeper: ${outcome}`;
  }));
}

/** What became of an altered copy: copied again from where the original is (`from`), or left as found and shown as altered. */
function alteredOutcome(from: string | undefined): string {
  if (from !== undefined) return `its bytes were not those of the SHA-256 its folder names; this export copied the original again from ${from}`;
  return "its bytes are not those of the SHA-256 its folder names, and this export had no original to copy again: every format shows its attachment as a copy altered since the archive was sealed, not as the file, and the archive's record keeps it as textkeeper wrote it (verify reports it until it is restored from a backup)";
}

function storeChangeLine(changed: string): string {
  if (changed === STORE_FILE) return `${STORE_FILE} was changed since the last export, not by textkeeper`;
  return `${changed} was put beside ${STORE_FILE} since the last export, not by textkeeper (read in with it)`;
}

/** How a file of the folder changed since the seal. */
const kindOf = (found: FoundFile) => (!found.listed ? 'added' : found.size < 0 ? 'removed' : 'changed');

/**
 * What the run found changed, as its record keeps it (`runs.counts`, written as the run begins, so that one that
 * does not finish keeps it too): `storeAltered` 1 when the store was, `changedFiles`, `removedFiles` and
 * `addedFiles` how many files were (none: nothing found; after a run that did not finish, see `findChangesAfterStop`).
 */
export function outsideCounts(outside: OutsideChanges | undefined): Record<string, number> {
  const counts: Record<string, number> = outside?.storeChanged ? { storeAltered: 1 } : {};
  for (const found of outside?.changed.values() ?? []) {
    const key = `${kindOf(found)}Files`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

/**
 * Until when a file left as found stays reported: copies of attachments, and files made of a copy that is gone too,
 * until restored; what HTML makes of a copy (or a device's file) that is there, until it writes its pages again; others
 * until their format is written.
 */
function until(dir: string, path: string, sources?: string[]): string {
  const made = sources?.some((source) => source !== path && existsSync(resolve(dir, source)));
  if (made) return 'until an HTML export makes it again';
  return MEDIA.test(path) ? 'until it is restored from a backup' : 'until an export with its format writes it again';
}
