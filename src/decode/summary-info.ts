// message.message_summary_info: which parts of a message were edited or unsent, and the edit
// history of each edited part (fixtures SCHEMA.md §4.1).

import { decodeAttributedBody, legacyBodyText, type AttributedBody, type PartStatus } from './attributed-body.js';
import { DecodeError } from './errors.js';
import { isPlistDict, parsePlist, plistText } from './plist.js';

export interface EditEvent {
  text: string;
  date: Date;
  guid?: string;
  /** The version's decoded body (formatting, links), when it decodes strictly. */
  body?: AttributedBody;
}

export interface SummaryInfo {
  /** Number of parts of the original message (entries of `otr`); 0 when not recorded. */
  partCount: number;
  /** Every known part by index; `history` is oldest first and empty unless the part was edited. */
  parts: Map<number, { status: PartStatus; history: EditEvent[] }>;
}

const APPLE_EPOCH_MS = Date.UTC(2001, 0, 1);
/** Far above any real message; keeps a corrupt index from making callers build huge part lists. */
const MAX_PART_INDEX = 10_000;

/** Decodes message_summary_info (binary or XML plist); throws DecodeError on anything malformed. */
export function decodeSummaryInfo(blob: Uint8Array): SummaryInfo {
  const info = parsePlist(blob);
  if (!isPlistDict(info)) throw new DecodeError('message_summary_info is not a dictionary');
  const originalRanges = optionalDict(info.otr, 'otr');
  const editHistories = optionalDict(info.ec, 'ec');
  const unsentParts = info.rp ?? [];
  if (!Array.isArray(unsentParts)) throw new DecodeError('message_summary_info rp is not an array');

  const parts: SummaryInfo['parts'] = new Map();
  for (const key of Object.keys(originalRanges)) parts.set(partIndex(key), { status: 'original', history: [] });
  for (const [key, events] of Object.entries(editHistories)) {
    parts.set(partIndex(key), { status: 'edited', history: editEvents(events) });
  }
  for (const value of unsentParts) {
    const index = partIndex(String(value));
    const part = parts.get(index);
    if (part) part.status = 'unsent';
    else parts.set(index, { status: 'unsent', history: [] });
  }
  const sorted = new Map([...parts].sort(([a], [b]) => a - b));
  return { partCount: Object.keys(originalRanges).length, parts: sorted };
}

function optionalDict(value: unknown, key: string): Record<string, unknown> {
  if (value === undefined) return {};
  if (!isPlistDict(value)) throw new DecodeError(`message_summary_info ${key} is not a dictionary`);
  return value;
}

function partIndex(key: string): number {
  if (!/^\d+$/.test(key) || Number(key) > MAX_PART_INDEX) {
    throw new DecodeError(`message_summary_info part ${JSON.stringify(key)} is not a part index`);
  }
  return Number(key);
}

function editEvents(events: unknown): EditEvent[] {
  if (!Array.isArray(events)) throw new DecodeError('message_summary_info edit history is not an array');
  return events.map(editEvent);
}

function editEvent(event: unknown): EditEvent {
  if (!isPlistDict(event) || !(event.t instanceof Uint8Array) || typeof event.d !== 'number') {
    throw new DecodeError('malformed edit event');
  }
  // About ±300 years around 2001: anything further is garbage, and would not even make a valid Date.
  if (!(Math.abs(event.d) < 1e10)) throw new DecodeError(`edit date out of range (${event.d})`);
  const date = new Date(APPLE_EPOCH_MS + event.d * 1000);
  const guid = plistText(event.bcg);
  let body: AttributedBody | undefined;
  try {
    body = decodeAttributedBody(event.t);
  } catch (error) {
    if (!(error instanceof DecodeError)) throw error;
  }
  const text = body?.text ?? legacyBodyText(event.t);
  if (text === undefined) throw new DecodeError('edit event text cannot be read');
  return { text, date, ...(guid && { guid }), ...(body && { body }) };
}
