import { Worker } from 'node:worker_threads';
import { endsTheRun } from '../errors.js';
import type { ArchiveStore, IngestCounts } from './archive-store.js';
import { packMessages, type ChatMark, type ConversationEnd, type ConversationHead, type MessageBatch, type MessageRow } from './rows.js';
import { workerScript } from '../worker-script.js';

const WRITER_SCRIPT = workerScript(new URL('./writer-thread.js', import.meta.url));

/**
 * Batches of messages sent and not yet written: how far reading may run ahead of writing (memory stays
 * bounded). 8,000 messages: with 2,000 the main thread waited for the writer 0.85-2.3 s of a 200k ingest.
 */
const AHEAD = 80;

/** What the main thread tells the writer thread, in the order the store must see it. */
export type WriterOrder =
  | { type: 'begin'; head: ConversationHead; run: number }
  | { type: 'messages'; batch: MessageBatch }
  | { type: 'end'; end: ConversationEnd }
  | { type: 'abandon' }
  | { type: 'chatMark'; chatMark: ChatMark }
  | { type: 'hash'; path: string }
  | { type: 'hold' }
  | { type: 'release' }
  | { type: 'commit' }
  | { type: 'close' };

/** What the main thread is told of an error: enough to tell it as its own (see `describeSystemError`). */
export interface WriterError {
  name: string;
  message: string;
  code?: string;
  path?: string;
  dest?: string;
  syscall?: string;
}

export type WriterReport =
  | { type: 'written' }
  | { type: 'committed' }
  | { type: 'failed'; key?: string; error: WriterError }
  | { type: 'closed'; counts: IngestCounts };

/**
 * The store's one writer during an ingest: a worker thread (writer-thread.ts) with a connection of its
 * own does the SQLite work while this thread goes on reading the sources. Orders are kept in order, so
 * every guarantee of ArchiveStore's writes holds as before (each conversation whole or not at all). The
 * thread is started on the first order. A conversation the writer could not write is given by
 * `failures`; a failure that ends the run (a full disk) is thrown by the next call that waits.
 */
export class StoreWriter {
  private worker?: Worker;
  private gone = false;
  private unwritten = 0;
  private uncommitted = 0;
  private waiting?: () => void;
  private fatal?: Error;
  private readonly failed: [key: string, error: Error][] = [];
  private closed?: Promise<void>;
  /** The sources' check, which what is written waits for (see `holdUntil`). */
  private verdict?: Promise<unknown>;
  /** Waiting for that check: the thread, once started, holds what it writes. */
  private holding = false;

  constructor(private readonly store: ArchiveStore) {}

  begin(head: ConversationHead): void {
    this.order({ type: 'begin', head, run: this.store.run });
  }

  /** Sends some messages of the conversation begun; waits while the writer is too far behind. */
  async write(rows: MessageRow[]): Promise<void> {
    this.order({ type: 'messages', batch: packMessages(rows) });
    this.unwritten++;
    await this.until(() => this.unwritten < AHEAD);
  }

  end(end: ConversationEnd): void {
    this.order({ type: 'end', end });
  }

  abandon(): void {
    this.order({ type: 'abandon' });
  }

  rememberChatMark(chatMark: ChatMark): void {
    this.order({ type: 'chatMark', chatMark });
  }

  /** Has the file hashed, and its SHA-256 remembered by size and time (see AttachmentFiles.knownSha256). */
  hash(path: string): void {
    this.order({ type: 'hash', path });
  }

  /**
   * Nothing written from now on is committed before the sources' check has passed (`checked` resolved),
   * nor kept at all if the writer closes before that: the check failed (a -wal that does not match its
   * database, a database too damaged to check: rows read from it cannot be trusted), or the run was
   * stopped meanwhile. Writing goes on as usual; the check is often done long before reading is.
   */
  holdUntil(checked: Promise<unknown>): void {
    // Told to the thread when it starts: a run that writes nothing (an unchanged re-run) starts none.
    this.holding = true;
    if (this.worker) this.worker.postMessage({ type: 'hold' } satisfies WriterOrder);
    this.verdict = checked;
    checked.then(() => this.release(), () => {});
  }

  /** Waits for the check `holdUntil` was given; throws its failure (what was written is then left out at `close`). */
  async checked(): Promise<void> {
    await this.verdict;
    this.release();
  }

  private release(): void {
    this.holding = false;
    if (this.worker && !this.gone && !this.closed) this.worker.postMessage({ type: 'release' } satisfies WriterOrder);
  }

  /** Starts the thread before the first order, which would otherwise wait while it loads. */
  startEarly(): void {
    this.worker ??= this.start();
  }

  /** Conversations the writer failed to write since the last call, with why. */
  failures(): [key: string, error: Error][] {
    return this.failed.splice(0);
  }

  /** Waits until everything sent is written and committed. */
  async commit(): Promise<void> {
    if (!this.worker) return;
    this.order({ type: 'commit' });
    this.uncommitted++;
    await this.until(() => this.uncommitted === 0);
  }

  /**
   * Commits what was written (whole conversations) and stops the thread; its counts are added to the
   * store's, whose messages can then be read by their indexes. Safe to call again, and after a failure;
   * throws a failure that ends the run (also one in the closing itself: a disk that filled at the last commit).
   */
  async close(): Promise<void> {
    const worker = this.worker;
    if (worker && !this.gone) {
      this.closed ??= new Promise<void>((resolve) => {
        worker.once('exit', () => resolve());
        worker.postMessage({ type: 'close' } satisfies WriterOrder);
      });
      await this.closed;
    }
    if (!this.fatal) this.store.indexMessages();
    this.throwFatal();
  }

  private order(order: WriterOrder): void {
    this.throwFatal();
    (this.worker ??= this.start()).postMessage(order);
  }

  private start(): Worker {
    const worker = new Worker(WRITER_SCRIPT, { workerData: { dir: this.store.dir, made: this.store.made } });
    if (this.holding) worker.postMessage({ type: 'hold' } satisfies WriterOrder);
    worker.on('message', (report: WriterReport) => {
      if (report.type === 'written') this.unwritten--;
      else if (report.type === 'committed') this.uncommitted--;
      else if (report.type === 'closed') addCounts(this.store.counts, report.counts);
      else this.failure(report.key, revive(report.error));
      this.wake();
    });
    worker.on('error', (error) => this.failure(undefined, error));
    worker.on('exit', () => {
      this.gone = true;
      if (!this.closed) this.failure(undefined, new Error("the archive store's writer thread stopped before it was done"));
      this.wake();
    });
    return worker;
  }

  private failure(key: string | undefined, error: Error): void {
    if (key !== undefined && !endsTheRun(error)) this.failed.push([key, error]);
    else this.fatal ??= error;
    this.wake();
  }

  /** Waits (letting the writer's reports in) until `done`, or the writer failed for good. */
  private async until(done: () => boolean): Promise<void> {
    while (!done() && !this.fatal && !this.gone) await new Promise<void>((resolve) => (this.waiting = resolve));
    this.throwFatal();
  }

  private wake(): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.();
  }

  private throwFatal(): void {
    if (this.fatal) throw this.fatal;
  }
}

function addCounts(to: IngestCounts, from: IngestCounts): void {
  to.added += from.added;
  to.changed += from.changed;
  to.absent += from.absent;
  to.returned += from.returned;
  to.replaced += from.replaced;
}

/** The writer's error as this thread's, so that `endsTheRun` and the messages treat it the same way. */
function revive({ message, ...rest }: WriterError): Error {
  return Object.assign(new Error(message), rest);
}
