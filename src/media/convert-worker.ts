import { parentPort } from 'node:worker_threads';
import { convertImage, type ConvertJob, type ConvertResult } from './convert.js';
import type { WorkerReply } from './worker-pool.js';

// Worker thread entry: converts images posted by the main thread, one at a time.
parentPort!.on('message', async (job: ConvertJob) => {
  let reply: WorkerReply<ConvertResult>;
  try {
    reply = { ok: true, result: await convertImage(job) };
  } catch (error) {
    reply = { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
  parentPort!.postMessage(reply);
});
