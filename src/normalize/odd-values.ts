// A database may hold any type in any column (SQLite does not enforce declared types): bytes where text
// belongs, text where a date belongs, numbers far out of range. Rows are made well-typed here, and
// every value that had to be changed is named, so one odd cell never aborts an export unnoticed.
import type { AttachmentRow, ChatRow, HandleRow, MessageRow, OwnerColumns } from '../read/rows.js';
import { APPLE_EPOCH, isUsableAppleMs } from './dates.js';

type TextKeys<T> = { [K in keyof T]-?: T[K] extends string | null ? K : never }[keyof T];
type NumberKeys<T> = { [K in keyof T]-?: T[K] extends number ? K : never }[keyof T];
type BytesKeys<T> = { [K in keyof T]-?: T[K] extends Buffer | null ? K : never }[keyof T];

const MESSAGE_TEXT: TextKeys<MessageRow>[] = [
  'guid', 'text', 'service', 'groupTitle', 'associatedGuid', 'associatedEmoji', 'balloonBundleId', 'effectId',
  'threadOriginatorGuid', 'threadOriginatorPart', 'subject', 'destinationCallerId', 'account',
];
const MESSAGE_NUMBERS: NumberKeys<MessageRow>[] = ['handleId', 'isFromMe', 'itemType', 'groupActionType', 'otherHandle', 'associatedType', 'isAudioMessage', 'error', 'scheduleType', 'isSent', 'wasDowngraded', 'isSpam'];
const MESSAGE_BYTES: BytesKeys<MessageRow>[] = ['attributedBody', 'payloadData', 'summaryInfo'];
/** Each optional date: its field, its name in a note and its column in chat.db. */
const OPTIONAL_DATES: [keyof MessageRow & `date${string}`, string, string][] = [
  ['dateRead', 'read', 'date_read'], ['dateDelivered', 'delivery', 'date_delivered'], ['datePlayed', 'played', 'date_played'],
  ['dateEdited', 'edit', 'date_edited'], ['dateRetracted', 'unsend', 'date_retracted'],
];

const ATTACHMENT_TEXT: TextKeys<AttachmentRow>[] = ['guid', 'filename', 'mimeType', 'uti', 'transferName', 'emojiDescription'];
const ATTACHMENT_BYTES: BytesKeys<AttachmentRow>[] = ['stickerUserInfo', 'attributionInfo'];

/**
 * Whether every text, number and bytes column of a message row has its type: the lists above compiled
 * into one expression, since reading columns by a name held in a variable is slow on this hot path.
 * The names come from this file, never from the database.
 */
const hasColumnTypes = new Function('row', `return ${[
  ...MESSAGE_TEXT.map((key) => `(row.${key} === null || typeof row.${key} === 'string')`),
  ...MESSAGE_NUMBERS.map((key) => `Number.isFinite(row.${key})`),
  ...MESSAGE_BYTES.map((key) => `(row.${key} === null || Buffer.isBuffer(row.${key}))`),
].join(' && ')};`) as (row: MessageRow) => boolean;

/**
 * Makes a message row well-typed in place; returns a note for each value that was not what it should be.
 * `stored` gives a column as chat.db stores it: the row's dates are milliseconds, which a note should not show.
 */
export function checkMessageRow(row: MessageRow, stored: (column: string) => string | undefined): string[] {
  const notes: string[] = [];
  // Nearly every value is as it should be: it is only looked at, not stored again (a hot path).
  if (!hasColumnTypes(row)) fixColumnTypes(row, notes);
  // A text date reaches here as 0 or a tiny number (SQLite reads the digits it starts with, if any).
  if (!isUsableAppleMs(row.date) || Math.abs(row.date) < 1000) {
    notes.push(`Its date is missing or out of range (stored as ${storedDate(row.date, stored('date'))}); it is shown as 2001-01-01.`);
    row.date = 0;
  }
  for (const [key, label, column] of OPTIONAL_DATES) {
    if (row[key] !== 0 && row[key] !== null && !isUsableAppleMs(row[key])) {
      notes.push(`Its ${label} date is out of range (stored as ${storedDate(row[key], stored(column))}) and is left out.`);
      row[key] = 0;
    }
  }
  return notes;
}

function fixColumnTypes(row: MessageRow, notes: string[]): void {
  for (const key of MESSAGE_TEXT) {
    const value = row[key];
    if (value !== null && typeof value !== 'string') row[key] = asText(value, `message.${key}`, notes) as never;
  }
  for (const key of MESSAGE_NUMBERS) {
    const value = row[key];
    if (typeof value !== 'number' || !Number.isFinite(value)) row[key] = asNumber(value, `message.${key}`, notes);
  }
  for (const key of MESSAGE_BYTES) {
    const value = row[key];
    if (value !== null && !Buffer.isBuffer(value)) row[key] = asBytes(value, `message.${key}`, notes);
  }
}

/** Makes an attachment row well-typed in place; returns a note for each value that was not. */
export function checkAttachmentRow(row: AttachmentRow): string[] {
  const notes: string[] = [];
  for (const key of ATTACHMENT_TEXT) row[key] = asText(row[key], `attachment.${key}`, notes) as never;
  for (const key of ATTACHMENT_BYTES) row[key] = asBytes(row[key], `attachment.${key}`, notes);
  row.totalBytes = Math.max(0, asNumber(row.totalBytes, 'attachment.total_bytes', notes));
  if (!isUsableAppleMs(row.createdDate)) row.createdDate = 0;
  return notes;
}

/** A message's destination_caller_id and account read apart from its row (see `MessagesReader.ownerColumns`), made text as `checkMessageRow` makes them. */
export function checkOwnerColumns([chat, callerId, account]: OwnerColumns): OwnerColumns {
  const notes: string[] = [];
  return [chat, asText(callerId, 'message.destinationCallerId', notes), asText(account, 'message.account', notes)];
}

/** Chat and handle rows carry names: odd values become text (bytes decoded, U+FFFD where unreadable). */
export function checkChatRow(row: ChatRow): ChatRow {
  const notes: string[] = [];
  return {
    ...row,
    guid: asText(row.guid, 'chat.guid', notes) ?? String(row.rowId),
    identifier: asText(row.identifier, 'chat.chat_identifier', notes) ?? '',
    serviceName: asText(row.serviceName, 'chat.service_name', notes) ?? '',
    displayName: asText(row.displayName, 'chat.display_name', notes),
    style: asNumber(row.style, 'chat.style', notes),
  };
}

export function checkHandleRow(row: HandleRow): HandleRow {
  const notes: string[] = [];
  return { ...row, id: asText(row.id, 'handle.id', notes) ?? '', service: asText(row.service, 'handle.service', notes) ?? '' };
}

/** Where bytes that are not UTF-8 stood in a text. */
export const UNREADABLE = '⍰';

function asText(value: unknown, column: string, notes: string[]): string | null {
  if (value === null || value === undefined || typeof value === 'string') return (value as string | null | undefined) ?? null;
  if (value instanceof Uint8Array) {
    // U+FFFD would read as an app balloon's place in a message's text: undecodable bytes get another sign.
    const text = new TextDecoder('utf-8').decode(value).replaceAll('\uFFFD', UNREADABLE);
    const valid = !text.includes(UNREADABLE);
    notes.push(`${column} was stored as ${value.length} bytes instead of text${valid ? '' : `; bytes that are not UTF-8 are shown as ${UNREADABLE}`}.`);
    return text;
  }
  notes.push(`${column} was stored as a number instead of text.`);
  return String(value);
}

function asNumber(value: unknown, column: string, notes: string[]): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (value === null || value === undefined) return 0;
  const number = Number(typeof value === 'bigint' ? value : String(value));
  notes.push(`${column} was stored as ${describe(value)} instead of a number.`);
  return Number.isFinite(number) ? number : 0;
}

function asBytes(value: unknown, column: string, notes: string[]): Buffer | null {
  if (value === null || value === undefined || Buffer.isBuffer(value)) return (value as Buffer | null | undefined) ?? null;
  notes.push(`${column} was stored as ${typeof value === 'string' ? 'text' : 'a number'} instead of bytes.`);
  return Buffer.from(String(value), 'utf8');
}

/**
 * A date as stored (seconds or nanoseconds since 2001, which the reader made milliseconds), with the year
 * it would mean when it means one; the milliseconds only when the stored value cannot be read.
 */
function storedDate(ms: unknown, stored: string | undefined): string {
  const year = typeof ms === 'number' && ms !== 0 ? new Date(APPLE_EPOCH.getTime() + ms).getUTCFullYear() : NaN;
  return `${stored ?? describe(ms)}${Number.isNaN(year) ? '' : `, which would be the year ${year}`}`;
}

function describe(value: unknown): string {
  if (value instanceof Uint8Array) return `${value.length} bytes`;
  return typeof value === 'string' ? JSON.stringify(value.slice(0, 40)) : String(value);
}
