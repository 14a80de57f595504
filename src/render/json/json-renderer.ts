import { join } from 'node:path';
import type { Conversation } from '../../model/types.js';
import type { ExportContext, MessageStream, RenderedConversation, Renderer } from '../renderer.js';
import { writeChunks } from '../write-chunks.js';
import { conversationRecord, messageRecord, SCHEMA_VERSION, type IsoDate } from './records.js';

/**
 * One `<stem>.json` per conversation, `{ schemaVersion, conversation, messages }` (schema/conversation.schema.json),
 * written message by message so memory does not grow with the conversation.
 */
export class JsonRenderer implements Renderer {
  readonly format = 'json';
  private ctx!: ExportContext;

  async start(ctx: ExportContext): Promise<void> {
    this.ctx = ctx;
  }

  async renderConversation(conversation: Conversation, messages: MessageStream, baseName: string): Promise<RenderedConversation> {
    const file = `${baseName}.json`;
    await writeChunks(join(this.ctx.outDir, file), chunks(conversation, messages, (d) => this.ctx.dates.iso(d)));
    return { conversation, file };
  }

  async finish(): Promise<void> {}
}

function* chunks(conversation: Conversation, messages: MessageStream, iso: IsoDate): Generator<string> {
  const head = JSON.stringify({ schemaVersion: SCHEMA_VERSION, conversation: conversationRecord(conversation, iso) });
  yield `${head.slice(0, -1)},"messages":[`;
  let separator = '\n';
  for (const message of messages()) {
    yield separator + JSON.stringify(messageRecord(message, conversation.id, iso));
    separator = ',\n';
  }
  yield '\n]}\n';
}
