import { Worker } from 'node:worker_threads';

const HASH_SCRIPT = new URL('./hash-thread.js', import.meta.url);

/**
 * Hashes files on a thread of its own (hash-thread.ts), so that the main thread reads on meanwhile.
 * Never fails: a file it could not hash (or every file, if the thread died) comes back as null.
 * The thread is started on the first request and keeps the process alive only while it has work.
 */
export class FileHasher {
  private worker?: Worker;
  private gone = false;
  private readonly waiting: ((hashes: (string | null)[]) => void)[] = [];

  /** The SHA-256 of each file (path and the size stat found), or null where it could not be found. */
  hash(files: [path: string, size: number][]): Promise<(string | null)[]> {
    if (files.length === 0 || this.gone) return Promise.resolve(files.map(() => null));
    const worker = (this.worker ??= this.start());
    if (this.waiting.length === 0) worker.ref();
    worker.postMessage(files);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** Starts the thread before the first request, which would otherwise wait while it loads. */
  startEarly(): void {
    if (this.worker || this.gone) return;
    this.worker = this.start();
    this.worker.unref();
  }

  private start(): Worker {
    const worker = new Worker(HASH_SCRIPT);
    worker.on('message', (hashes: (string | null)[]) => this.answer(hashes));
    worker.on('error', () => this.stop());
    worker.on('exit', () => this.stop());
    return worker;
  }

  private answer(hashes: (string | null)[]): void {
    this.waiting.shift()?.(hashes);
    if (this.waiting.length === 0) this.worker?.unref();
  }

  private stop(): void {
    this.gone = true;
    for (const resolve of this.waiting.splice(0)) resolve([]);
  }
}
