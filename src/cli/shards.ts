import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { CandidateConversation } from '../normalize/archive.js';
import { UserError } from '../errors.js';
import type { ShardProgress, ShardResult } from './export-command.js';
import { Interrupted } from './interrupted.js';
import type { ResolvedOptions } from './options.js';

/** Formats whose conversations are written independently of each other (HTML shares an index and media). */
const INDEPENDENT_FORMATS = new Set(['txt', 'pdf']);

/** A worker's share of the work is made smaller by this fraction of the whole. */
const WORKER_HANDICAP = 0.04;

/**
 * Whether conversations may be rendered on several threads: independent formats, more than one core,
 * and only chat.db sources (an encrypted backup would be unlocked again in every thread).
 */
function canShare(options: ResolvedOptions): boolean {
  return availableParallelism() > 1 && options.formats.every((f) => INDEPENDENT_FORMATS.has(f)) && (options.sources.backup ?? []).length === 0;
}

/** How many worker threads to start beside this one. */
export function helperCount(options: ResolvedOptions): number {
  return canShare(options) ? Math.min(availableParallelism(), 4) - 1 : 0;
}

/**
 * Splits conversations between this thread (first) and at most `helpers` worker threads by their
 * estimated size, largest first onto the least loaded. Workers start with a small handicap: they
 * are still loading when this thread begins.
 */
export function shareOut(candidates: CandidateConversation[], helpers: number): CandidateConversation[][] {
  const threads = Math.min(helpers + 1, candidates.length);
  if (threads < 2) return [candidates];
  const total = candidates.reduce((sum, c) => sum + c.estimate, 0);
  const load = Array.from({ length: threads }, (_, i) => (i === 0 ? 0 : total * WORKER_HANDICAP));
  const shares: CandidateConversation[][] = Array.from({ length: threads }, () => []);
  for (const candidate of [...candidates].sort((a, b) => b.estimate - a.estimate)) {
    const lightest = load.indexOf(Math.min(...load));
    shares[lightest]!.push(candidate);
    load[lightest]! += candidate.estimate;
  }
  return shares.filter((share) => share.length > 0);
}

/** The data a worker thread starts from (all of it structured-cloneable). */
export interface WorkerData {
  raw: ResolvedOptions['raw'];
}

/** Its share, sent once this thread has planned. */
export interface WorkerJob {
  type: 'render';
  keys: string[];
  stems: [string, string][];
  exportedAt: number;
}

export type WorkerReport =
  | { type: 'tick'; count: number }
  | { type: 'counted'; messages: number }
  | { type: 'done'; result: ShardResult }
  | { type: 'failed'; error: { name: string; message: string; code?: string } };

/**
 * A worker thread (src/cli/export-worker.ts), started before planning so that it loads its modules
 * and opens the archive meanwhile; then it renders the share it is sent, relaying its progress.
 */
export class WorkerShard {
  private readonly worker: Worker;
  private readonly outcome: Promise<ShardResult>;
  private readonly watch: NodeJS.Timeout;
  private progress: ShardProgress = { tick() {}, counted() {} };
  private working = false;

  constructor(options: ResolvedOptions, signal: { interrupted: boolean }) {
    const data: WorkerData = { raw: options.raw };
    this.worker = new Worker(new URL('./export-worker.js', import.meta.url), { workerData: data });
    this.watch = setInterval(() => {
      if (signal.interrupted) this.worker.postMessage('interrupt');
    }, 100);
    this.outcome = new Promise<ShardResult>((resolve, reject) => {
      this.worker.on('message', (report: WorkerReport) => {
        if (report.type === 'tick') this.progress.tick(report.count);
        else if (report.type === 'counted') this.progress.counted(report.messages);
        else if (report.type === 'done') resolve(report.result);
        else reject(revive(report.error));
      });
      this.worker.on('error', reject);
      // After 'done' this rejection is ignored; without it, a worker that died silently would leave us waiting forever.
      this.worker.on('exit', (code) => reject(new Error(`a worker thread stopped (exit code ${code}) before finishing its conversations`)));
    }).finally(() => clearInterval(this.watch));
    // A failure before render() is reported by render(); until then it must not count as unhandled.
    this.outcome.catch(() => {});
  }

  render(keys: string[], stemOf: Map<string, string>, exportedAt: Date, progress: ShardProgress): Promise<ShardResult> {
    this.progress = progress;
    this.working = true;
    const job: WorkerJob = { type: 'render', keys, stems: [...stemOf], exportedAt: exportedAt.getTime() };
    this.worker.postMessage(job);
    return this.outcome;
  }

  /**
   * Stops the worker: at once when it has nothing to do; otherwise it is asked to stop like on Ctrl-C,
   * so it removes the files it had begun, and is awaited.
   */
  async stop(): Promise<void> {
    if (this.working) {
      this.worker.postMessage('interrupt');
      await this.outcome.catch(() => {});
    }
    clearInterval(this.watch);
    await this.worker.terminate();
  }
}

/** The worker's error as the main thread's kind of error, so it is reported the same way. */
function revive(error: { name: string; message: string; code?: string }): Error {
  if (error.name === 'UserError' || error.name === 'BackupError') return new UserError(error.message);
  if (error.name === 'Interrupted') return new Interrupted(error.message);
  return Object.assign(new Error(error.message), { code: error.code });
}
