// message.message_summary_info for edited and unsent messages: a binary plist with `otr` (original
// part ranges), `ec` (edit history per part, oldest first), `ep` (edited parts) and `rp` (unsent parts).
import * as plist from 'plist';
import { encodeBody, type BodyRun } from './attributed-body.js';
import { appleSecondsFloat, type Moment } from './apple-time.js';

export interface PartVersion {
  runs: BodyRun[];
  at: Moment;
  guid: string;
}

export interface SummaryInfo {
  /** UTF-16 [offset, length] of each part in the original text. */
  partRanges: Array<[number, number]>;
  /** Part index → every version of that part, oldest first (the first is the original). */
  edits: Map<number, PartVersion[]>;
  unsentParts: number[];
}

export function encodeSummaryInfo(info: SummaryInfo): Buffer {
  const otr: Record<string, { lo: number; le: number }> = {};
  info.partRanges.forEach(([lo, le], part) => (otr[String(part)] = { lo, le }));
  const value: Record<string, unknown> = { amc: 0, ust: true, otr };
  if (info.edits.size > 0) {
    const ec: Record<string, unknown[]> = {};
    for (const [part, versions] of info.edits) {
      // `d` must stay a real in the plist: plist.buildBinary writes whole numbers as integers, so
      // moments carry at least 1 µs of nanos, which survives in a double of this magnitude.
      ec[String(part)] = versions.map((v) => ({
        t: encodeBody(v.runs, { mutable: false }).blob,
        d: appleSecondsFloat(v.at),
        bcg: v.guid,
      }));
    }
    value.ec = ec;
    value.ep = [...info.edits.keys()];
  }
  if (info.unsentParts.length > 0) value.rp = info.unsentParts;
  return Buffer.from(plist.buildBinary(value as plist.PlistValue));
}
