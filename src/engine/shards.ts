import { Worker } from 'node:worker_threads';
import { Interrupted, UserError } from '../errors.js';
import type { ConversationQueue } from './conversation-queue.js';
import type { ShardProgress, ShardResult, WrittenFile } from './render-shard.js';
import type { ResolvedOptions } from './options.js';
import type { Provenance } from '../render/renderer.js';
import { workerScript } from '../worker-script.js';

/**
 * How many worker threads to start beside this one for an export of this many conversations: --threads
 * in all but never more threads than conversations, and none for backups (an encrypted backup would be
 * unlocked again in every thread).
 */
export function helperCount(options: ResolvedOptions, conversations: number): number {
  return (options.sources.backup ?? []).length === 0 ? Math.max(0, Math.min(options.threads, conversations) - 1) : 0;
}

const WORKER_SCRIPT = workerScript(new URL('./worker.js', import.meta.url));

/** What a worker thread renders, besides the conversations it takes from the queue. */
export interface RenderJob {
  formats: string[];
  stemOf: Map<string, string>;
  exportedAt: Date;
  provenance?: Provenance;
  imageThreads: number;
  /** Copies of attachments shown as altered (see `StoreArchive.showAltered`). */
  altered: string[];
}

/**
 * What this thread tells a worker: open the archive's store, begin rendering,
 * the next conversation to render (none: done), or stop now.
 */
export type WorkerOrder =
  | { type: 'open'; raw: ResolvedOptions['raw']; formats: string[] }
  | { type: 'render'; formats: string[]; stems: [string, string][]; exportedAt: number; provenance?: Provenance; imageThreads: number; altered: string[] }
  | { type: 'take'; key: string | null }
  | 'interrupt';

export type WorkerReport =
  | { type: 'tick'; count: number }
  | { type: 'began'; title: string; format: string }
  | { type: 'finished'; title: string; messages: number }
  | { type: 'wrote'; key: string; file: WrittenFile }
  | { type: 'next' }
  | { type: 'log'; line: string }
  | { type: 'done'; result: ShardResult }
  | { type: 'failed'; error: FailureReport };

/** An error as it crosses from a worker thread: enough to report it the same way. */
export interface FailureReport {
  name: string;
  message: string;
  code?: string;
  path?: string;
  syscall?: string;
}

/**
 * A worker thread (src/engine/worker.ts), started once a run knows it has conversations to write (on a
 * new HTML archive, before its sources are read): it loads its modules and the renderers of these `formats`,
 * opens the archive's store when told to render, then renders conversations it takes from the queue one
 * by one, relaying its progress and the lines it says (warnings).
 */
export class WorkerShard {
  private readonly worker: Worker;
  private readonly outcome: Promise<ShardResult>;
  private readonly watch: NodeJS.Timeout;
  private progress: ShardProgress = { tick() {}, began() {}, finished() {}, wrote() {} };
  private queue?: ConversationQueue;
  private working = false;

  constructor(options: ResolvedOptions, signal: { interrupted: boolean }, formats: string[]) {
    this.worker = new Worker(WORKER_SCRIPT);
    this.watch = setInterval(() => {
      if (signal.interrupted) this.order('interrupt');
    }, 100);
    this.outcome = new Promise<ShardResult>((resolve, reject) => {
      this.worker.on('message', (report: WorkerReport) => {
        if (report.type === 'tick') this.progress.tick(report.count);
        else if (report.type === 'began') this.progress.began(report.title, report.format);
        else if (report.type === 'finished') this.progress.finished(report.title, report.messages);
        else if (report.type === 'wrote') this.progress.wrote(report.key, report.file);
        else if (report.type === 'next') this.order({ type: 'take', key: this.queue?.take() ?? null });
        else if (report.type === 'log') options.log(report.line);
        else if (report.type === 'done') resolve(report.result);
        else reject(revive(report.error));
      });
      this.worker.on('error', reject);
      // After 'done' this rejection is ignored; without it, a worker that died silently would leave us waiting forever.
      this.worker.on('exit', (code) => reject(new Error(`a worker thread stopped (exit code ${code}) before finishing its conversations`)));
    }).finally(() => clearInterval(this.watch));
    // A failure before render() is reported by render(); until then it must not count as unhandled.
    this.outcome.catch(() => {});
    this.order({ type: 'open', raw: options.raw, formats });
  }

  render(queue: ConversationQueue, job: RenderJob, progress: ShardProgress): Promise<ShardResult> {
    this.progress = progress;
    this.queue = queue;
    this.working = true;
    const { formats, stemOf, exportedAt, provenance, imageThreads, altered } = job;
    this.order({ type: 'render', formats, stems: [...stemOf], exportedAt: exportedAt.getTime(), provenance, imageThreads, altered });
    return this.outcome;
  }

  private order(order: WorkerOrder): void {
    this.worker.postMessage(order);
  }

  /**
   * Stops the worker: at once when it has nothing to do; otherwise it is asked to stop like on Ctrl-C,
   * so it removes the files it had begun, and is awaited.
   */
  async stop(): Promise<void> {
    if (this.working) {
      this.order('interrupt');
      await this.outcome.catch(() => {});
    }
    clearInterval(this.watch);
    await this.worker.terminate();
  }
}

/** The worker's error as the main thread's kind of error, so it is reported the same way. */
function revive(error: FailureReport): Error {
  if (error.name === 'UserError' || error.name === 'BackupError') return new UserError(error.message);
  if (error.name === 'Interrupted') return new Interrupted(error.message);
  const { code, path, syscall } = error;
  return Object.assign(new Error(error.message), { code, path, syscall });
}
