import type { Conversation } from '../../model/types.js';
import { DAMAGE_NOTE, describeKeptOnly, sealNote, describeSourceCounts, ownerHandlesLine, personWithHandles, selectionLine, selectionText } from '../describe.js';
import type { ExportContext, Provenance, ProvenanceSource } from '../renderer.js';
import { baselineIn, layLines, textBox, drawLine } from './blocks.js';
import type { Canvas } from './canvas.js';
import type { Column } from './chat-layout.js';
import { LateText } from './late-text.js';
import type { Block } from './paginator.js';
import { tag, type Tag } from './tagging.js';
import { isolated, withoutIsolates } from './text-layout.js';
import { COLORS, lineHeight, TYPE } from './theme.js';

const LABEL_WIDTH = 112;
const KIND_NAMES = { 'mac-database': 'Mac Messages database', archive: 'textkeeper archive' } as const;

/** The facts a cover page states, as label and value lines; also the PDF's metadata. */
export interface CoverFacts {
  rows: { label: string; values: string[] }[];
}

export function coverFacts(conversation: Conversation, ctx: ExportContext): CoverFacts {
  const { dates } = ctx;
  const { firstDate, lastDate } = conversation;
  const provenance: Provenance = ctx.provenance ?? { version: '', filters: [], sources: [] };
  const people = conversation.participants.map((p) => personWithHandles(p, isolated));
  const mine = ownerHandlesLine(conversation);
  const rows = [
    ...(people.length ? [{ label: 'Participants', values: people }] : []),
    ...(mine ? [{ label: 'Me', values: [mine] }] : []),
    { label: 'Period', values: [firstDate && lastDate ? `${dates.dateTime(firstDate)} – ${dates.dateTime(lastDate)}` : 'No messages'] },
    { label: 'Messages', values: [conversation.messageCount.toLocaleString('en-US')] },
    ...(conversation.sourceCounts ? [{ label: 'By source', values: [describeSourceCounts(conversation.sourceCounts)] }] : []),
    ...(conversation.keptOnly ? [keptRow(conversation.keptOnly, (date) => dates.dateTime(date))] : []),
    { label: 'Selection', values: selectionValues(provenance.filters, ctx) },
    { label: 'Time zone', values: [dates.timeZone] },
    { label: 'Exported', values: [`${dates.dateTime(ctx.exportedAt)} by textkeeper ${provenance.version}`.trim()] },
    ...sourceRows(provenance.sources, (date) => dates.dateTime(date)),
  ];
  return { rows };
}

const KEPT_WITHOUT_COVER = new Set(['Period', 'Messages', 'Time zone', 'Exported']);

/**
 * The facts a PDF without a cover keeps in its metadata: what it holds and when it was made, not where it came
 * from (sources' paths, devices and hashes, the handles of who took part, the options but --since and --until
 * that chose it): a file shared without its cover is shared without them.
 */
export function factsWithoutCover(facts: CoverFacts, ctx: ExportContext): CoverFacts {
  const dates = selectionText(ctx, 'this file');
  return {
    rows: facts.rows.flatMap((row) => {
      if (row.label === 'Selection') return dates ? [{ label: row.label, values: [dates] }] : [];
      return KEPT_WITHOUT_COVER.has(row.label) ? [row] : [];
    }),
  };
}

/** The options that chose what the file holds; `--since` and `--until` together, saying that messages outside them are not in it. */
function selectionValues(filters: string[], ctx: ExportContext): string[] {
  const dates = selectionText(ctx, 'this file');
  if (!dates) return filters.length ? filters : ['All messages of this conversation'];
  return [...filters.filter((filter) => !ctx.selection!.options.includes(filter)), dates];
}

/**
 * Each source read, numbered when there are several (a backup as the run's summary names it: its device, iOS,
 * the day it was made, with the time when another of the run's was made that day); an archive folder read as a
 * source, as the sources its runs recorded, then the folder they came through.
 */
function sourceRows(sources: ProvenanceSource[], dateTime: (date: Date) => string): { label: string; values: string[] }[] {
  const rows = sources.flatMap((source) => [
    ...(source.recorded ?? []).map((r) => ({
      label: 'Source',
      values: [
        r.description, ...(r.device ? [r.device] : []), ...(r.sha256 ? [`SHA-256: ${r.sha256}`] : []),
        ...(r.walSha256 ? walValues('Read with its -wal', r.walSha256) : []), `As read ${dateTime(r.lastRead)}, through the archive below`,
      ],
    })),
    {
      label: source.recorded?.length ? 'Through' : 'Source',
      values: [
        source.kind === 'iphone-backup' ? source.description : KIND_NAMES[source.kind],
        source.path,
        ...(source.database !== source.path ? [`Database file: ${source.database}`] : []),
        `SHA-256: ${source.sha256}`,
        ...(source.wal ? walValues(`Read with its -wal: ${source.wal}`, source.walSha256) : []),
        ...(source.unsealed ? [`Warning: ${sealNote(source.unsealed)}`] : []),
        ...(source.damaged ? [`Damaged: the database check found damage; ${DAMAGE_NOTE}`] : []),
      ],
    },
  ]);
  const numbered = rows.filter((row) => row.label === 'Source').length > 1;
  let n = 0;
  return rows.map((row) => (numbered && row.label === 'Source' ? { ...row, label: `Source ${++n}` } : row));
}

/** The -wal read with a source's database (`read` says so), and its SHA-256 on the line below, as the database's is. */
function walValues(read: string, sha256: string | undefined): string[] {
  return [read, sha256 ? `SHA-256: ${sha256}` : 'SHA-256 not known: the -wal was gone before it was hashed'];
}

function keptRow(kept: NonNullable<Conversation['keptOnly']>, dateTime: (date: Date) => string): { label: string; values: string[] } {
  const { summary, runs } = describeKeptOnly(kept, dateTime);
  return { label: 'Kept by this archive', values: [summary, ...runs] };
}

/** The facts as plain text lines, for the document's metadata. */
export function factsText(facts: CoverFacts, attachments?: string): string {
  const lines = facts.rows.map((row) => `${row.label}: ${withoutIsolates(row.values.join('; '))}`);
  if (attachments !== undefined) lines.splice(countsRow(facts) + 1, 0, `Attachments: ${attachments}`);
  return lines.join(' | ');
}

/** Where the message count is: the attachment count follows it. */
function countsRow(facts: CoverFacts): number {
  return facts.rows.findIndex((row) => row.label === 'Messages');
}

/**
 * The first page: what the conversation is, where it came from (with the SHA-256 of each source
 * database, and of the -wal read with it) and how it was exported. The attachment count is written when
 * the last message is drawn.
 */
export function coverBlocks(canvas: Canvas, conversation: Conversation, facts: CoverFacts, column: Column, attachments: LateText): Block[] {
  const width = column.right - column.left;
  const heading = textBox(canvas, [
    { text: 'Conversation record', size: TYPE.body, color: COLORS.muted, tag: tag('P') },
    { text: conversation.title, size: 18, color: COLORS.text, bold: true, tag: tag('H1') },
  ], { ...column, align: 'left', maxWidth: width, spaceBefore: 8 });
  // A table of two columns, each label the header of its row: drawn as one, and a screen reader announces
  // each value with its label (a list's Lbl is for bullets and numbers, not names of what follows).
  const table = tag('Table');
  const rows = facts.rows.flatMap((row, i) => {
    const blocks = field(canvas, row.label, row.values, column, table);
    return i === countsRow(facts) ? [...blocks, lateField(canvas, 'Attachments', attachments, column, table)] : blocks;
  });
  return [...heading, ...rows, ...extraCoverContent(canvas, conversation, column)];
}

/**
 * Without a cover, what the first page says before the messages: that --since and --until left messages out
 * of the file, as the cover and a text file's header say (nothing when it holds them all).
 */
export function selectionNote(canvas: Canvas, ctx: ExportContext, column: Column): Block[] {
  const line = selectionLine(ctx, 'this file');
  if (!line) return [];
  const note = { text: line, size: TYPE.body, color: COLORS.text, tag: tag('P') };
  return textBox(canvas, [note], { ...column, align: 'left', maxWidth: column.right - column.left, spaceBefore: 4 });
}

/**
 * More to show on the cover for this conversation (an activity summary, …): blocks placed below the
 * facts, flowing onto more pages when long. Nothing yet.
 */
export function extraCoverContent(_canvas: Canvas, _conversation: Conversation, _column: Column): Block[] {
  return [];
}

/** A label in the left column and its values, one or more lines each, beside it: a row of `table`, the label its header. */
function field(canvas: Canvas, label: string, values: string[], column: Column, table: Tag): Block[] {
  const valueWidth = column.right - column.left - LABEL_WIDTH;
  const row = tag('TR', table);
  const header = tag('TH', row);
  const cell = tag('TD', row);
  const lines = layLines(canvas, values.map((text) => ({ text, size: TYPE.body, color: COLORS.text, tag: cell })), valueWidth);
  const [labelLine] = layLines(canvas, [{ text: label, size: TYPE.body, color: COLORS.muted, bold: true, tag: header }], LABEL_WIDTH - 8);
  return lines.map((line, i) => ({
    height: lineHeight(TYPE.body),
    spaceBefore: i === 0 ? 9 : 0,
    keepWithNext: i === 0 && lines.length > 1,
    draw: async (top: number) => {
      if (i === 0 && labelLine) await drawLine(canvas, labelLine, column.left, top, LABEL_WIDTH - 8);
      await drawLine(canvas, line, column.left + LABEL_WIDTH, top, valueWidth);
    },
  }));
}

/** The attachment count, written once the messages are drawn: as wide as the values beside the labels. */
export function lateAttachmentCount(canvas: Canvas, column: Column): LateText {
  return new LateText(canvas.doc, 'Attachments', { face: canvas.layout.faceNames[0]!, size: TYPE.body, color: COLORS.text, width: column.right - column.left - LABEL_WIDTH });
}

function lateField(canvas: Canvas, label: string, value: LateText, column: Column, table: Tag): Block {
  const [block] = field(canvas, label, [' '], column, table);
  return {
    ...block!,
    draw: async (top: number) => {
      // Drawing the field leaves its value's cell open: the value is placed into it.
      await block!.draw!(top);
      value.place(column.left + LABEL_WIDTH, baselineIn(top, TYPE.body));
    },
  };
}
