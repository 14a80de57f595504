import { statSync, type Stats } from 'node:fs';
import { sha256File } from './file-sha256.js';
import type { ChatMark } from './rows.js';

/** A file hashed to its end, with the chat marks that waited for its hash. */
export interface HashedFile {
  path: string;
  info: Stats;
  sha256: string;
  marks: ChatMark[];
}

/**
 * Source databases hashed by the writer thread a megabyte at a time, its orders handled between the reads:
 * hashed in one go, a 1 GB database kept the writer from the messages for 0.85 s, and the reading thread,
 * once it was 80 batches ahead, waited. Chat marks that need a file's hash wait with it.
 */
export class HashesInPieces {
  private readonly hashing = new Map<string, { marks: ChatMark[]; done: Promise<void> }>();
  private readonly hashed: HashedFile[] = [];

  /** `failed`: a file could not be read to its end (the run cannot record it). */
  constructor(private readonly failed: (error: unknown) => void) {}

  add(path: string): void {
    if (this.hashing.has(path)) return;
    const info = statSync(path);
    const marks: ChatMark[] = [];
    const done = sha256File(path).then(
      (sha256) => void this.hashed.push({ path, info, sha256, marks }),
      (error: unknown) => this.failed(error),
    ).finally(() => this.hashing.delete(path));
    this.hashing.set(path, { marks, done });
  }

  /** Keeps a mark without a hash until its file's is known; false when that file is not being hashed. */
  holds(mark: ChatMark): boolean {
    const job = mark.sha256 === undefined ? this.hashing.get(mark.path) : undefined;
    job?.marks.push(mark);
    return job !== undefined;
  }

  /** Once every file begun is hashed (or failed). */
  async finish(): Promise<void> {
    await Promise.all([...this.hashing.values()].map((job) => job.done));
  }

  /** The files hashed since the last call. */
  take(): HashedFile[] {
    return this.hashed.splice(0);
  }
}
