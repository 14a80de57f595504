// The thread that hashes attachment files for the main thread (see file-hasher.ts), in the order asked.
import { parentPort } from 'node:worker_threads';
import { fileSha256OrNull, HASH_CHUNK } from './file-sha256.js';

const buffer = Buffer.allocUnsafe(HASH_CHUNK);

parentPort!.on('message', (files: [path: string, size: number][]) => {
  // A file that cannot be read is hashed again by the main thread, which says why it cannot.
  parentPort!.postMessage(files.map(([path, size]) => fileSha256OrNull(path, size, buffer)));
});
