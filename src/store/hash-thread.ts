// The thread that hashes attachment files for the main thread (see file-hasher.ts), in the order asked.
import { parentPort } from 'node:worker_threads';
import { fileSha256, HASH_CHUNK } from './file-sha256.js';

const buffer = Buffer.allocUnsafe(HASH_CHUNK);

parentPort!.on('message', (files: [path: string, size: number][]) => {
  // A file that cannot be read is hashed again by the main thread, which says why it cannot.
  const hashes = files.map(([path, size]) => {
    try {
      return fileSha256(path, size, buffer);
    } catch {
      return null;
    }
  });
  parentPort!.postMessage(hashes);
});
