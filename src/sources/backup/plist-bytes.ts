/** Parses a property list from file bytes, XML or binary (plist.parse treats every byte array as binary). */
import type * as plist from 'plist';
import { parseBinaryPlist, parseXmlPlist } from '../../decode/plist.js';

export type PlistValue = ReturnType<typeof plist.parse>;
export type PlistDict = { [key: string]: PlistValue };

export function parsePlistBytes(bytes: Uint8Array): PlistValue {
  const isBinary = Buffer.from(bytes.subarray(0, 6)).toString('latin1') === 'bplist';
  return isBinary ? parseBinaryPlist(bytes) : parseXmlPlist(Buffer.from(bytes).toString('utf8'));
}

export function isDict(value: PlistValue | undefined): value is PlistDict {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array) && !(value instanceof Date);
}

export function asBuffer(value: PlistValue | undefined): Buffer | undefined {
  return value instanceof Uint8Array ? Buffer.from(value.buffer, value.byteOffset, value.byteLength) : undefined;
}
