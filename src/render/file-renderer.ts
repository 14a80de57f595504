import { join } from 'node:path';
import type { Conversation } from '../model/types.js';
import { writeWhole } from '../output/files.js';
import { Utf8Buffer } from '../output/utf8-buffer.js';
import type { ExportContext, MessageStream, RenderedConversation, Renderer } from './renderer.js';

const FLUSH_AT = 64 * 1024;

/**
 * Writes the chunks to `path` (atomically: under a temporary name until complete), gathered as UTF-8
 * into writes of about 64 KB; memory stays flat however many chunks there are.
 */
export async function writeChunks(path: string, chunks: Iterable<string>): Promise<void> {
  const pending = new Utf8Buffer(FLUSH_AT);
  await writeWhole(path, async (out) => {
    for (const chunk of chunks) {
      pending.append(chunk);
      if (pending.length >= FLUSH_AT) await pending.writeTo(out);
    }
    await pending.writeTo(out);
  });
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
