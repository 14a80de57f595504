import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { fileSha256OrNull, HASH_CHUNK } from './file-sha256.js';
import { workerScript } from '../worker-script.js';

const HASH_SCRIPT = workerScript(new URL('./hash-thread.js', import.meta.url));

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

/** Threads `hashFiles` uses at most: more outrun what a disk reads. */
const MAX_HASH_THREADS = 4;
/**
 * Files together smaller than this are read on the calling thread: starting threads takes longer (an
 * unchanged re-run hashes only the few files it wrote).
 */
const READ_HERE_BYTES = 32 * 1024 * 1024;

/** What a hashing thread is asked for at a time, so that progress can be told as it reads. */
const PIECE_BYTES = 64 * 1024 * 1024;

let buffer: Buffer | undefined;

/**
 * The SHA-256 of each file (path, and its size), or null where it could not be read, hashed on a thread
 * per core at once (up to four): `verify` reads every file of the archive, tens of gigabytes of attachments.
 * `hashed` is told the bytes of each piece read (files are asked for in pieces of at most PIECE_BYTES).
 */
export async function hashFiles(files: [path: string, size: number][], hashed: (bytes: number) => void = () => {}): Promise<(string | null)[]> {
  if (files.reduce((sum, [, size]) => sum + size, 0) < READ_HERE_BYTES) {
    const here = (buffer ??= Buffer.allocUnsafe(HASH_CHUNK));
    return files.map(([path, size]) => {
      const sha256 = fileSha256OrNull(path, size, here);
      hashed(size);
      return sha256;
    });
  }
  const count = Math.max(1, Math.min(availableParallelism(), MAX_HASH_THREADS, files.length));
  // Largest first, each to the thread with the least to read so far.
  const shares = Array.from({ length: count }, () => ({ bytes: 0, indexes: [] as number[] }));
  const order = files.map((_, i) => i).sort((a, b) => files[b]![1] - files[a]![1]);
  for (const i of order) {
    const share = shares.reduce((least, s) => (s.bytes < least.bytes ? s : least));
    share.bytes += files[i]![1];
    share.indexes.push(i);
  }
  const hashes: (string | null)[] = files.map(() => null);
  await Promise.all(shares.map(({ indexes }) => {
    const hasher = new FileHasher();
    // Asked for at once, answered in turn by the share's thread.
    return Promise.all(inPieces(indexes, (i) => files[i]![1]).map(async (piece) => {
      const found = await hasher.hash(piece.map((i) => files[i]!));
      piece.forEach((file, j) => (hashes[file] = found[j] ?? null));
      hashed(piece.reduce((sum, i) => sum + files[i]![1], 0));
    }));
  }));
  return hashes;
}

/** Consecutive pieces of `items` of at most PIECE_BYTES each (a larger item alone). */
function inPieces(items: number[], sizeOf: (item: number) => number): number[][] {
  const pieces: number[][] = [];
  let bytes = 0;
  for (const item of items) {
    const size = sizeOf(item);
    if (pieces.length === 0 || bytes + size > PIECE_BYTES) {
      pieces.push([]);
      bytes = 0;
    }
    pieces.at(-1)!.push(item);
    bytes += size;
  }
  return pieces;
}
