// Property lists from chat.db columns: binary (bplist00) or XML, given as bytes.

import * as plist from 'plist';
import { DecodeError } from './errors.js';

const BINARY_MAGIC = 'bplist00';

/** Parses a binary or XML property list; throws DecodeError when it is neither or is malformed. */
export function parsePlist(bytes: Uint8Array): unknown {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  try {
    if (buffer.toString('latin1', 0, BINARY_MAGIC.length) === BINARY_MAGIC) return plist.parseBinary(bytes);
    const text = buffer.toString('utf8').replace(/^\uFEFF/, '').trimStart();
    if (text.startsWith('<?xml') || text.startsWith('<plist')) return plist.parse(text);
  } catch (error) {
    throw new DecodeError(`malformed property list: ${(error as Error).message}`);
  }
  throw new DecodeError('not a property list');
}

/** A plist dictionary as a plain object (plist parses dictionaries to plain objects). */
export function isPlistDict(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array) && !(value instanceof Date);
}
