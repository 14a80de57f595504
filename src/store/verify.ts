import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { UserError } from '../errors.js';
import { ArchiveLock } from './archive-lock.js';
import { STORE_FILE, SUMS_FILE } from './file-names.js';
import { hashFiles } from './file-hasher.js';
import { sha256File } from './file-sha256.js';
import { isUnlisted, listFilesAs, readSums, splitSums, sumsText, type ManifestEntry } from './manifest.js';
import { refuseNotAFile, requireArchiveFolder } from './schema.js';
import { foldedIn, storeSnapshot, unsealedLog } from './store-snapshot.js';
import { twinNote, twinsApart } from './unicode-twins.js';
import { outsideFindings } from '../words/outside-findings.js';

export interface VerifyReport {
  checked: number;
  /** No store: the folder was checked against SHA256SUMS alone, which a file changed together with its line there passes. */
  alone: boolean;
  /** One line per problem: "unfinished: (when)", "missing: path", "altered: path", "unexpected: path", "damaged: store: finding", "unrecorded: store (why)". */
  problems: string[];
  /** One line per change to the folder by another program that a run found (see `outsideFindings`): "history: the export begun (when) found …". */
  history: string[];
}

/**
 * Re-hashes every file the archive's manifest lists and looks for files it does not list. The manifest
 * is the store's when the folder has one (SHA256SUMS must then say the same: a file changed together with
 * its line there is still found); else SHA256SUMS is read. `seal`: the SHA-256 SHA256SUMS must have (see `otherSeal`).
 */
export async function verifyArchive(dir: string, progress: (read: number, total: number) => void = () => {}, seal?: string): Promise<VerifyReport> {
  requireArchiveFolder(dir);
  if (ArchiveLock.isHeld(dir)) throw new UserError(`A textkeeper run is writing ${dir} now: verify it once the run has finished.`);
  const record = storeRecord(dir);
  const stored = record?.manifest;
  const sealed = existsSync(join(dir, SUMS_FILE));
  if (!stored && !sealed) throw new UserError(`${dir} is not a textkeeper archive (no ${SUMS_FILE}).`);
  if (stored?.length === 0 && !sealed) throw new UserError(`${dir} is an unfinished archive: no export into it has completed (no ${SUMS_FILE}); export into it again to finish it.`);
  const unexpected = seal === undefined ? undefined : await otherSeal(dir, seal);
  if (unexpected) return { checked: 0, alone: !record, problems: [unexpected], history: [] };
  const manifest = stored ?? (await readSums(dir));
  // First: what follows may be the unfinished run's doing.
  const problems = record?.unfinished ? [unfinishedLine(record.unfinished)] : [];
  if (record?.log) problems.push(logLine(record.log));
  const expected = new Set(manifest.map((e) => e.path));
  const files = manifest.map((entry) => ({ entry, path: join(dir, entry.path), info: statSync(join(dir, entry.path), { throwIfNoEntry: false }) }));
  // Only files of the size listed are read, on several threads at once.
  const whole = files.filter(({ entry, info }) => info?.isFile() && (entry.size < 0 || info.size === entry.size));
  const reads: [path: string, size: number][] = whole.map(({ path, info }) => [path, info!.size]);
  // The store is read with them, under the same progress: read after it, a 600 MB store sat seconds at 'done'.
  if (record) reads.push([join(dir, STORE_FILE), statSync(join(dir, STORE_FILE)).size]);
  const total = reads.reduce((sum, [, size]) => sum + size, 0);
  let read = 0;
  const sha256s = await hashFiles(reads, (bytes) => progress((read += bytes), total));
  const hashed = new Map(whole.map((file, i) => [file, sha256s[i]]));
  const listed = await listFilesAs(dir, expected);
  const twins = twinsApart(expected, listed);
  const named = (path: string) => `${path}${twinNote(path, twins, expected)}`;
  for (const file of files) {
    if (!file.info?.isFile()) problems.push(`missing: ${named(file.entry.path)}`);
    // A file the threads could not read is read here, which says why.
    else if (!hashed.has(file) || (hashed.get(file) ?? (await sha256File(file.path))) !== file.entry.sha256) problems.push(`altered: ${named(file.entry.path)}`);
  }
  if (record) problems.push(...(await storeProblems(dir, record, sha256s.at(-1))));
  for (const path of listed) {
    if (!expected.has(path) && !isUnlisted(path)) problems.push(`unexpected: ${named(path)}`);
  }
  return { checked: manifest.length, alone: !record, problems, history: record?.history ?? [] };
}

/**
 * SHA256SUMS against the SHA-256 the export that wrote it printed (its Seal line, kept outside the folder): the one
 * check an edit that rewrote SHA256SUMS and the store together cannot pass. Undefined: it is that one.
 */
async function otherSeal(dir: string, expected: string): Promise<string | undefined> {
  const sha256 = await sha256File(join(dir, SUMS_FILE)).catch(() => undefined);
  if (sha256 === undefined) return `missing: ${SUMS_FILE}`;
  return sha256 === expected.toLowerCase() ? undefined : `altered: ${SUMS_FILE} (its SHA-256 is ${sha256}, not the ${expected.toLowerCase()} expected)`;
}

/**
 * SHA256SUMS must say what the store's manifest says, then give the store's SHA-256 as the last run closed
 * it (the store cannot hold its own), which the store must still have; and SQLite must find the store sound.
 */
async function storeProblems(dir: string, { manifest: stored, findings }: StoreRecord, sha256: string | null | undefined): Promise<string[]> {
  const problems = findings.map((finding) => `damaged: ${STORE_FILE}: ${finding}`);
  const sums = await readFile(join(dir, SUMS_FILE), 'utf8').catch(() => undefined);
  if (sums === undefined) return [...problems, `missing: ${SUMS_FILE}`];
  const { files, store } = splitSums(sums);
  if (files !== sumsText(stored)) problems.push(`altered: ${SUMS_FILE}`);
  if (store === undefined) problems.push(`unrecorded: ${STORE_FILE} (${SUMS_FILE} gives no SHA-256 for it; an export into the folder records it)`);
  else if ((sha256 ?? (await sha256File(join(dir, STORE_FILE)))) !== store) problems.push(`altered: ${STORE_FILE}`);
  return problems;
}

function logLine(log: string): string {
  return `unexpected: ${log} (a log that changes what the store holds, left by no export: the last one finished and sealed the store without it; the store was checked as sealed, without it)`;
}

function unfinishedLine(began: Date): string {
  return `unfinished: the export begun ${utc(began)} did not finish (what follows may be its doing; an export into the folder completes the archive)`;
}

const utc = (date: Date) => date.toISOString().replace(/\.\d+Z$/, 'Z');

/**
 * What the runs found changed in the folder by another program, as their records keep it (see `outsideCounts`), and
 * the runs whose counts another program made unreadable (findings, as SQLite's own).
 */
function historyLines(db: Database.Database): { history: string[]; findings: string[] } {
  const runs = db.prepare('SELECT started_at AS startedAt, counts FROM runs WHERE counts IS NOT NULL ORDER BY id').all() as { startedAt: number; counts: string }[];
  const history: string[] = [];
  const findings: string[] = [];
  for (const { startedAt, counts } of runs) {
    const begun = `the export begun ${utc(new Date(startedAt))}`;
    const found = parsedCounts(counts);
    if (found) history.push(...outsideFindings(found).map((line) => `history: ${begun} ${line}`));
    else findings.push(`the counts of ${begun} are not what an export writes`);
  }
  return { history, findings };
}

/** A run's counts as its record keeps them; undefined when another program wrote something else there. */
function parsedCounts(counts: string): Record<string, number> | undefined {
  try {
    const parsed: unknown = JSON.parse(counts);
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, number>) : undefined;
  } catch {
    return undefined;
  }
}

interface StoreRecord {
  /** The manifest the store keeps, in the order SHA256SUMS was written in. */
  manifest: ManifestEntry[];
  /** What SQLite's quick_check finds wrong in the store (nothing: sound). */
  findings: string[];
  /** When the last run began, if it did not finish (a full disk, Ctrl-C): the store and files then differ from the seal. */
  unfinished?: Date;
  /** A log beside the store that no run left (see `unsealedLog`): the record is then the store's as sealed, without it. */
  log?: string;
  /** See `VerifyReport.history`. */
  history: string[];
}

/**
 * The folder's store, read once; undefined without a store. A log beside it is one no run left when the last run,
 * as the store reads with the log, finished (a killed run's log holds its own start): the record is then read from a
 * copy of the file alone if the copy read first folded the log in (the log is never played back into the folder's store).
 */
function storeRecord(dir: string): StoreRecord | undefined {
  const path = join(dir, STORE_FILE);
  if (!existsSync(path)) return undefined;
  const unsealed = unsealedLog(dir, true);
  const first = withStore(path, (db) => {
    const { finished, ...record } = readRecord(db);
    const log = finished ? unsealed : undefined;
    // SQLite's check reads every page: only of the copy that is the record.
    return { log, record: log !== undefined && foldedIn(log) ? undefined : checked(db, record) };
  });
  const record = first.record ?? withStore(path, (db) => checked(db, readRecord(db)), false);
  return first.log ? { ...record, log: first.log } : record;
}

/** What the store records, but SQLite's findings (see `checked`); and whether the last run finished. */
function readRecord(db: Database.Database): StoreRecord & { finished: boolean } {
  const entries = db.prepare('SELECT path, size, sha256, mtime_ms AS mtimeMs FROM manifest').all() as ManifestEntry[];
  // In the order SHA256SUMS was written in (listFiles': UTF-16 code units, not SQLite's bytes).
  const manifest = entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const lastRun = db.prepare('SELECT started_at AS startedAt, finished_at AS finishedAt FROM runs ORDER BY id DESC LIMIT 1').get() as { startedAt: number; finishedAt: number | null } | undefined;
  const unfinished = lastRun && lastRun.finishedAt === null ? new Date(lastRun.startedAt) : undefined;
  const { history, findings } = historyLines(db);
  return { manifest, findings, unfinished, history, finished: lastRun?.finishedAt != null };
}

/** The record with what SQLite's quick_check finds wrong in the store first. */
function checked(db: Database.Database, { manifest, findings, unfinished, history }: StoreRecord): StoreRecord {
  return { manifest, findings: [...quickCheck(db), ...findings], unfinished, history };
}

function quickCheck(db: Database.Database): string[] {
  try {
    const found = db.pragma('quick_check', { simple: false }) as { quick_check: string }[];
    return found.map((row) => row.quick_check).filter((line) => line !== 'ok');
  } catch (error) {
    // A page too damaged to be looked through stops the check: that is its finding.
    return [(error as Error).message];
  }
}

/**
 * Reads the store, opened read-only; a store SQLite cannot read is refused in one line. Verifying writes
 * nothing: a store a killed run left with its write-ahead log is read from a private copy, as even a
 * read-only connection writes the -shm (`withLog` false: the store file alone).
 */
function withStore<T>(path: string, read: (db: Database.Database) => T, withLog = true): T {
  refuseNotAFile(path);
  const snapshot = storeSnapshot(dirname(path), withLog);
  try {
    const db = new Database(snapshot?.file ?? path, { readonly: true, fileMustExist: true });
    try {
      return read(db);
    } finally {
      db.close();
    }
  } catch (error) {
    throw new UserError(`${path} cannot be read (${(error as Error).message}): the archive's own record is damaged.`);
  } finally {
    snapshot?.remove();
  }
}
