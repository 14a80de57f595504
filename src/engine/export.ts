import { accessSync, constants, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Message } from '../model/types.js';
import { isFreeToWrite, StemAllocator } from '../output/files.js';
import { distinctTitles } from '../output/distinct-titles.js';
import type { CandidateConversation, HistoryConversation } from '../normalize/archive.js';
import type { StoreArchive } from '../store/store-archive.js';
import type { ArchiveStore } from '../store/archive-store.js';
import { STORE_FILE } from '../store/file-names.js';
import { helperCount, WorkerShard } from './shards.js';
import { Interrupted } from './interrupted.js';
import type { ExportContext, MessageStream, Provenance, RenderedConversation, Renderer } from '../render/renderer.js';
import { RENDERERS } from '../render/registry.js';
import { endsTheRun, systemReason, UserError } from '../errors.js';
import { requireSomethingChosen, selectionLines } from '../select/report.js';
import { Progress } from './progress.js';
import type { DamageCounts } from './sources.js';
import { allocateStems, inPlannedOrder, skipLine, type ArchiveUpdate, sealArchive, storeHistory, updateArchive } from './archive-run.js';
import { planRendering, renderSettings, reusable, type ConversationFiles, type FormatFile } from './render-plan.js';
import { provenanceOf } from './provenance.js';
import type { ResolvedOptions } from './options.js';

export interface ExportSummary extends ShardCounts {
  conversations: number;
  seconds: number;
  damage: DamageCounts;
  /** Sources not checked for damage again: an earlier run checked the very same file and found nothing. */
  notChecked: string[];
}

/** What rendering some conversations counted. */
export interface ShardCounts {
  messages: number;
  attachments: number;
  missingAttachments: number;
  warnings: number;
  /** Conversations that failed and were left out (each said on stderr as it happened). */
  skipped: number;
  /** With several sources: messages found in only one of them, by source. */
  onlyIn: Map<string, number>;
  /** Attachment placeholders with no attachment row (not counted as attachments). */
  notInDatabase: number;
  /** With several sources: messages every source has. */
  inEvery: number;
  /** Conversations unchanged since the archive's last run: their files were kept, not read again. */
  kept: number;
}

/** What one thread rendered: per conversation (by key), the file of each format, written or kept. */
export interface ShardResult {
  counts: ShardCounts;
  rendered: ConversationFiles[];
}

/**
 * Reads the sources and writes every format into `out`. Conversations are rendered independently, so
 * this thread and worker threads (--threads, default one per core) render them side by side, each taking
 * the next conversation from one queue when it is free; renderers then finish on this thread.
 */
export async function runExport(options: ResolvedOptions, signal: { interrupted: boolean }): Promise<ExportSummary> {
  const started = Date.now();
  let helpers: WorkerShard[] = [];
  let store: ArchiveStore | undefined;
  try {
    prepareOutput(options.outDir);
    const early = startsEarly(options);
    const update = await updateArchive(options, signal, (planned) => {
      if (early) helpers = startHelpers(helperCount(options, planned), options, signal, options.formats);
    });
    store = update.store;
    const { facts, damage, notChecked } = update;
    const archive = storeHistory(options, store, update.contacts, update.selection);
    const candidates = chosenCandidates(archive, options, update);
    const stems = new StemAllocator((stem) => options.formats.every((format) => format === 'html'
      ? isFreeToWrite(join(options.outDir, 'conversations', stem), true)
      : isFreeToWrite(join(options.outDir, `${stem}.${format}`))));
    const titles = distinctTitles(candidates);
    const stemOf = allocateStems(candidates, titles, archive.stems(), stems);
    const plan = planRendering(archive, candidates, options);
    const renderers = await Promise.all(plan.formats.map((format) => RENDERERS[format]!()));
    const exportedAt = new Date();
    const provenance = plan.formats.includes('pdf') ? await provenanceOf(facts, options.raw) : undefined;
    const queue = new ConversationQueue(plan.queue);
    // Threads are started only for conversations to write: an unchanged run starts none.
    const needed = helperCount(options, plan.queue.length);
    await Promise.all(helpers.splice(needed).map((helper) => helper.stop()));
    helpers.push(...startHelpers(needed - helpers.length, options, signal, plan.formats));
    const progress = new Progress(plan.queue.length > 0 ? options.progress : 'none', plan.work, plan.queue.length, options.log);
    const kept: ShardResult = { counts: { ...noCounts(archive), messages: plan.keptMessages, kept: plan.kept.length }, rendered: plan.kept };
    let results: ShardResult[] = [kept];
    if (plan.queue.length > 0) {
      try {
        // Each thread converts images on its share of the cores (two photo-converting threads per renderer measured 314 → 278 MB on a 200k HTML export).
        const imageThreads = Math.max(1, Math.floor(options.threads / (helpers.length + 1)));
        const workers = helpers.map((helper) => helper.render(queue, { formats: plan.formats, stemOf, exportedAt, provenance, imageThreads }, progress));
        results = await allShards([
          renderShard(archive, () => queue.take(), renderers, { options, stemOf, exportedAt, provenance, progress, signal, imageThreads }),
          ...workers,
        ], queue);
        results.push(kept);
      } catch (error) {
        // Every thread has stopped: what any of them left unfinished is removed.
        await Promise.all(renderers.map((renderer) => renderer.abandon?.()));
        throw error;
      } finally {
        progress.stop();
      }
    }
    const rendered = results.flatMap((r) => r.rendered).sort((a, b) => b.lastDate - a.lastDate || a.key.localeCompare(b.key));
    if (rendered.length === 0 && results.some((r) => r.counts.skipped > 0)) throw couldNotExport();
    if (rendered.length === 0) throw nothingToExport(options);
    const sequence = new Map(queue.order.map((key, index) => [key, index]));
    for (const renderer of renderers) {
      await renderer.finish(rendered.map((r) => ({ ...r.files.find((f) => f.format === renderer.format)!, sequence: sequence.get(r.key)! })));
    }
    const counts = addCounts(results.map((r) => r.counts));
    counts.skipped += update.skipped;
    const written = rendered.flatMap((r) => r.files.filter((f) => !f.kept).map((f) => ({ key: r.key, format: f.format, fingerprint: f.fingerprint, stem: stemOf.get(r.key)!, file: f.file })));
    store.saveRendered(written, plan.formats.filter((format) => !reusable(format, options)));
    await sealArchive(store, { conversations: rendered.length, messages: counts.messages, attachments: counts.attachments }, options);
    return { conversations: rendered.length, ...counts, damage, notChecked, seconds: (Date.now() - started) / 1000 };
  } catch (error) {
    await Promise.all(helpers.map((h) => h.stop()));
    throw error;
  } finally {
    store?.close();
  }
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
  const { selection } = archive;
  requireSomethingChosen(selection);
  const candidates = inPlannedOrder(archive.candidates(), update.planned);
  if (candidates.length === 0) throw update.skipped > 0 ? couldNotExport() : nothingToExport(options);
  if (selection && !options.quiet) {
    for (const line of selectionLines(selection, candidates)) options.log(line);
  }
  return candidates;
}

function couldNotExport(): UserError {
  return new UserError('No conversation could be exported (see the lines above).');
}

function nothingToExport(options: ResolvedOptions): UserError {
  return new UserError(options.archive.chatTerms.length > 0
    ? `No messages to export in the conversations --chat ${options.archive.chatTerms.join(',')} chose (for the dates asked).`
    : 'No messages to export in this database (for the dates asked).');
}

/** How a thread reports on its work: each message rendered, and each conversation begun and finished. */
export interface ShardProgress {
  tick(count?: number): void;
  began(title: string, format: string): void;
  finished(title: string, messages: number): void;
}

/**
 * Conversations not yet rendered, largest first (by estimate): threads take one whenever they are free,
 * so they finish at nearly the same time whatever the sizes and the machine's moods.
 */
export class ConversationQueue {
  /** Every key in the order they are handed out. */
  readonly order: readonly string[];
  private readonly keys: string[];

  constructor(candidates: CandidateConversation[]) {
    this.keys = [...candidates].sort((a, b) => a.estimate - b.estimate).map((c) => c.key);
    this.order = [...this.keys].reverse();
  }

  take(): string | undefined {
    return this.keys.pop();
  }

  clear(): void {
    this.keys.length = 0;
  }
}

export interface ShardSetting {
  options: ResolvedOptions;
  stemOf: Map<string, string>;
  exportedAt: Date;
  provenance?: Provenance;
  progress: ShardProgress;
  signal: { interrupted: boolean };
  imageThreads: number;
}

/**
 * Renders conversations with these renderers (started here, finished by the caller) as long as
 * `take` gives the key of one; each is counted first, and skipped when it has no message to show.
 */
export async function renderShard(
  archive: StoreArchive,
  take: () => string | undefined | Promise<string | undefined>,
  renderers: Renderer[],
  setting: ShardSetting,
): Promise<ShardResult> {
  const { options, stemOf, exportedAt, provenance, progress, signal, imageThreads } = setting;
  const counts = noCounts(archive);
  const warn = (message: string) => {
    counts.warnings++;
    options.log(`warning: ${message}`);
  };
  const ctx: ExportContext = {
    outDir: options.outDir,
    exportedAt,
    dates: options.dates,
    attachments: options.attachments,
    pdf: options.pdf,
    csv: options.csv,
    sourceDescription: archive.description,
    provenance,
    imageThreads,
    warn,
  };
  for (const renderer of renderers) await renderer.start(ctx);
  const settings = renderers.map((renderer) => renderSettings(options, renderer.format));
  const rendered: ConversationFiles[] = [];
  const skip = (title: string, error: unknown) => {
    if (endsTheRun(error)) throw error;
    counts.skipped++;
    options.log(skipLine(title, error));
  };
  try {
    for (let key = await take(); key !== undefined; key = await take()) {
      let plan: HistoryConversation | undefined;
      try {
        [plan] = archive.conversations(new Set([key]));
      } catch (error) {
        skip(stemOf.get(key) ?? key, error);
      }
      if (!plan) continue;
      const { title, messageCount } = plan.conversation;
      const stream = archive.messages(plan);
      const fingerprints = archive.fingerprints(plan, settings);
      const files: FormatFile[] = [];
      let read = false;
      try {
        for (const [i, renderer] of renderers.entries()) {
          const { format } = renderer;
          const fingerprint = fingerprints[i]!;
          const kept = reusable(format, options) ? archive.keptFile(plan.key, format, fingerprint) : undefined;
          if (kept) {
            files.push({ conversation: plan.conversation, file: kept, format, fingerprint, kept: true });
            continue;
          }
          const counted = read ? stream : counting(stream, counts, warn);
          read = true;
          progress.began(title, format);
          const written = await renderer.renderConversation(plan.conversation, watching(counted, progress, signal), stemOf.get(plan.key)!);
          files.push({ ...written, format, fingerprint, kept: false });
        }
      } catch (error) {
        skip(title, error);
        continue;
      } finally {
        progress.finished(title, messageCount);
      }
      // A conversation whose files were all kept is counted without reading it.
      if (!read) {
        counts.messages += messageCount;
        counts.kept++;
      }
      rendered.push({ key: plan.key, lastDate: plan.conversation.lastDate!.getTime(), files });
      // HTML copies attachments in the background until finish(); the other formats are done with them here.
      if (!options.formats.includes('html')) await archive.releaseAttachments();
    }
    for (const renderer of renderers) await renderer.finishShard?.();
  } catch (error) {
    await Promise.all(renderers.map((renderer) => renderer.abandon?.()));
    throw error;
  }
  return { counts, rendered };
}

/** Counts before anything is rendered; with several sources, each starts at no message found only in it. */
function noCounts(archive: StoreArchive): ShardCounts {
  const onlyIn = new Map(archive.sourceNames.length > 1 ? archive.sourceNames.map((name) => [name, 0]) : []);
  return { messages: 0, attachments: 0, missingAttachments: 0, warnings: 0, skipped: 0, onlyIn, inEvery: 0, notInDatabase: 0, kept: 0 };
}

function addCounts(all: ShardCounts[]): ShardCounts {
  const total: ShardCounts = { messages: 0, attachments: 0, missingAttachments: 0, warnings: 0, skipped: 0, onlyIn: new Map(), inEvery: 0, notInDatabase: 0, kept: 0 };
  for (const c of all) {
    total.messages += c.messages;
    total.attachments += c.attachments;
    total.missingAttachments += c.missingAttachments;
    total.warnings += c.warnings;
    total.skipped += c.skipped;
    for (const [source, n] of c.onlyIn) total.onlyIn.set(source, (total.onlyIn.get(source) ?? 0) + n);
    total.inEvery += c.inEvery;
    total.notInDatabase += c.notInDatabase;
    total.kept += c.kept;
  }
  return total;
}

/** Counts messages, attachments and problems on the first renderer's first pass only. */
function counting(stream: MessageStream, summary: ShardCounts, warn: (m: string) => void): MessageStream {
  let counted = false;
  return function* () {
    const first = !counted;
    counted = true;
    for (const message of stream()) {
      if (first) tally(message, summary, warn);
      yield message;
    }
  };
}

function tally(message: Message, summary: ShardCounts, warn: (m: string) => void): void {
  summary.messages++;
  for (const part of message.parts) {
    const attachments = part.kind === 'attachment' ? [part.attachment] : part.kind === 'app' ? part.attachments : [];
    for (const a of attachments) {
      if (a.notInDatabase) {
        summary.notInDatabase++;
        continue;
      }
      summary.attachments++;
      if (a.missing) summary.missingAttachments++;
    }
  }
  for (const problem of message.problems) warn(`message ${message.guid}: ${problem}`);
  if (message.sources?.length === 1) {
    const only = message.sources[0]!;
    summary.onlyIn.set(only, (summary.onlyIn.get(only) ?? 0) + 1);
  }
  if (summary.onlyIn.size > 0 && !message.sources) summary.inEvery++;
}

/** Ticks the progress bar on every pass, and stops the stream when the user interrupts. */
function watching(stream: MessageStream, progress: { tick(): void }, signal: { interrupted: boolean }): MessageStream {
  let passes = 0;
  return function* () {
    const firstPass = passes++ === 0;
    for (const message of stream()) {
      if (signal.interrupted) throw new Interrupted('interrupted');
      if (firstPass) progress.tick();
      yield message;
    }
  };
}

/** Synchronously: each call awaited would wait its turn on a busy machine, and there is nothing to do meanwhile. */
function prepareOutput(outDir: string): void {
  try {
    makeFolders(resolve(outDir));
    accessSync(outDir, constants.W_OK);
    const probe = join(outDir, `.textkeeper-write-test-${process.pid}`);
    writeFileSync(probe, '');
    rmSync(probe);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'the folder cannot be created there' : (systemReason(error) ?? (error as Error).message);
    throw new UserError(`Cannot write to the output folder ${resolve(outDir)}: ${reason}.`);
  }
}

/**
 * mkdir -p, one level at a time: Node's recursive mkdir spins forever on some paths
 * (e.g. under /proc), which must be an error, not a hang.
 */
function makeFolders(path: string): void {
  try {
    mkdirSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return;
    if (code !== 'ENOENT' || dirname(path) === path) throw error;
    makeFolders(dirname(path));
    mkdirSync(path);
  }
}
