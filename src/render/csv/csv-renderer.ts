import { join } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import type { Conversation } from '../../model/types.js';
import type { ExportContext, MessageStream, RenderedConversation, Renderer } from '../renderer.js';
import { writeChunks } from '../write-chunks.js';
import { CSV_COLUMNS, csvRow } from './csv-row.js';

/** RFC 4180: CRLF between records, and any field holding a line break quoted as well. */
const RFC4180 = { record_delimiter: 'windows', quoted_match: /[\r\n]/ } as const;

/** One `<stem>.csv` per conversation, a row per message under a header; UTF-8 with a BOM unless --csv-bom false. */
export class CsvRenderer implements Renderer {
  readonly format = 'csv';
  private ctx!: ExportContext;

  async start(ctx: ExportContext): Promise<void> {
    this.ctx = ctx;
  }

  async renderConversation(conversation: Conversation, messages: MessageStream, baseName: string): Promise<RenderedConversation> {
    const file = `${baseName}.csv`;
    const { dates, csv } = this.ctx;
    await writeChunks(join(this.ctx.outDir, file), (function* () {
      yield (csv.bom ? '\ufeff' : '') + stringify([[...CSV_COLUMNS]], RFC4180);
      for (const message of messages()) yield stringify([csvRow(message, (d) => dates.iso(d))], RFC4180);
    })());
    return { conversation, file };
  }

  async finish(): Promise<void> {}
}
