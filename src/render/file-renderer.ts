import { join } from 'node:path';
import type { Conversation } from '../model/types.js';
import { AtomicFile } from '../output/files.js';
import type { ExportContext, MessageStream, RenderedConversation, Renderer } from './renderer.js';

const FLUSH_AT = 64 * 1024;

/**
 * Writes the chunks to `path` (atomically: under a temporary name until complete), gathered into
 * writes of about 64 KB; memory stays flat however many chunks there are. Each chunk is encoded
 * straight into the pending buffer: joining strings first and encoding the joined (often two-byte)
 * string cost several times more.
 */
export async function writeChunks(path: string, chunks: Iterable<string>): Promise<void> {
  const out = new AtomicFile(path);
  try {
    let buffer = Buffer.allocUnsafe(FLUSH_AT);
    let used = 0;
    for (const chunk of chunks) {
      // A UTF-16 code unit becomes at most 3 bytes of UTF-8.
      if (used + chunk.length * 3 > FLUSH_AT && used > 0) {
        await out.write(buffer.subarray(0, used));
        buffer = Buffer.allocUnsafe(FLUSH_AT);
        used = 0;
      }
      if (chunk.length * 3 > FLUSH_AT) await out.write(chunk);
      else used += buffer.write(chunk, used);
    }
    await out.write(buffer.subarray(0, used));
    await out.commit();
  } catch (error) {
    await out.abandon();
    throw error;
  }
}

/** A renderer writing one `<stem>.<format>` file per conversation from a stream of text chunks. */
export abstract class FileRenderer implements Renderer {
  abstract readonly format: string;
  protected ctx!: ExportContext;

  async start(ctx: ExportContext): Promise<void> {
    this.ctx = ctx;
  }

  async renderConversation(conversation: Conversation, messages: MessageStream, baseName: string): Promise<RenderedConversation> {
    const file = `${baseName}.${this.format}`;
    await writeChunks(join(this.ctx.outDir, file), this.chunks(conversation, messages));
    return { conversation, file };
  }

  /** The file's text, piece by piece, reading the messages as it goes. */
  protected abstract chunks(conversation: Conversation, messages: MessageStream): Iterable<string>;

  async finish(): Promise<void> {}
}
