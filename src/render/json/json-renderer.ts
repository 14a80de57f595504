import type { Conversation } from '../../model/types.js';
import { FileRenderer } from '../file-renderer.js';
import { damagedSources } from '../describe.js';
import type { MessageStream } from '../renderer.js';
import { conversationRecord, messageRecord, recordStyle, SCHEMA_VERSION } from './records.js';

/**
 * One `<stem>.json` per conversation, `{ schemaVersion, conversation, damagedSources?, messages }` (schema/conversation.schema.json),
 * written message by message so memory does not grow with the conversation.
 */
export class JsonRenderer extends FileRenderer {
  readonly format = 'json';

  protected *chunks(conversation: Conversation, messages: MessageStream): Generator<string> {
    const style = recordStyle(this.ctx);
    const damaged = damagedSources(this.ctx);
    const record = conversationRecord(conversation, style.iso, this.ctx.selection);
    const head = JSON.stringify({ schemaVersion: SCHEMA_VERSION, conversation: record, damagedSources: damaged.length > 0 ? damaged : undefined });
    yield `${head.slice(0, -1)},"messages":[`;
    let separator = '\n';
    for (const message of messages()) {
      yield separator + JSON.stringify(messageRecord(message, conversation.id, style));
      separator = ',\n';
    }
    yield '\n]}\n';
  }
}
