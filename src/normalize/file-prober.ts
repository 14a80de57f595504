import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { probeFile, type FileProbe } from './attachments.js';
import { workerScript } from '../worker-script.js';

const PROBE_SCRIPT = workerScript(new URL('./probe-thread.js', import.meta.url));

/** Files looked at on the reading thread before the prober's own answers: a small history never pays for one. */
const BEFORE_A_THREAD = 1000;
/**
 * Files asked for when the thread is started, so that it has loaded by the time its answers are wanted: started
 * at BEFORE_A_THREAD, the reading thread waited 80 ms for it (200k export).
 */
const THREAD_STARTS_AT = BEFORE_A_THREAD / 2;
/** How long the reading thread waits for an answer before it looks at the files itself. */
const PATIENCE_MS = 10_000;

export interface ProbeOrder {
  id: number;
  paths: string[];
}

/** For each path asked: what `probeFile` found (null: no file), or undefined when it failed there. */
export interface ProbeAnswer {
  id: number;
  found: (FileProbe | null | undefined)[];
}

/** What was found at some paths, each asked once; undefined for a path not asked or not answered. */
export type Probes = (path: string) => FileProbe | null | undefined;

/**
 * Looks at attachment files (lstat, links, folders: `probeFile`) on a thread of its own, a batch ahead
 * of the reading thread, which reads synchronously: it takes the answer when it needs it, waiting if it
 * must. Until enough files were asked for, and after the thread failed to answer, they are looked at here.
 */
export class FileProber {
  private worker?: Worker;
  private port?: MessagePort;
  private readonly signal = new Int32Array(new SharedArrayBuffer(4));
  private asked = 0;
  private lastId = 0;
  private failed = false;

  constructor(private readonly folders: string[]) {}

  /** Starts looking at these files; what was found is given when first asked for. */
  ahead(paths: string[]): Probes {
    this.asked += paths.length;
    if (!this.failed && this.asked >= THREAD_STARTS_AT) this.start();
    if (paths.length === 0 || this.failed || this.asked < BEFORE_A_THREAD) return () => undefined;
    const id = ++this.lastId;
    this.start().postMessage({ id, paths } satisfies ProbeOrder);
    let found: Map<string, FileProbe | null | undefined> | undefined;
    return (path) => {
      found ??= this.answer(id, paths);
      return found.get(path);
    };
  }

  /** The thread's answer to order `id`, waited for; older answers (of batches not read to the end) are dropped. */
  private answer(id: number, paths: string[]): Map<string, FileProbe | null | undefined> {
    for (;;) {
      const seen = Atomics.load(this.signal, 0);
      const answer = receiveMessageOnPort(this.port!)?.message as ProbeAnswer | undefined;
      if (answer?.id === id) return new Map(paths.map((path, i) => [path, answer.found[i]]));
      if (answer) continue;
      if (Atomics.wait(this.signal, 0, seen, PATIENCE_MS) === 'timed-out') {
        this.failed = true;
        return new Map();
      }
    }
  }

  private start(): MessagePort {
    if (this.port) return this.port;
    const { port1, port2 } = new MessageChannel();
    this.worker = new Worker(PROBE_SCRIPT, { workerData: { port: port2, signal: this.signal, folders: this.folders }, transferList: [port2] });
    this.worker.unref();
    this.worker.on('error', () => (this.failed = true));
    this.port = port1;
    return port1;
  }

  /** What lies at the path: the answer asked for ahead, or a look here. */
  static probe(probes: Probes | undefined, path: string, folders: string[]): FileProbe | undefined {
    const found = probes?.(path);
    return found === undefined ? probeFile(path, folders) : (found ?? undefined);
  }

  async close(): Promise<void> {
    this.port?.close();
    await this.worker?.terminate();
  }
}
