import { stringify } from 'csv-stringify/sync';
import type { Conversation } from '../../model/types.js';
import { damagedSources } from '../describe.js';
import { FileRenderer } from '../file-renderer.js';
import type { MessageStream } from '../renderer.js';
import { recordStyle } from '../json/records.js';
import { CSV_COLUMNS, csvRow } from './csv-row.js';
import { csvCells } from '../../output/spreadsheet-cell.js';

/** RFC 4180: CRLF between records, and any field holding a line break quoted as well. */
const RFC4180 = { record_delimiter: 'windows', quoted_match: /[\r\n]/ } as const;

/**
 * One `<stem>.csv` per conversation, a row per message under a header; UTF-8 with a BOM unless --csv-bom false.
 * Every text is written exactly, as in the txt export, unless --csv-formulas quote.
 */
export class CsvRenderer extends FileRenderer {
  readonly format = 'csv';

  protected *chunks(_conversation: Conversation, messages: MessageStream): Generator<string> {
    const style = recordStyle(this.ctx);
    const cells = csvCells(this.ctx.csv.formulas);
    const damaged = damagedSources(this.ctx).join('\n');
    yield (this.ctx.csv.bom ? '\ufeff' : '') + stringify([[...CSV_COLUMNS]], RFC4180);
    for (const message of messages()) yield stringify([cells(csvRow(message, style, damaged))], RFC4180);
  }
}
