// A worker thread of `textkeeper export`: renders the conversations it is given (see shards.ts).
import { parentPort } from 'node:worker_threads';
import { RENDERERS } from '../render/registry.js';
import { renderShard, type ShardProgress } from './render-shard.js';
import { resolveOptions } from './options.js';
import type { WorkerOrder, WorkerReport } from './shards.js';
import { storeHistory } from './archive-run.js';

const TICK_EVERY = 500;
const report = (message: WorkerReport) => parentPort!.postMessage(message);
const signal = { interrupted: false };
const answers: ((key: string | null) => void)[] = [];
type Order<T> = Extract<WorkerOrder, { type: T }>;
let open!: (order: Order<'open'>) => void;
let start!: (order: Order<'render'>) => void;
const opening = new Promise<Order<'open'>>((resolve) => (open = resolve));
const starting = new Promise<Order<'render'>>((resolve) => (start = resolve));
parentPort!.on('message', (order: WorkerOrder) => {
  if (order === 'interrupt') signal.interrupted = true;
  else if (order.type === 'take') answers.shift()!(order.key);
  else if (order.type === 'open') open(order);
  else start(order);
});

/** The next conversation to render, asked for one ahead so that this thread never waits between two. */
let ahead: Promise<string | null> | undefined;
const ask = () => new Promise<string | null>((resolve) => {
  answers.push(resolve);
  report({ type: 'next' });
});
async function take(): Promise<string | undefined> {
  const key = await (ahead ?? ask());
  ahead = key === null ? undefined : ask();
  return key ?? undefined;
}

/** Messages rendered and not yet reported (reported in batches, and before a conversation is finished). */
let ticks = 0;
const flush = () => {
  if (ticks > 0) report({ type: 'tick', count: ticks });
  ticks = 0;
};
const progress: ShardProgress = {
  tick() {
    if (++ticks === TICK_EVERY) flush();
  },
  began(title, format) {
    report({ type: 'began', title, format });
  },
  finished(title, messages) {
    flush();
    report({ type: 'finished', title, messages });
  },
  wrote(key, file) {
    report({ type: 'wrote', key, file });
  },
};

/** Waits for the orders to open the store and render, renders, and reports; never throws (a failure is reported). */
async function work(): Promise<void> {
  try {
    // The main thread checks the database.
    const opened = await opening;
    // Its lines are said where the run's are (a library's onWarning), not on the process's stderr.
    const options = { ...resolveOptions({ ...opened.raw, check: false }, true), log: (line: string) => report({ type: 'log', line }) };
    // Their modules load while the main thread is busy (the render order's formats are among them).
    for (const format of opened.formats) RENDERERS[format]!().catch(() => {});
    const { formats, stems, exportedAt, provenance, imageThreads, altered } = await starting;
    // The renderers load while the store is opened; conversations are read from it.
    const loading = Promise.all(formats.map((format) => RENDERERS[format]!()));
    loading.catch(() => {});
    const archive = storeHistory(options);
    archive.showAltered(altered);
    let result;
    try {
      const renderers = await loading;
      const setting = { options, stemOf: new Map(stems), exportedAt: new Date(exportedAt), provenance, progress, signal, imageThreads };
      result = await renderShard(archive, take, renderers, setting);
    } finally {
      await archive.close();
    }
    flush();
    report({ type: 'done', result });
  } catch (error) {
    const { name, message, code, path, syscall } = error as NodeJS.ErrnoException;
    report({ type: 'failed', error: { name, message, code, path, syscall } });
  } finally {
    parentPort!.close();
  }
}

// Not awaited at the top: the script is also bundled as CommonJS (see src/worker-script.ts), which has no top-level await.
void work();
