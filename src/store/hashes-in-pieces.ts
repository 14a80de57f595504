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
  /** Every file begun: each is hashed once a run, whether its chat marks or the run asked first. */
  private readonly begun = new Set<string>();

  /** `failed`: a file could not be read to its end (the run cannot record it). */
  constructor(private readonly failed: (error: unknown) => void) {}

  add(path: string): void {
    if (this.begun.has(path)) return;
    const info = statSync(path);
    this.begun.add(path);
    const marks: ChatMark[] = [];
    const done = sha256File(path).then(
      (sha256) => void this.hashed.push({ path, info, sha256, marks }),
      (error: unknown) => this.failed(error),
    ).finally(() => this.hashing.delete(path));
    this.hashing.set(path, { marks, done });
  }

  /** Keeps a mark without a hash until its file's is taken; false when that file is neither being hashed nor waiting to be taken. */
  holds(mark: ChatMark): boolean {
    if (mark.sha256 !== undefined) return false;
    const marks = this.hashing.get(mark.path)?.marks ?? this.hashed.find((file) => file.path === mark.path)?.marks;
    marks?.push(mark);
    return marks !== undefined;
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
