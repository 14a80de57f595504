import { readdirSync, readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SHELL_FILES, writeAtomically } from '../output/files.js';
import { STORE_FILE, SUMS_FILE } from './file-names.js';
import { hashFiles } from './file-hasher.js';
import { sha256File } from './file-sha256.js';

/** One file of the archive folder as a run left it. */
export interface ManifestEntry {
  /** Relative to the archive folder, with forward slashes. */
  path: string;
  size: number;
  sha256: string;
  /** Modification time when hashed: an unchanged file (same size and time) is not hashed again. */
  mtimeMs: number;
}

/** A file this run copied into the archive, with the SHA-256 of what it copied. */
export interface CopiedFile {
  path: string;
  size: number;
  sha256: string;
}

/** Files of the archive folder that the manifest does not list: itself and the store (with its journal). */
export function isUnlisted(path: string): boolean {
  return path === SUMS_FILE || path.startsWith(STORE_FILE);
}

/**
 * A name beginning with a dot is the system's, never textkeeper's (its names never begin with one): Finder's
 * `.DS_Store`, the `._` files macOS writes beside every file on a disk formatted for Windows, a volume's
 * `.Spotlight-V100` or `.Trashes` when the archive is a disk of its own. So are the files Windows' Explorer
 * writes into folders it shows (see `SHELL_FILES`), and at the top (`top`) a Windows volume's own folders.
 */
export function isSystemFile(name: string, top = false): boolean {
  return name.startsWith('.') || SHELL_FILES.test(name) || (top && VOLUME_FOLDERS.test(name));
}

const VOLUME_FOLDERS = /^(system volume information|\$recycle\.bin)$/i;

/** A path (forward slashes) in a folder of the system's, or a file of its. */
export function isSystemPath(path: string): boolean {
  return path.split('/').some((name, i) => isSystemFile(name, i === 0));
}

/** Every file under `dir` (relative paths, forward slashes), sorted; none of the system's. */
export async function listFiles(dir: string): Promise<string[]> {
  return filesUnder(dir).sort();
}

/**
 * The files under `dir`, each by the path `known` spells it with when that is the same file under another
 * Unicode form. macOS lists names decomposed (é as e and ´) on an HFS+ disk, and on a disk formatted for
 * Windows or a network share, whatever form they were written in (textkeeper writes them composed): an
 * archive copied there was otherwise all `unexpected` files. A name that is a file of its own stays apart.
 */
export async function listFilesAs(dir: string, known: Iterable<string>): Promise<string[]> {
  const spelled = new Set(known);
  let composed: Map<string, string> | undefined;
  const paths = (await listFiles(dir)).map((path) => {
    if (spelled.has(path) || path.normalize('NFC') === path.normalize('NFD')) return path;
    composed ??= new Map([...spelled].map((p) => [p.normalize('NFC'), p]));
    const other = composed.get(path.normalize('NFC'));
    return other !== undefined && sameFile(join(dir, path), join(dir, other)) ? other : path;
  });
  return [...new Set(paths)].sort();
}

/** Whether the name listed opens the same file as `known`'s (or cannot be opened by itself: it is only shown so). */
function sameFile(listed: string, known: string): boolean {
  const file = statSync(known, { bigint: true, throwIfNoEntry: false });
  const shown = statSync(listed, { bigint: true, throwIfNoEntry: false });
  return file !== undefined && (shown === undefined || (shown.ino === file.ino && shown.dev === file.dev));
}

/**
 * The files under `dir` (relative paths, forward slashes), the system's left out and their folders never
 * looked into: a volume's `.Trashes` and `.Spotlight-V100` cannot be (an archive that is a disk of its own).
 */
export function filesUnder(dir: string, folder = ''): string[] {
  // Synchronously: awaited, every folder's listing waited its turn on a busy machine (82 folders of a 6k archive).
  return readdirSync(join(dir, folder), { withFileTypes: true }).flatMap((entry) => {
    if (isSystemFile(entry.name, folder === '')) return [];
    const path = folder + entry.name;
    return entry.isDirectory() ? filesUnder(dir, `${path}/`) : entry.isFile() ? [path] : [];
  });
}

/**
 * The manifest of every file in the archive folder; files whose size and modification time match
 * `previous` keep their hash (an unchanged re-run must not re-read every attachment), and the run's
 * `copies` of the size they were copied at take the hash of what was copied. Files changed outside
 * textkeeper that the run left as they were (`left`) keep the entry they had, or stay out (see outside-changes.ts).
 */
export async function buildManifest(dir: string, previous: ManifestEntry[] = [], copies: CopiedFile[] = [], left = new Map<string, ManifestEntry | undefined>()): Promise<ManifestEntry[]> {
  const known = new Map(previous.map((e) => [e.path, e]));
  const copied = new Map(copies.map((c) => [c.path, c]));
  const manifest: ManifestEntry[] = [];
  const present = await listFilesAs(dir, [...known.keys(), ...copied.keys()]);
  const removed = [...left].filter(([path, sealed]) => sealed && !present.includes(path)).map(([path]) => path);
  for (const path of removed.length > 0 ? [...present, ...removed].sort() : present) {
    if (isUnlisted(path)) continue;
    if (left.has(path)) {
      const sealed = left.get(path);
      if (sealed) manifest.push(sealed);
      continue;
    }
    // Synchronously: a promise per file made this loop several times slower (155 files: 6–20 ms, now 2–3 ms).
    const info = statSync(join(dir, path));
    const before = known.get(path);
    const copy = copied.get(path);
    const sha256 = before && before.size === info.size && before.mtimeMs === info.mtimeMs ? before.sha256 : copy?.size === info.size ? copy.sha256 : '';
    manifest.push({ path, size: info.size, sha256, mtimeMs: info.mtimeMs });
  }
  // The files written or changed by this run, read on several threads at once.
  const unknown = manifest.filter((e) => !e.sha256);
  const sha256s = await hashFiles(unknown.map((e) => [join(dir, e.path), e.size]));
  for (const [i, entry] of unknown.entries()) entry.sha256 = sha256s[i] ?? (await sha256File(join(dir, entry.path)));
  return manifest;
}

/**
 * Writes SHA256SUMS in the format `sha256sum -c` reads (two spaces: text mode). The store's own line
 * (`store`: its SHA-256 once the run closed it) comes last: the store cannot hold its own hash.
 */
export async function writeSums(dir: string, manifest: ManifestEntry[], store?: string): Promise<void> {
  await writeAtomically(join(dir, SUMS_FILE), sumsText(manifest) + (store ? storeLine(store) : ''));
}

/**
 * Gives SHA256SUMS's line for the store the SHA-256 the store has now, every other line as it was: after a
 * run that changed nothing the seal covers but the store's file. A folder sealed without that line is left so.
 */
export async function resealStore(dir: string, store: string | undefined): Promise<void> {
  const sums = await readFile(join(dir, SUMS_FILE), 'utf8').catch(() => undefined);
  const sealed = sums === undefined ? undefined : splitSums(sums);
  if (sealed?.store === undefined) return;
  await writeAtomically(join(dir, SUMS_FILE), sealed.files + (store ? storeLine(store) : ''));
}

export function sumsText(manifest: ManifestEntry[]): string {
  return manifest.map((e) => `${e.sha256}  ${e.path}\n`).join('');
}

function storeLine(sha256: string): string {
  return `${sha256}  ${STORE_FILE}\n`;
}

/** SHA256SUMS as the manifest's lines and the store's SHA-256 (undefined: no line for it). */
export function splitSums(text: string): { files: string; store?: string } {
  const last = text.lastIndexOf('\n', text.length - 2) + 1;
  const line = /^([0-9a-f]{64}) {2}(.*)\n$/.exec(text.slice(last));
  return line?.[2] === STORE_FILE ? { files: text.slice(0, last), store: line[1] } : { files: text };
}

/** The SHA-256 the folder's SHA256SUMS gives its store; undefined without SHA256SUMS (a file) or a line for the store. */
export function sealedStoreSha256(dir: string): string | undefined {
  const sums = join(dir, SUMS_FILE);
  return statSync(sums, { throwIfNoEntry: false })?.isFile() ? splitSums(readFileSync(sums, 'utf8')).store : undefined;
}

/** Reads SHA256SUMS back (sizes unknown: -1). */
export async function readSums(dir: string): Promise<ManifestEntry[]> {
  const text = await readFile(join(dir, SUMS_FILE), 'utf8');
  return text
    .split('\n')
    .map((line) => /^([0-9a-f]{64}) [ *](.+)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ path: m[2]!, size: -1, sha256: m[1]!, mtimeMs: 0 }));
}
