// The thread of a background database check (see check-thread.ts).
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { CheckAnswer } from './check-thread.js';
import { checkDatabase } from './damage.js';

let answer: CheckAnswer;
try {
  const db = new Database(workerData as string, { readonly: true, fileMustExist: true });
  try {
    answer = { report: checkDatabase(db) };
  } finally {
    db.close();
  }
} catch (error) {
  const { message, code } = error as { message: string; code?: unknown };
  answer = { failure: { message, code: typeof code === 'string' ? code : undefined } };
}
parentPort!.postMessage(answer);
