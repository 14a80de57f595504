// The thread that looks at attachment files for the reading thread (see file-prober.ts), in the order asked.
import { workerData, type MessagePort } from 'node:worker_threads';
import { probeFile } from './attachments.js';
import type { ProbeAnswer, ProbeOrder } from './file-prober.js';

const { port, signal, folders } = workerData as { port: MessagePort; signal: Int32Array; folders: string[] };

port.on('message', ({ id, paths }: ProbeOrder) => {
  // What cannot be looked at here is looked at again by the reading thread, which says why it cannot.
  const found = paths.map((path) => {
    try {
      return probeFile(path, folders) ?? null;
    } catch {
      return undefined;
    }
  });
  port.postMessage({ id, found } satisfies ProbeAnswer);
  // The reading thread may be waiting for this answer, blocked (it reads synchronously).
  Atomics.add(signal, 0, 1);
  Atomics.notify(signal, 0);
});
