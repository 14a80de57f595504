import { closeSync, openSync, readSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import type { Conversation, Message } from '../../model/types.js';
import { writeWhole } from '../../output/files.js';
import { damagedSources } from '../describe.js';
import { messageRecord, recordStyle } from '../json/records.js';
import type { ExportContext, MessageStream, RenderedConversation, Renderer } from '../renderer.js';
import { writeChunks } from '../file-renderer.js';

export const NDJSON_FILE = 'messages.ndjson';
const PARTS = '.messages.ndjson.parts';
const JOIN_PIECE = 1024 * 1024;

/**
 * One `messages.ndjson` for the whole archive: a message per line (schema/message.schema.json), with its
 * conversation's id. Conversations are rendered on several threads, so each writes its own part file
 * (in a folder of its thread); finish() joins them in the archive's order and removes them.
 */
export class NdjsonRenderer implements Renderer {
  readonly format = 'ndjson';
  private ctx!: ExportContext;
  private parts = '';

  async start(ctx: ExportContext): Promise<void> {
    this.ctx = ctx;
    this.parts = join(PARTS, String(threadId));
    await rm(join(ctx.outDir, this.parts), { recursive: true, force: true });
    await mkdir(join(ctx.outDir, this.parts), { recursive: true });
  }

  async renderConversation(conversation: Conversation, messages: MessageStream, baseName: string): Promise<RenderedConversation> {
    const file = join(this.parts, `${baseName}.ndjson`);
    const style = recordStyle(this.ctx);
    // One file holds every conversation: each line of one read from a damaged source says so.
    const damaged = damagedSources(this.ctx);
    const record = damaged.length === 0 ? (message: Message) => messageRecord(message, conversation.id, style) : (message: Message) => ({ ...messageRecord(message, conversation.id, style), damagedSources: damaged });
    await writeChunks(join(this.ctx.outDir, file), (function* () {
      for (const message of messages()) yield `${JSON.stringify(record(message))}\n`;
    })());
    return { conversation, file };
  }

  async finish(rendered: RenderedConversation[]): Promise<void> {
    // Read in large synchronous pieces into one buffer, each written before the next is read. Joining 133 MB
    // (200k messages) took 2 s streamed in 64 KB chunks, 0.25 s read into a new 1 MB buffer a piece, 0.06 s so.
    const piece = Buffer.allocUnsafe(JOIN_PIECE);
    await writeWhole(join(this.ctx.outDir, NDJSON_FILE), async (out) => {
      for (const { file } of rendered) {
        const part = openSync(join(this.ctx.outDir, file), 'r');
        try {
          for (let n = readSync(part, piece); n > 0; n = readSync(part, piece)) await out.writeThrough(piece.subarray(0, n));
        } finally {
          closeSync(part);
        }
      }
    });
    await rm(join(this.ctx.outDir, PARTS), { recursive: true, force: true });
  }

  /**
   * A thread removes its own parts; once every thread has stopped, all of them are. Removing all while another
   * thread still wrote its parts failed now and then (ENOTEMPTY), and that failure was reported instead of a full disk.
   */
  async abandon(everyThread = false): Promise<void> {
    if (this.ctx) await rm(join(this.ctx.outDir, everyThread ? PARTS : this.parts), { recursive: true, force: true });
  }
}
