import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { HistoryConversation } from '../normalize/archive.js';
import type { ExportContext, MessageStream, Provenance, Renderer } from '../render/renderer.js';
import type { StoreArchive } from '../store/store-archive.js';
import { sha256File } from '../store/file-sha256.js';
import type { ManifestEntry } from '../store/manifest.js';
import { endsTheRun, Interrupted } from '../errors.js';
import { skipLine } from './archive-run.js';
import { addCounts, attachmentCounts, counting, noCounts, type ShardCounts } from './counts.js';
import type { ResolvedOptions } from './options.js';
import { renderSettings, reusable, type ConversationFiles, type FormatFile } from './render-plan.js';

/** What one thread rendered: per conversation (by key), the file of each format, written or kept. */
export interface ShardResult {
  counts: ShardCounts;
  rendered: ConversationFiles[];
}

/** A conversation's file in a format whose files are kept across runs, complete and in place: its size, time and SHA-256. */
export interface WrittenFile extends ManifestEntry {
  format: string;
  fingerprint: string;
}

/**
 * How a thread reports on its work: each message rendered, each conversation begun and finished, and each
 * file of a format kept across runs once it is complete (recorded at once: a run that does not finish keeps it).
 */
export interface ShardProgress {
  tick(count?: number): void;
  began(title: string, format: string): void;
  finished(title: string, messages: number): void;
  wrote(key: string, file: WrittenFile): void;
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
  const shard = new Shard(archive, renderers, setting);
  await shard.start();
  try {
    for (let key = await take(); key !== undefined; key = await take()) await shard.render(key);
    for (const renderer of renderers) await renderer.finishShard?.();
  } catch (error) {
    await Promise.all(renderers.map((renderer) => renderer.abandon?.()));
    throw error;
  }
  return { counts: shard.counts, rendered: shard.rendered };
}

/** One thread's renderers, and what they have rendered so far. */
class Shard {
  counts: ShardCounts;
  readonly rendered: ConversationFiles[] = [];
  private readonly settings: string[];

  constructor(
    private readonly archive: StoreArchive,
    private readonly renderers: Renderer[],
    private readonly setting: ShardSetting,
  ) {
    this.counts = noCounts(archive);
    this.settings = renderers.map((renderer) => renderSettings(setting.options, renderer.format));
  }

  async start(): Promise<void> {
    const { options, exportedAt, provenance, imageThreads } = this.setting;
    const ctx: ExportContext = {
      outDir: options.outDir,
      exportedAt,
      dates: options.dates,
      attachments: options.attachments,
      pdf: options.pdf,
      csv: options.csv,
      sourceDescription: this.archive.description,
      provenance,
      selection: options.selection,
      imageThreads,
      warn: this.warn,
    };
    for (const renderer of this.renderers) await renderer.start(ctx);
  }

  async render(key: string): Promise<void> {
    let plan: HistoryConversation | undefined;
    try {
      [plan] = this.archive.conversations(new Set([key]));
    } catch (error) {
      this.skip(this.setting.stemOf.get(key) ?? key, error);
    }
    if (!plan) return;
    const { title, messageCount, lastDate } = plan.conversation;
    let files: FormatFile[];
    // What the conversation holds is counted once all its files are written: a skipped one adds nothing.
    const counts = noCounts(this.archive);
    try {
      files = await this.files(plan, counts);
    } catch (error) {
      this.skip(title, error);
      return;
    } finally {
      this.setting.progress.finished(title, messageCount);
    }
    this.counts = addCounts([this.counts, counts]);
    // A conversation whose files were all kept is counted without reading it (its attachments as its files counted them).
    const kept = files.every((f) => f.kept);
    if (kept) {
      this.counts.messages += messageCount;
      this.counts.kept++;
    }
    this.rendered.push({ key: plan.key, lastDate: lastDate!.getTime(), files, counts: kept ? this.archive.countsWith(plan.key, files) : attachmentCounts(counts) });
    // HTML copies attachments in the background until finish(); the other formats are done with them here.
    if (!this.setting.options.formats.includes('html')) await this.archive.releaseAttachments();
  }

  /** The conversation's file in every format: kept when made from the same fingerprint, else written (its messages counted into `counts`). */
  private async files(plan: HistoryConversation, counts: ShardCounts): Promise<FormatFile[]> {
    const { options, stemOf, progress, signal } = this.setting;
    const stream = this.archive.messages(plan);
    const fingerprints = this.archive.fingerprints(plan, this.settings);
    const files: FormatFile[] = [];
    let read = false;
    for (const [i, renderer] of this.renderers.entries()) {
      const { format } = renderer;
      const fingerprint = fingerprints[i]!;
      const kept = reusable(format, options) ? this.archive.keptFile(plan.key, format, fingerprint) : undefined;
      if (kept) {
        files.push({ conversation: plan.conversation, file: kept, format, fingerprint, kept: true });
        continue;
      }
      const counted = read ? stream : counting(stream, counts, this.warn);
      read = true;
      progress.began(plan.conversation.title, format);
      const written = await renderer.renderConversation(plan.conversation, watching(counted, progress, signal), stemOf.get(plan.key)!);
      files.push({ ...written, format, fingerprint, kept: false });
      if (reusable(format, options)) progress.wrote(plan.key, { ...await listed(options.outDir, written.file), format, fingerprint });
    }
    return files;
  }

  private readonly warn = (message: string): void => {
    this.counts.warnings++;
    this.setting.options.log(`warning: ${message}`);
  };

  private skip(title: string, error: unknown): void {
    if (endsTheRun(error)) throw error;
    this.counts.skipped++;
    this.setting.options.log(skipLine(title, error));
  }
}

/** A file as the manifest lists one, hashed as soon as it is written (it is in the file cache): the seal takes that hash. */
async function listed(outDir: string, file: string): Promise<ManifestEntry> {
  const path = join(outDir, file);
  const { size, mtimeMs } = await stat(path);
  return { path: file, size, mtimeMs, sha256: await sha256File(path) };
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
