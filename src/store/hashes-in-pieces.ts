import { statSync, type Stats } from 'node:fs';
import { SteppedSha256 } from './file-sha256.js';
import type { ChatMark } from './rows.js';

/** A file hashed to its end, with the chat marks that waited for its hash. */
export interface HashedFile {
  path: string;
  info: Stats;
  sha256: string;
  marks: ChatMark[];
}

interface Job {
  path: string;
  info: Stats;
  hashing?: SteppedSha256;
  marks: ChatMark[];
}

/**
 * Source databases hashed a megabyte at a time whenever the writer thread has no order waiting: hashed in
 * one go, a 1 GB database kept the writer from the messages for 0.85 s, and the reading thread, once it
 * was 80 batches ahead, waited. Chat marks that need a file's hash wait with it.
 */
export class HashesInPieces {
  private readonly jobs: Job[] = [];
  private readonly done: HashedFile[] = [];

  /** `failed`: a file could not be read to its end (the run cannot record it). */
  constructor(private readonly failed: (error: unknown) => void) {}

  add(path: string): void {
    this.jobs.push({ path, info: statSync(path), marks: [] });
    if (this.jobs.length === 1) setImmediate(() => this.step());
  }

  /** Keeps a mark without a hash until its file's is known; false when that file is not being hashed. */
  holds(mark: ChatMark): boolean {
    const job = mark.sha256 === undefined ? this.jobs.find((j) => j.path === mark.path) : undefined;
    job?.marks.push(mark);
    return job !== undefined;
  }

  /** Hashes what is left, now. */
  finish(): void {
    while (this.jobs.length > 0) this.advance(Infinity);
  }

  /** The files hashed since the last call. */
  take(): HashedFile[] {
    return this.done.splice(0);
  }

  private step(): void {
    try {
      this.advance(1);
    } catch (error) {
      this.jobs.shift();
      this.failed(error);
    }
    if (this.jobs.length > 0) setImmediate(() => this.step());
  }

  private advance(pieces: number): void {
    const job = this.jobs[0];
    if (!job) return;
    job.hashing ??= new SteppedSha256(job.path);
    for (let piece = 0; piece < pieces; piece++) {
      const sha256 = job.hashing.step();
      if (sha256 === undefined) continue;
      this.jobs.shift();
      this.done.push({ path: job.path, info: job.info, sha256, marks: job.marks });
      return;
    }
  }
}
