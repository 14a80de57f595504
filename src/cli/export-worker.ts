// A worker thread of `textkeeper export`: renders the conversations it is given (see shards.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { RENDERERS } from '../render/registry.js';
import { renderShard } from './export-command.js';
import { resolveOptions } from './options.js';
import type { WorkerData, WorkerJob, WorkerReport } from './shards.js';
import { openArchive } from './sources.js';

const TICK_EVERY = 500;
const data = workerData as WorkerData;
const report = (message: WorkerReport) => parentPort!.postMessage(message);
const signal = { interrupted: false };
const job = new Promise<WorkerJob>((resolve) => {
  parentPort!.on('message', (message: 'interrupt' | WorkerJob) => {
    if (message === 'interrupt') signal.interrupted = true;
    else resolve(message);
  });
});

let ticks = 0;
const progress = {
  tick() {
    if (++ticks % TICK_EVERY === 0) report({ type: 'tick', count: TICK_EVERY });
  },
  counted(messages: number) {
    report({ type: 'counted', messages });
  },
};

try {
  const options = resolveOptions(data.raw, true);
  // Opened while the main thread plans; the share arrives afterwards.
  const { archive, close } = await openArchive(options);
  let result;
  try {
    const { keys, stems, exportedAt } = await job;
    const renderers = await Promise.all(options.formats.map((format) => RENDERERS[format]!()));
    const setting = { options, stemOf: new Map(stems), exportedAt: new Date(exportedAt), progress, signal };
    result = await renderShard(archive, keys, renderers, setting);
  } finally {
    await close();
  }
  report({ type: 'tick', count: ticks % TICK_EVERY });
  report({ type: 'done', result });
} catch (error) {
  const { name, message, code } = error as Error & { code?: string };
  report({ type: 'failed', error: { name, message, code } });
} finally {
  parentPort!.close();
}
