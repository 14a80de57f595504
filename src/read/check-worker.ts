// The thread of a background database check (see check-thread.ts).
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { CheckAnswer } from './check-thread.js';
import { checkDatabase } from './damage.js';

const { location, rowsLocation } = workerData as { location: string; rowsLocation?: string };
let answer: CheckAnswer;
try {
  const open = (at: string) => new Database(at, { readonly: true, fileMustExist: true });
  const db = open(location);
  const rows = rowsLocation === undefined ? db : open(rowsLocation);
  try {
    answer = { report: checkDatabase(db, rows) };
  } finally {
    db.close();
    if (rows !== db) rows.close();
  }
} catch (error) {
  const { message, code } = error as { message: string; code?: unknown };
  answer = { failure: { message, code: typeof code === 'string' ? code : undefined } };
}
parentPort!.postMessage(answer);
