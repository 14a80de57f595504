import { ContactBook } from '../contacts/contact-book.js';
import { existsSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { CandidateConversation, History } from '../normalize/archive.js';
import type { Selection } from '../select/match.js';
import type { StemAllocator } from '../output/files.js';
import { ArchiveStore } from '../store/archive-store.js';
import { AttachmentFiles } from '../store/attachment-files.js';
import { ingest } from '../store/ingest.js';
import { StoreWriter } from '../store/store-writer.js';
import { knownFile } from '../store/known-files.js';
import { STORE_FILE } from '../store/file-names.js';
import { sha256File } from '../store/file-sha256.js';
import { buildManifest, filesUnder, resealStore, writeSums, type ManifestEntry } from '../store/manifest.js';
import { changedInPlace, findChangesAfterStop, findOutsideChanges, leftAsFound, outsideChangeLines, outsideCounts, lostCopyFolders, storeChangedSinceSeal, type OutsideChanges } from '../store/outside-changes.js';
import { openOutputStore, removeStore } from '../store/output-folder.js';
import { StoreArchive } from '../store/store-archive.js';
import { logsBeside, unsealedLog } from '../store/store-snapshot.js';
import { unsealedReason } from '../store/archive-seal.js';
import { VERSION } from '../version.js';
import { Interrupted } from '../errors.js';
import { Progress } from './progress.js';
import { formatOf } from './render-plan.js';
import type { ResolvedOptions } from './options.js';
import { openArchive, reportDamage, type DamageCounts, type OpenedArchive } from './sources.js';
import type { MessageSource, SourceFacts } from '../read/source.js';
import type { Contacts } from '../normalize/people.js';
import type { RecordedSource, SourceCheck, SourceHashes } from '../model/types.js';

/**
 * The first half of every export: the --out folder's store is opened (made for a new archive), and
 * every source — devices and other archives — is added to it. Renderers then read from the store.
 */
export interface ArchiveUpdate {
  store: ArchiveStore;
  facts: SourceFacts[];
  /** What the run calls each source, in the order of `facts`: its summary's words (same-day backups by their time, see `describeApart`). */
  descriptions: string[];
  damage: DamageCounts;
  /** Sources not checked for damage again: an earlier run checked the very same file and found nothing. */
  notChecked: string[];
  /** Older copies of a database an earlier run read further on (see `ArchiveStore.olderCopies`). */
  olderCopies: { description: string; olderThan: Date }[];
  /** What became of each device's check, in the order of `facts`. */
  checks: SourceCheck[];
  /** The devices' conversations as they planned them (sizes and dates from their join tables). */
  planned?: CandidateConversation[];
  /** The devices' contacts, to match `--chat` terms with, and what the terms chose on the devices (without devices: in the archive read). */
  contacts?: Contacts;
  selection?: Selection;
  /** Conversations a source could not give (a damaged page), each said on stderr. */
  skipped: number;
  /** Warning lines opening and reading the sources, and copying their files, said. */
  warnings: number;
  /** Each source's SHA-256 and its -wal's, in the order of `facts` (undefined: it could not be hashed). */
  hashes: SourceHashes[];
  /** The sources an archive folder read as a source had recorded. */
  recorded?: RecordedSource[];
  /** What made that folder's store other than the one its last run sealed (see `unsealedReason`). */
  unsealed?: string;
  /** Files changed since the last run sealed the folder, not by textkeeper (found before this run wrote). */
  outside?: OutsideChanges;
}

/** The line for a conversation left out of the run, and the count it adds to. */
export function skipLine(title: string, error: unknown): string {
  return `textkeeper: skipped the conversation “${title}”: ${(error as Error).message}`;
}

/** `planned` is told how many conversations the devices have, before they are read. */
export async function updateArchive(options: ResolvedOptions, signal: { interrupted: boolean }, planned: (conversations: number) => void = () => {}): Promise<ArchiveUpdate> {
  const other = options.sources.archive && resolve(options.sources.archive) !== options.outDir ? resolve(options.sources.archive) : undefined;
  // Another archive that is none (or damaged, or newer) is refused in its own words before --out is touched.
  const read = other ? ArchiveStore.recordedIn(other) : undefined;
  const isNew = !existsSync(join(options.outDir, STORE_FILE));
  const storeChanged = !isNew && (await storeChangedSinceSeal(options.outDir));
  const logs = isNew ? [] : logsBeside(options.outDir);
  const store = openOutputStore(options.outDir);
  try {
    // The folder is compared with the manifest the last finished run sealed (none: a version that sealed none); after
    // a run that did not finish, its half-written files are removed, and what it recorded writing is its own.
    const finished = store.records.lastRunFinished();
    if (!finished) removePartials(options.outDir);
    const sealed = store.files.manifest();
    // A stopped run wrote the store after the seal.
    const changedStore = finished ? unsealedLog(options.outDir, finished, logs) ?? (storeChanged ? STORE_FILE : undefined) : undefined;
    const outside = sealed.length > 0 ? { ...await changedSinceSeal(store, sealed, finished), storeChanged: changedStore } : undefined;
    // A copy removed from the folder, or altered, is copied again from a device that still has the file: its conversations are read.
    if (outside) store.readAgainHolding(lostCopyFolders(outside));
    const checkInterrupt = () => {
      if (signal.interrupted) throw new Interrupted('interrupted');
    };
    return { ...await addSources({ options, store, isNew, other, recorded: read?.recorded, otherLog: read?.log, checkInterrupt, planned, found: outsideCounts(outside), inPlace: outside ? changedInPlace(outside) : [], outside }), outside };
  } catch (error) {
    // A new archive whose run never began (its sources could not be opened), or was forgotten, is not left behind as one.
    const neverRun = isNew && store.run === 0;
    store.close();
    if (neverRun) removeStore(options.outDir);
    throw error;
  }
}

/** The folder against the manifest sealed, as the last run left it (see `findChangesAfterStop`). */
function changedSinceSeal(store: ArchiveStore, sealed: ManifestEntry[], finished: boolean): Promise<OutsideChanges> {
  const linked = () => store.linkedFiles();
  if (finished) return findOutsideChanges(store.dir, sealed, linked);
  return findChangesAfterStop(store.dir, sealed, store.files.recordedAsWritten(), store.records.stoppedSince() ?? Date.now(), linked);
}

interface Run {
  options: ResolvedOptions;
  store: ArchiveStore;
  isNew: boolean;
  /** Another archive folder read as a source, the sources it recorded, and a log beside its store that no run left. */
  other?: string;
  recorded?: RecordedSource[];
  otherLog?: string;
  checkInterrupt: () => void;
  planned: (conversations: number) => void;
  /** What changed in the folder since the last run sealed it, not by textkeeper, as the run's record keeps it (see `outsideCounts`). */
  found: Record<string, number>;
  /** The files among them changed with their size and time kept (see `changedInPlace`). */
  inPlace: string[];
  /** What changed there (its altered copies are copied again from a device that has the original). */
  outside?: OutsideChanges;
}

/** Begins the run in the store and adds every source to it: the devices, then another archive. */
async function addSources(run: Run): Promise<ArchiveUpdate> {
  const { options, store, isNew, planned } = run;
  const readDevices = (options.sources.db ?? []).length + (options.sources.backup ?? []).length > 0 || !options.sources.archive;
  const files = new AttachmentFiles(store.dir, store.db, (line) => options.log(`warning: ${line}`), { outside: run.outside, archive: run.other });
  // Only a copying archive keeps files; with --attachments link or none it records them as the device had them.
  const copies = options.attachments === 'copy' ? files : undefined;
  const writer = new StoreWriter(store);
  // A new archive writes every conversation and hashes every file it copies: those threads load while the
  // sources open (the first messages' files waited 50 ms for the hashing one in the sample's Mom PDF).
  if (isNew) {
    store.useWriteAheadLog();
    writer.startEarly();
    copies?.startHashing();
  }
  let opened: OpenedArchive | undefined;
  try {
    // A store changed by another program is not asked what it knows of a database (its chats' marks, its check).
    const known = (source: MessageSource) => (run.found.storeAltered ? undefined : knownFile(store, writer, files, source));
    opened = readDevices ? await openArchive(options, { known, storedKey: (guids) => store.keyOfChats(guids), identify: (found) => store.records.identify(found), shown: store.shownPeople() }) : undefined;
    planned(opened?.archive.candidates().length ?? 0);
    const { facts, descriptions } = beginRun(run, opened);
    // What is read is kept once the databases' checks, running meanwhile, let it be (see `refused`).
    if (opened) writer.holdUntil(opened.archive.damage());
    // A database not hashed as it is now (a first run, or it changed) is hashed by the writer thread while this one
    // reads it; so is every one when the store was changed by another program (its hashes may be forged).
    for (const f of facts) if (store.distrusts() || !files.knownSha256(f.database)) writer.hash(f.database);
    // Nor is an attachment's hash taken from it then: every file copied is hashed.
    if (store.distrusts()) files.distrustKnown();
    const { skipped, selection } = await readSources(run, opened, writer, copies);
    await writer.checked().catch((error: unknown) => refused(run, writer, files, error));
    await writer.close();
    return { ...await recordSources(run, files, { facts, descriptions }, opened, skipped), selection };
  } finally {
    // Whole conversations written so far are kept (an interrupted run goes on from them). A failure of the
    // writer's was thrown above: here it must neither replace the error under way nor keep the sources (an
    // encrypted backup's decrypted copies) from closing.
    await writer.close().catch(() => {});
    await opened?.close();
  }
}

/** The run begun in the store, with the sources it reads: the devices, then another archive. */
function beginRun({ store, other, recorded, found, inPlace }: Run, opened: OpenedArchive | undefined): { facts: SourceFacts[]; descriptions: string[] } {
  const facts: SourceFacts[] = [...(opened?.facts ?? []), ...(other ? [{ kind: 'archive' as const, path: other, database: join(other, STORE_FILE) }] : [])];
  const descriptions = facts.map((_, i) => opened?.archive.sourceNames[i] ?? `archive ${other}`);
  const reaches = opened?.archive.reaches() ?? [];
  store.beginRun(VERSION, facts.map((f, i) => ({
    description: descriptions[i]!,
    id: opened?.archive.sourceIds[i],
    device: [f.device, f.osVersion].filter(Boolean).join(', ') || undefined,
    backedUp: f.backedUp?.getTime(),
    recorded: f.kind === 'archive' ? recorded : undefined,
    newest: reaches[i],
  })), found);
  // Not kept (and sealed again) on the strength of their size and time; the store is not written before the run begins.
  store.files.distrustTimes(inPlace);
  if (opened) store.records.rememberLineages(opened.archive.lineages);
  return { facts, descriptions };
}

/**
 * A source its check refused once the run had read it (see StoreWriter.checked): nothing read is kept, so the run
 * is forgotten too, with the attachment copies it made; the archive is left as the runs before left it, and
 * SHA256SUMS gives the store as it is now, when the last of them finished (a new archive is then removed).
 */
async function refused({ store, isNew, found }: Run, writer: StoreWriter, files: AttachmentFiles, error: unknown): Promise<never> {
  // Closed before the check passed, the writer leaves out what it wrote; its own failure would hide the refusal.
  await writer.close().catch(() => {});
  store.forgetRun();
  files.removeMade();
  // A store changed by another program stays unsealed, for the next run to find (its record of this run is gone).
  if (!isNew && !found.storeAltered && store.records.lastRunFinished()) {
    store.close();
    await resealStore(store.dir, await closedStoreSha256(store.dir));
  }
  throw error;
}

/**
 * Reads the devices, then another archive, into the store; gives the keys of conversations a source could not give,
 * and what the `--chat` terms chose among the devices' conversations, else among the other archive's.
 */
async function readSources({ options, store, other, checkInterrupt }: Run, opened: OpenedArchive | undefined, writer: StoreWriter, copies: AttachmentFiles | undefined): Promise<{ skipped: Set<string>; selection?: Selection }> {
  const skip = (title: string, error: unknown) => options.log(skipLine(title, error));
  const progressOf = (candidates: CandidateConversation[]) =>
    new Progress(options.progress, candidates.reduce((sum, c) => sum + c.estimate, 0), candidates.length, options.log, 'reading');
  const remembersMarks = decidesAbsence(options, opened, other);
  const read = (history: History) => ingest(history, store, writer, { files: copies, interrupted: checkInterrupt, skip, progressOf, remembersMarks });
  const skipped = opened ? await read(opened.archive) : new Set<string>();
  let selection = opened?.archive.selection;
  if (other) {
    const archived = new StoreArchive(ArchiveStore.open(other, { create: false, readonly: true, snapshot: true }), { ...options.archive, contacts: opened?.contacts ?? new ContactBook() });
    selection ??= archived.selection;
    try {
      for (const key of await read(archived)) skipped.add(key);
    } finally {
      await archived.close();
    }
  }
  return { skipped, selection };
}

/**
 * Once every source is read: what the databases' checks found, each database's SHA-256 (and its -wal's), and
 * (after a run that read its sources whole) the change marks its conversations were read at, kept with which messages
 * are no longer on the device.
 */
async function recordSources({ options, store, other, recorded, otherLog }: Run, files: AttachmentFiles, { facts, descriptions }: Pick<ArchiveUpdate, 'facts' | 'descriptions'>, opened: OpenedArchive | undefined, skipped: Set<string>): Promise<ArchiveUpdate> {
  // The databases were checked beside the reading; one that could not be checked at all fails the run here.
  const damage = opened ? await reportDamage(opened.archive, options.log) : { findings: 0, unreadable: 0 };
  const checks = opened ? await opened.archive.checks() : [];
  const hashes = await Promise.all(facts.map(async (f): Promise<SourceHashes> => ({ sha256: files.knownSha256(f.database), walSha256: f.wal && (await walSha256(f.wal)) })));
  store.recordSources(hashes, checks);
  // Messages of a conversation a source could not give are not taken as gone from it, nor any message of a
  // damaged database: one on a page that cannot be read is still on the device.
  if (decidesAbsence(options, opened, other)) store.endReading(skipped, damage.findings === 0);
  removeFiles(store.dir, store.dropEmptyConversations());
  const notChecked = checks.flatMap((check, i) => (check === 'earlier' ? [opened!.archive.sourceNames[i]!] : []));
  const unsealed = other === undefined ? undefined : await unsealedReason(other, otherLog, hashes.at(-1)?.sha256);
  if (unsealed) options.log(`warning: the store of the archive ${other} is not the one its last export sealed (${unsealed}): this export read it as it was found (\`textkeeper verify\` of that folder says more)`);
  const warnings = (opened?.warnings ?? 0) + files.warned + (unsealed ? 1 : 0);
  return { store, facts, descriptions, damage, notChecked, olderCopies: store.olderCopies(), checks, planned: opened?.archive.candidates(), contacts: opened?.contacts, skipped: skipped.size, warnings, hashes, recorded, unsealed };
}

/**
 * The SHA-256 of a -wal the run read, hashed once it has (it changes as often as Messages writes: no earlier
 * run's hash is of use); undefined when it is gone since (a checkpoint as Messages quit removed it).
 */
async function walSha256(wal: string): Promise<string | undefined> {
  return sha256File(wal).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
}

/** Only a run that reads its devices whole (no --chat, --since, --until nor --archive) decides which messages they lost. */
function decidesAbsence(options: ResolvedOptions, opened: OpenedArchive | undefined, other: string | undefined): boolean {
  const { chatTerms, window } = options.archive;
  return opened !== undefined && !other && chatTerms.length === 0 && !window.since && !window.until;
}

/**
 * The store of the --out folder as a history to render from: the run's own (its `--chat` terms matched
 * with the devices' contacts), or opened read-only in a worker thread, which is given conversations by key.
 */
export function storeHistory(options: ResolvedOptions, store?: ArchiveStore, contacts: Contacts = new ContactBook(), onDevices?: Selection): StoreArchive {
  return store
    ? new StoreArchive(store, { ...options.archive, contacts }, () => {}, onDevices)
    : new StoreArchive(ArchiveStore.open(options.outDir, { create: false, readonly: true }), { ...options.archive, chatTerms: [], contacts });
}

/**
 * The last step of every export: the HTML archive's assets and runs, then the manifest of every file in the
 * folder in the store, the run recorded as finished, and the store closed; SHA256SUMS, written last, lists
 * the manifest's files and the store as it was closed. Files changed outside textkeeper are said in warning
 * lines (how many: the result).
 */
export async function sealArchive(store: ArchiveStore, counts: Record<string, number>, options: ResolvedOptions, outside?: OutsideChanges): Promise<number> {
  const { unfinished, afterFinished, ...changes } = store.changes();
  const recorded = { ...counts, ...changes, ...(unfinished > 0 && { unfinished }), ...outsideCounts(outside) };
  if (options.formats.includes('html')) {
    const runs = store.records.runs().map((run) => (run.id === store.run ? { ...run, finishedAt: new Date(), counts: recorded } : run));
    const [{ showRuns }, { refreshAssets }, { STATIC_ASSETS }] = await Promise.all([
      import('../render/html/runs.js'), import('../render/html/assets.js'), import('../render/html/template-files.js'),
    ]);
    // A run that kept every page still leaves this build's scripts and styles (an older build's archive gets them).
    await refreshAssets(store.dir, STATIC_ASSETS);
    await showRuns(store.dir, runs, options.dates);
  }
  const left = outside && leftAsFound(store.dir, outside.changed, (path) => retired(store, options.formats, path));
  const manifest = await buildManifest(store.dir, outside?.manifest ?? store.files.manifest(), store.files.copiesOfThisRun(), left);
  store.files.saveManifest(manifest);
  store.finishRun(recorded);
  store.close();
  await writeSums(store.dir, manifest, await closedStoreSha256(store.dir));
  const lines = outside ? outsideChangeLines(store.dir, outside, manifest) : [];
  for (const line of lines) options.log(`warning: ${line}`);
  return lines.length;
}

/**
 * Whether a file removed since the last run is no longer part of the archive: the run wrote its format, and it is
 * no file of it now (bates.csv after a PDF run without --bates; a page past the last of an HTML conversation
 * written again, or of one the archive no longer has). A page of a conversation the run did not write (--chat
 * chose others) is still part of it.
 */
function retired(store: ArchiveStore, formats: string[], path: string): boolean {
  if (!formats.includes(formatOf(path) ?? '')) return false;
  const folder = /^conversations\/[^/]+\//.exec(path)?.[0];
  if (folder) return store.files.hasHtmlIn(folder) || !existsSync(join(store.dir, folder));
  return !store.files.isRendered(path);
}

/** The store's SHA-256 at rest; undefined while a log beside it still holds some of it (another connection kept it). */
async function closedStoreSha256(dir: string): Promise<string | undefined> {
  if (existsSync(join(dir, `${STORE_FILE}-wal`))) return undefined;
  return sha256File(join(dir, STORE_FILE));
}

/** The files of conversations the store no longer has: a text file, or the folder of an HTML conversation's pages. */
function removeFiles(dir: string, files: { format: string; file: string }[]): void {
  for (const { format, file } of files) {
    const pages = format === 'html' && dirname(file) !== '.';
    rmSync(join(dir, pages ? dirname(file) : file), { recursive: pages, force: true });
  }
}

/** Half-written files a killed run left behind (theirs are written again). */
function removePartials(dir: string): void {
  for (const path of filesUnder(dir)) if (path.endsWith('.partial')) rmSync(join(dir, path), { force: true });
}

/**
 * The conversations to render in the order the devices planned them, then those only the archive keeps:
 * work is shared out among threads, and the HTML search index ordered, as in an export without a store.
 */
export function inPlannedOrder(stored: CandidateConversation[], planned: CandidateConversation[] = []): CandidateConversation[] {
  const inStore = new Set(stored.map((c) => c.key));
  const fromDevices = planned.filter((c) => inStore.has(c.key));
  const known = new Set(fromDevices.map((c) => c.key));
  return [...fromDevices, ...stored.filter((c) => !known.has(c.key))].sort((a, b) => b.latest - a.latest);
}

/** File stems: a conversation keeps the one an earlier run gave it; new conversations get free ones. */
export function allocateStems(candidates: CandidateConversation[], titles: string[], earlier: Map<string, string>, stems: StemAllocator): Map<string, string> {
  const stemOf = new Map<string, string>();
  for (const c of candidates) {
    const stem = earlier.get(c.key);
    if (stem) stemOf.set(c.key, stems.keep(stem));
  }
  candidates.forEach((c, i) => {
    if (!stemOf.has(c.key)) stemOf.set(c.key, stems.allocate(titles[i]!));
  });
  return new Map(candidates.map((c) => [c.key, stemOf.get(c.key)!]));
}
