import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { isFreeToWrite, StemAllocator } from '../output/files.js';
import { distinctTitles } from '../output/distinct-titles.js';
import type { CandidateConversation } from '../normalize/archive.js';
import type { StoreArchive } from '../store/store-archive.js';
import type { ArchiveStore, IngestCounts } from '../store/archive-store.js';
import { STORE_FILE, SUMS_FILE } from '../store/file-names.js';
import { sha256File } from '../store/file-sha256.js';
import { ArchiveLock } from '../store/archive-lock.js';
import { discardNewArchive, folderBefore, leftEmpty } from '../store/output-folder.js';
import { RENDERERS } from '../render/registry.js';
import type { Renderer } from '../render/renderer.js';
import { Interrupted, Refusal, SystemFailure, systemReason, UserError, type RunSignal } from '../errors.js';
import { countOf } from '../words/counts.js';
import { reportChoice } from '../select/report.js';
import { helperCount, WorkerShard, type RenderJob } from './shards.js';
import { Progress } from './progress.js';
import { rootsWithoutAttachments, type DamageCounts } from './sources.js';
import { allocateStems, inPlannedOrder, type ArchiveUpdate, sealArchive, storeHistory, updateArchive } from './archive-run.js';
import { alteredNow, type OutsideChanges } from '../store/outside-changes.js';
import { planRendering, reusable, writtenAsBefore, type ConversationFiles, type RenderPlan } from './render-plan.js';
import { provenanceOf } from './provenance.js';
import type { ResolvedOptions } from './options.js';
import { addAttachmentCounts, addCounts, noCounts, type ShardCounts } from './counts.js';
import { ConversationQueue } from './conversation-queue.js';
import { prepareOutput } from './prepare-output.js';
import { sortingFilesFull } from '../sqlite/temp-folder.js';
import { refuseBatesBesideOtherPdfs, refuseMovingBatesNumbers } from './bates-scope.js';
import { conversationPath, refuseProtectedFiles } from './protected-files.js';
import { NDJSON_FILE } from '../render/ndjson/ndjson-renderer.js';
import { renderShard, type ShardProgress, type ShardResult, type WrittenFile } from './render-shard.js';

export interface ExportSummary extends ShardCounts {
  conversations: number;
  seconds: number;
  damage: DamageCounts;
  /** Sources not checked for damage again: an earlier run checked the very same file and found nothing. */
  notChecked: string[];
  /** Older copies of a database an earlier run read further on, with when that run began. */
  olderCopies: { description: string; olderThan: Date }[];
  /** Attachment folders of the --db given that hold no `Attachments` (see rootsWithoutAttachments). */
  withoutAttachments: string[];
  /** What this run changed in an archive a run had finished before (none: a new one), since the last finished run. */
  changes?: IngestCounts;
  /** The run before this one did not finish: the files this run kept are as that run or an earlier one left them. */
  afterUnfinished: boolean;
  /** The SHA-256 of the SHA256SUMS the run wrote. */
  seal: string;
  /** The attachments of conversations whose files were all kept are counted too (as those files counted them; not known for files an older textkeeper wrote). */
  keptCounted: boolean;
}

/**
 * Reads the sources and writes every format into `out`. Conversations are rendered independently, so
 * this thread and worker threads (--threads, default one per core) render them side by side, each taking
 * the next conversation from one queue when it is free; renderers then finish on this thread.
 */
export async function runExport(options: ResolvedOptions, signal: RunSignal): Promise<ExportSummary> {
  const started = Date.now();
  let helpers: WorkerShard[] = [];
  let store: ArchiveStore | undefined;
  let lock: ArchiveLock | undefined;
  let outside: OutsideChanges | undefined;
  const before = folderBefore(options.outDir);
  try {
    prepareOutput(options.outDir);
    lock = ArchiveLock.take(options.outDir);
    const early = startsEarly(options);
    const update = await updateArchive(options, signal, (planned) => {
      if (early) helpers = startHelpers(helperCount(options, planned), options, signal, options.formats);
    });
    store = update.store;
    outside = update.outside;
    const { archive, stemOf, plan } = planRun(options, store, update);
    const renderers = await Promise.all(plan.formats.map((format) => RENDERERS[format]!()));
    const provenance = await sourcesToName(update, plan, options);
    const job: RenderJob = { formats: plan.formats, stemOf, exportedAt: new Date(), provenance, imageThreads: 1, altered: alteredNow(outside) };
    // Threads are started only for conversations to write: an unchanged run starts none.
    const needed = helperCount(options, plan.queue.length);
    await Promise.all(helpers.splice(needed).map((helper) => helper.stop()));
    helpers.push(...startHelpers(needed - helpers.length, options, signal, plan.formats));
    const record = (key: string, file: WrittenFile) => store!.files.recordWritten(key, stemOf.get(key)!, file);
    const { rendered, counts } = await renderAll(archive, plan, renderers, helpers, job, options, signal, record);
    counts.skipped += update.skipped;
    // The damage found is said in warning lines too: the summary counts them.
    counts.warnings += update.damage.findings + update.damage.unreadable + update.warnings;
    saveRendered(store, rendered, stemOf, plan, options);
    const { changes, afterUnfinished } = changesToSay(store);
    // The run's record counts the attachments of the conversations it wrote (see `showRuns`).
    counts.warnings += await sealArchive(store, { conversations: rendered.length, messages: counts.messages, attachments: counts.attachments, kept: counts.kept }, options, update.outside);
    const seal = await sha256File(join(options.outDir, SUMS_FILE));
    const kept = addAttachmentCounts(rendered.filter((r) => r.files.every((f) => f.kept)).map((r) => r.counts));
    return { conversations: rendered.length, ...(kept ? addCounts([counts, kept]) : counts), keptCounted: kept !== undefined, damage: update.damage, notChecked: update.notChecked, olderCopies: update.olderCopies, withoutAttachments: rootsWithoutAttachments(options.sources), changes, afterUnfinished, seal, seconds: (Date.now() - started) / 1000 };
  } catch (error) {
    await Promise.all(helpers.map((h) => h.stop()));
    if (error instanceof UserError && lock) {
      if (error instanceof Refusal && store && before.hadStore) await sealRefused(store, options, outside);
      store?.close();
      store = undefined;
      lock.release();
      lock = undefined;
      discardNewArchive(options.outDir, before);
    }
    throw storeFailureTold(error, options.outDir);
  } finally {
    store?.close();
    lock?.release();
    leftEmpty(options.outDir, before);
  }
}

/** What the run writes, and under which file names; what it cannot write, or leaves out, is refused or said first. */
function planRun(options: ResolvedOptions, store: ArchiveStore, update: ArchiveUpdate): { archive: StoreArchive; stemOf: Map<string, string>; plan: RenderPlan } {
  const archive = storeHistory(options, store, update.contacts, update.selection);
  archive.showAltered(alteredNow(update.outside));
  const candidates = chosenCandidates(archive, options, update);
  const stemOf = stemsOf(archive, candidates, options);
  if (options.pdf.bates && options.formats.includes('pdf')) {
    const pdfs = candidates.map((c) => ({ title: c.title, file: `${stemOf.get(c.key)}.pdf`, unchanged: () => writtenAsBefore(archive, c.key, 'pdf', options) }));
    refuseBatesBesideOtherPdfs(options.outDir, pdfs.map((p) => p.file));
    refuseMovingBatesNumbers(options.outDir, options.pdf.bates, pdfs);
  }
  sayWhatIsLeftOut(archive, options);
  sayWhatIsNotWritten(store, options);
  const plan = planRendering(archive, candidates, options, update.outside);
  refuseProtectedFiles(plan, stemOf, options.outDir);
  return { archive, stemOf, plan };
}

/**
 * The sources the files name, when they name them: PDF covers name every source; every header names what an
 * archive read as a source had its messages from, and a damaged source the run lost rows to (a damaged page of
 * an index loses none).
 */
async function sourcesToName(update: ArchiveUpdate, plan: RenderPlan, options: ResolvedOptions): Promise<RenderJob['provenance']> {
  const lost = update.damage.unreadable > 0 || update.damage.uncounted === true;
  const damaged = update.checks.map((check) => lost && check === 'damaged');
  const namesSources = plan.formats.includes('pdf') || update.facts.some((f) => f.kind === 'archive') || damaged.includes(true);
  return namesSources ? provenanceOf(update, options.raw, update.hashes, damaged, update.recorded) : undefined;
}

/** The store's list of what each conversation's files were made from, for the files this run wrote. */
function saveRendered(store: ArchiveStore, rendered: ConversationFiles[], stemOf: Map<string, string>, plan: RenderPlan, options: ResolvedOptions): void {
  const written = rendered.flatMap((r) => r.files.filter((f) => !f.kept).map((f) => ({ key: r.key, format: f.format, fingerprint: f.fingerprint, stem: stemOf.get(r.key)!, file: f.file, counts: r.counts })));
  store.files.saveRendered(written, plan.formats.filter((format) => !reusable(format, options)));
}

/**
 * What the summary says the run changed: since the last run, or, after one that did not finish, since the last
 * finished run; nothing when no run finished, as after a first run.
 */
function changesToSay(store: ArchiveStore): Pick<ExportSummary, 'changes' | 'afterUnfinished'> {
  const { unfinished, afterFinished, ...changes } = store.changes();
  return { changes: afterFinished ? changes : undefined, afterUnfinished: unfinished > 0 };
}

/**
 * An archive a run refused once its sources were read stays as verifiable as before: its store, which took
 * them in, is sealed with the files as they are (none was written). Should that fail too, the refusal is
 * still what is reported, and the archive is left as an interrupted run leaves it.
 */
async function sealRefused(store: ArchiveStore, options: ResolvedOptions, outside?: OutsideChanges): Promise<void> {
  // What changed in the folder, not by textkeeper, is not sealed either; the next run says it.
  await sealArchive(store, { conversations: 0, messages: 0, attachments: 0, kept: 0 }, { ...options, formats: [], log: () => {} }, outside).catch(() => {});
}

/**
 * SQLite names no file: a full disk or a lock on the store (the one database written) is told with the store's
 * name, unless what filled up was SQLite's temporary folder.
 */
function storeFailureTold(error: unknown, outDir: string): unknown {
  const failure = error as NodeJS.ErrnoException | undefined;
  if (error instanceof SystemFailure || !failure?.code?.startsWith('SQLITE_') || !systemReason(failure) || failure.path) return error;
  const sorting = sortingFilesFull(error, outDir);
  if (sorting) return sorting;
  failure.path = join(outDir, STORE_FILE);
  return error;
}

/** Each conversation's file stem: the one an earlier run gave it, or a free one made from its title. */
function stemsOf(archive: StoreArchive, candidates: CandidateConversation[], options: ResolvedOptions): Map<string, string> {
  const stems = new StemAllocator((stem) => options.formats.every((format) => {
    const { path, folder } = conversationPath(options.outDir, stem, format);
    return isFreeToWrite(path, folder);
  }));
  return allocateStems(candidates, distinctTitles(candidates), archive.stems(), stems);
}

/**
 * Renders the plan's queue on this thread and the helpers, then has every renderer finish with all the
 * run's conversations (kept ones too) in the archive's order.
 */
async function renderAll(
  archive: StoreArchive,
  plan: RenderPlan,
  renderers: Renderer[],
  helpers: WorkerShard[],
  job: RenderJob,
  options: ResolvedOptions,
  signal: RunSignal,
  record: ShardProgress['wrote'],
): Promise<{ rendered: ConversationFiles[]; counts: ShardCounts }> {
  const queue = new ConversationQueue(plan.queue);
  const kept: ShardResult = { counts: { ...noCounts(archive), messages: plan.keptMessages, kept: plan.kept.length }, rendered: plan.kept };
  const results = plan.queue.length > 0 ? [...await renderQueue(archive, queue, renderers, helpers, job, plan, options, signal, record), kept] : [kept];
  const rendered = results.flatMap((r) => r.rendered).sort((a, b) => b.lastDate - a.lastDate || a.key.localeCompare(b.key));
  // Conversations that failed were said one by one: the archive they leave incomplete is still finished (exit 3).
  if (rendered.length === 0 && results.every((r) => r.counts.skipped === 0)) throw nothingToExport(options);
  const sequence = new Map(queue.order.map((key, index) => [key, index]));
  try {
    // An interrupt until now stops the run; from now on it finishes the archive (see RunSignal.finishing).
    if (signal.interrupted) throw new Interrupted('interrupted');
    signal.finishing = true;
    for (const renderer of renderers) {
      await renderer.finish(rendered.map((r) => ({ ...r.files.find((f) => f.format === renderer.format)!, sequence: sequence.get(r.key)! })));
    }
  } catch (error) {
    await abandonAll(renderers);
    throw error;
  }
  return { rendered, counts: addCounts(results.map((r) => r.counts)) };
}

/** Every thread takes conversations from the queue until it is empty; what a failure left unfinished is removed. */
async function renderQueue(
  archive: StoreArchive,
  queue: ConversationQueue,
  renderers: Renderer[],
  helpers: WorkerShard[],
  job: RenderJob,
  plan: RenderPlan,
  options: ResolvedOptions,
  signal: RunSignal,
  record: ShardProgress['wrote'],
): Promise<ShardResult[]> {
  const shown = new Progress(options.progress, plan.work, plan.queue.length, options.log, 'writing', plan.formats.length);
  const progress: ShardProgress = {
    tick: (count) => shown.tick(count), began: (title, format) => shown.began(title, format), finished: (title, messages) => shown.finished(title, messages), wrote: record,
  };
  try {
    // Each thread converts images on its share of the cores (two photo-converting threads per renderer measured 314 → 278 MB on a 200k HTML export).
    const shared = { ...job, imageThreads: Math.max(1, Math.floor(options.threads / (helpers.length + 1))) };
    const workers = helpers.map((helper) => helper.render(queue, shared, progress));
    const results = await allShards([renderShard(archive, () => queue.take(), renderers, { ...shared, options, progress, signal }), ...workers], queue);
    shown.finishing(whatIsFinished(plan.formats));
    return results;
  } catch (error) {
    await abandonAll(renderers);
    throw error;
  } finally {
    shown.stop();
  }
}

/** What a run still writes once every conversation is written. */
function whatIsFinished(formats: string[]): string {
  const whole = [formats.includes('html') && 'the HTML index and search data', formats.includes('ndjson') && NDJSON_FILE];
  return [...whole.filter(Boolean), 'SHA256SUMS'].join(', ');
}

/** Called once every thread has stopped: what any of them left unfinished is removed. */
async function abandonAll(renderers: Renderer[]): Promise<void> {
  await Promise.all(renderers.map((renderer) => renderer.abandon?.(true)));
}

/**
 * Whether worker threads start while the sources are read, not after: on a new archive (every conversation
 * is written) with HTML, whose renderer takes a second or more to load (templates, Handlebars, sharp) while
 * this thread renders alone. Other formats' renderers load in a few tenths of a second, and an idle worker
 * through the whole ingest added 10-25 MB to a 200k txt export's peak RSS (210 -> 222-239 MB, limit 250).
 */
function startsEarly(options: ResolvedOptions): boolean {
  return options.formats.includes('html') && !existsSync(join(options.outDir, STORE_FILE));
}

function startHelpers(count: number, options: ResolvedOptions, signal: { interrupted: boolean }, formats: string[]): WorkerShard[] {
  return Array.from({ length: count }, () => new WorkerShard(options, signal, formats));
}

/**
 * Every thread's result. When one fails (a full disk), the others get no further conversation, and all
 * are waited for before the failure is thrown: none is left reading a database that is being closed.
 */
async function allShards(shards: Promise<ShardResult>[], queue: ConversationQueue): Promise<ShardResult[]> {
  const settled = await Promise.allSettled(shards.map((shard) => shard.catch((error: unknown) => {
    queue.clear();
    throw error;
  })));
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<ShardResult>).value);
}

/** What will be exported; with `--chat`, each conversation chosen and why is said first (unless quiet). */
function chosenCandidates(archive: StoreArchive, options: ResolvedOptions, update: ArchiveUpdate): CandidateConversation[] {
  const candidates = inPlannedOrder(archive.candidates(), update.planned);
  reportChoice(archive.selection, () => candidates, options.log, options.quiet);
  if (candidates.length === 0) throw update.skipped > 0 ? couldNotExport() : nothingToExport(options);
  return candidates;
}

/**
 * A run with --chat, --since or --until writes its files for what they choose, also into an archive that
 * keeps more: its files then show less than the archive holds, which is said (a later run without them
 * shows everything again). With --chat alone, only files of the whole archive (the HTML index and search,
 * messages.ndjson) show less: the other conversations' own files stay as they were.
 */
function sayWhatIsLeftOut(archive: StoreArchive, options: ResolvedOptions): void {
  const { raw } = options;
  const whole = options.formats.includes('html') || options.formats.includes('ndjson');
  if (!raw.since && !raw.until && !whole) return;
  const filters = [raw.chat && '--chat', raw.since && '--since', raw.until && '--until'].filter(Boolean).join(', ');
  // Counted only when something was filtered: the store's messages are not counted for every run.
  const left = filters ? archive.keptBeside() : 0;
  if (left <= 0) return;
  options.log(`note: this run writes its files for what ${filters} chose: ${countOf(left, 'message')} the archive keeps ${left === 1 ? 'is' : 'are'} not in them (a run without ${filters} shows ${left === 1 ? 'it' : 'them all'} again)`);
}

/**
 * The files of formats the run does not write stay as an earlier run wrote them: when it changed what the
 * archive keeps, they show less than it does, which is said.
 */
function sayWhatIsNotWritten(store: ArchiveStore, options: ResolvedOptions): void {
  const { added, changed, absent, returned } = store.changes();
  const others = added + changed + absent + returned > 0 ? store.files.renderedFormats().filter((format) => !options.formats.includes(format)) : [];
  if (others.length === 0) return;
  options.log(`note: this run does not write the archive's ${others.join(', ')} files (--format ${options.formats.join(',')}): they do not show what it changed (a run with --format ${[...options.formats, ...others].join(',')} does)`);
}

function couldNotExport(): UserError {
  return new UserError('No conversation could be exported (see the lines above).');
}

function nothingToExport(options: ResolvedOptions): UserError {
  const { chatTerms, window } = options.archive;
  const dated = window.since !== undefined || window.until !== undefined ? ' (for the dates asked)' : '';
  return new Refusal(chatTerms.length > 0
    ? `No messages to export in the conversations --chat ${chatTerms.join(',')} chose${dated}.`
    : `No messages to export in this database${dated}.`);
}

