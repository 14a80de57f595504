import { Worker } from 'node:worker_threads';
import type { DamageReport } from './damage.js';
import { workerScript } from '../worker-script.js';

/** What a checking thread answers: what it found, or why it could not check. */
export type CheckAnswer = { report: DamageReport | undefined } | { failure: { message: string; code?: string } };

/** A `PRAGMA quick_check` running on a thread of its own while the database is read elsewhere. */
export interface BackgroundCheck {
  /** What the check found (undefined: sound); rejects as a query would when SQLite cannot check the file at all. */
  report: Promise<DamageReport | undefined>;
  /** Ends the check, finished or not. */
  stop(): Promise<void>;
}

/**
 * Checks the database at `location` (a path or an SQLite URI; its rows lost are counted in the one at
 * `rowsLocation`, when given: a copy with tables rebuilt) beside the work that reads it: checking
 * reads every page, which on a sound database would otherwise delay every thread's first conversation.
 */
export function checkInBackground(location: string, rowsLocation?: string): BackgroundCheck {
  const worker = new Worker(workerScript(new URL('./check-worker.js', import.meta.url)), { workerData: { location, rowsLocation } });
  const report = new Promise<DamageReport | undefined>((resolve, reject) => {
    worker.once('message', (answer: CheckAnswer) => {
      if ('report' in answer) resolve(answer.report);
      else reject(Object.assign(new Error(answer.failure.message), { code: answer.failure.code }));
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the database check stopped (exit code ${code}) before it finished`)));
  });
  // Whoever wants the result awaits it; a check stopped unread must not count as an unhandled failure.
  report.catch(() => {});
  return { report, stop: async () => void (await worker.terminate()) };
}
