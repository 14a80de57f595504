import { parentPort, Worker, type Transferable } from 'node:worker_threads';

interface Task<Job, Result> {
  job: Job;
  resolve(result: Result): void;
  reject(error: Error): void;
}

interface Slot<Job, Result> {
  worker: Worker;
  task?: Task<Job, Result>;
}

/** Answer a worker posts for each job it was given. */
export type WorkerReply<Result> = { ok: true; result: Result } | { ok: false; error: string };

/**
 * A worker thread's side: runs each job posted to it, one at a time, and answers with its result or its
 * error's message; `transfer` names the result's buffers to hand over instead of copying them.
 */
export function serveJobs<Job, Result>(work: (job: Job) => Promise<Result>, transfer: (result: Result) => Transferable[] = () => []): void {
  parentPort!.on('message', async (job: Job) => {
    let result: Result;
    try {
      result = await work(job);
    } catch (error) {
      parentPort!.postMessage({ ok: false, error: error instanceof Error ? error.message : String(error) } satisfies WorkerReply<Result>);
      return;
    }
    parentPort!.postMessage({ ok: true, result } satisfies WorkerReply<Result>, transfer(result));
  });
}

/**
 * A fixed number of worker threads running one script; jobs queue until a worker is free.
 * Workers start on the first job and hold the process open only while busy.
 */
export class WorkerPool<Job, Result> {
  private readonly slots: Slot<Job, Result>[] = [];
  private readonly queue: Task<Job, Result>[] = [];
  private closed = false;

  constructor(private readonly script: URL, private readonly size: number) {}

  run(job: Job): Promise<Result> {
    if (this.closed) return Promise.reject(new Error('worker pool is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ job, resolve, reject });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const task of this.queue.splice(0)) task.reject(new Error('worker pool is closed'));
    await Promise.all(this.slots.splice(0).map((slot) => slot.worker.terminate()));
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      const slot = this.slots.find((s) => !s.task) ?? (this.slots.length < this.size ? this.spawn() : undefined);
      if (!slot) return;
      slot.task = this.queue.shift()!;
      slot.worker.ref();
      slot.worker.postMessage(slot.task.job);
    }
  }

  private spawn(): Slot<Job, Result> {
    const slot: Slot<Job, Result> = { worker: new Worker(this.script) };
    slot.worker.on('message', (reply: WorkerReply<Result>) => {
      const task = this.finishTask(slot);
      if (reply.ok) task?.resolve(reply.result);
      else task?.reject(new Error(reply.error));
    });
    // A crashed worker fails its job and is replaced by a fresh one on the next dispatch.
    slot.worker.on('error', (error) => {
      this.slots.splice(this.slots.indexOf(slot), 1);
      this.finishTask(slot)?.reject(error);
    });
    this.slots.push(slot);
    return slot;
  }

  private finishTask(slot: Slot<Job, Result>): Task<Job, Result> | undefined {
    const task = slot.task;
    slot.task = undefined;
    slot.worker.unref();
    queueMicrotask(() => this.dispatch());
    return task;
  }
}
