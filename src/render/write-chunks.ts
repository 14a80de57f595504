import { AtomicFile } from '../output/files.js';

const FLUSH_AT = 64 * 1024;

/**
 * Writes the chunks to `path` (atomically: under a temporary name until complete), gathered into
 * writes of about 64 KB; memory stays flat however many chunks there are.
 */
export async function writeChunks(path: string, chunks: Iterable<string>): Promise<void> {
  const out = new AtomicFile(path);
  try {
    let buffer = '';
    for (const chunk of chunks) {
      buffer += chunk;
      if (buffer.length >= FLUSH_AT) {
        await out.write(buffer);
        buffer = '';
      }
    }
    await out.write(buffer);
    await out.commit();
  } catch (error) {
    await out.abandon();
    throw error;
  }
}
