// message.attributedBody: an archived NSAttributedString (typedstream), its fallback text
// extraction, and the bubble components a message body is made of (fixtures SCHEMA.md §3, §4.9, §4.10).

import { DecodeError } from './errors.js';
import { ArchivedNumber, ArchivedObject, ArchivedURL, decodeTypedstream } from './typedstream.js';
import { commonAttributedStringValues } from './typedstream-common.js';

/** Attributes over [start, end) in UTF-16 code units. Values are typedstream values (see typedstream.ts). */
export interface AttributeRun {
  start: number;
  end: number;
  /** In archive order. Runs that repeat an attribute-dictionary index share one Map. */
  attributes: Map<string, unknown>;
}

export interface AttributedBody {
  text: string;
  runs: AttributeRun[];
}

/** What became of one part of a message (message_summary_info says which were edited or unsent). */
export type PartStatus = 'original' | 'edited' | 'unsent';

/** Decodes an attributedBody blob strictly; throws DecodeError when it is malformed. */
export function decodeAttributedBody(blob: Uint8Array): AttributedBody {
  return readAttributedString(commonAttributedStringValues(blob) ?? attributedStringValues(blob));
}

/** decodeAttributedBody by the full typedstream decoder alone, without the fast reader of the common shape. */
export function decodeAttributedBodyFully(blob: Uint8Array): AttributedBody {
  return readAttributedString(attributedStringValues(blob));
}

function attributedStringValues(blob: Uint8Array): readonly unknown[] {
  const root = decodeTypedstream(blob).root;
  if (!(root instanceof ArchivedObject) || !root.classChain.includes('NSAttributedString')) {
    throw new DecodeError('attributedBody root is not an NSAttributedString');
  }
  return root.values;
}

// Contents: the string, then (dictionary index, run length) pairs, each followed by the
// attribute dictionary when its 1-based index is new.
function readAttributedString(values: readonly unknown[]): AttributedBody {
  const text = values[0];
  if (typeof text !== 'string') throw new DecodeError('NSAttributedString without a string');
  const dictionaries: Map<string, unknown>[] = [];
  const runs: AttributeRun[] = [];
  let offset = 0;
  let i = 1;
  while (i < values.length) {
    const index = values[i];
    const length = values[i + 1];
    i += 2;
    if (typeof index !== 'number' || typeof length !== 'number') throw new DecodeError('malformed attribute run');
    if (index === dictionaries.length + 1) {
      dictionaries.push(attributeDictionary(values[i++]));
    } else if (index < 1 || index > dictionaries.length) {
      throw new DecodeError(`attribute run refers to dictionary ${index} of ${dictionaries.length}`);
    }
    const end = offset + length;
    if (end > text.length) throw new DecodeError('attribute runs extend past the end of the text');
    runs.push({ start: offset, end, attributes: dictionaries[index - 1] });
    offset = end;
  }
  if (offset !== text.length) throw new DecodeError('attribute runs do not cover the text');
  return { text, runs };
}

function attributeDictionary(value: unknown): Map<string, unknown> {
  if (value === null) return new Map();
  if (!(value instanceof Map)) throw new DecodeError('attribute run without a dictionary');
  for (const key of value.keys()) {
    if (typeof key !== 'string') throw new DecodeError('attribute dictionary with a non-string key');
  }
  return value as Map<string, unknown>;
}

/**
 * The text a simple scan finds without decoding the archive (SCHEMA §4.9); undefined when it finds none.
 * Use only when decodeAttributedBody fails.
 */
export function legacyBodyText(blob: Uint8Array): string | undefined {
  const start = indexOfPair(blob, 0x01, 0x2b, 0);
  if (start < 0) return undefined;
  const from = start + 2;
  const end = indexOfPair(blob, 0x86, 0x84, from + 1);
  if (end < 0) return undefined;
  const bytes = blob.subarray(from, end);
  let decoded: string;
  let prefixChars = 1;
  try {
    decoded = strictUtf8.decode(bytes);
  } catch {
    // A prefix of 0x81 + int16 is not valid UTF-8 and decodes to three characters.
    decoded = new TextDecoder('utf-8').decode(bytes);
    prefixChars = 3;
  }
  const chars = Array.from(decoded).slice(prefixChars);
  return chars.length > 0 ? chars.join('') : undefined;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function indexOfPair(bytes: Uint8Array, first: number, second: number, from: number): number {
  for (let i = from; i + 1 < bytes.length; i++) {
    if (bytes[i] === first && bytes[i + 1] === second) return i;
  }
  return -1;
}

// ---- Bubble components (SCHEMA §3) ----

export type Effect =
  | { type: 'default' }
  | { type: 'mention'; handle: string }
  | { type: 'link'; url: string }
  | { type: 'otp' }
  | { type: 'conversion'; unit: string }
  | { type: 'animation'; name: string; id: number }
  | { type: 'styles'; styles: string[] };

/** [start, end) in UTF-16 code units of the body text. */
export interface TextRange {
  start: number;
  end: number;
  text: string;
  effects: Effect[];
}

export type BodyComponent =
  | { type: 'text'; ranges: TextRange[] }
  | {
      type: 'attachment';
      start: number;
      end: number;
      /** attachment.guid in chat.db */
      guid?: string;
      name?: string;
      width?: number;
      height?: number;
      transcription?: string;
    }
  | { type: 'retracted' }
  | { type: 'app' };

const KEY_FILE_TRANSFER_GUID = '__kIMFileTransferGUIDAttributeName';
const KEY_FILENAME = '__kIMFilenameAttributeName';
const KEY_WIDTH = '__kIMInlineMediaWidthAttributeName';
const KEY_HEIGHT = '__kIMInlineMediaHeightAttributeName';
const KEY_TRANSCRIPTION = 'IMAudioTranscription';

const STYLE_KEYS = new Map([
  ['__kIMTextBoldAttributeName', 'bold'],
  ['__kIMTextItalicAttributeName', 'italic'],
  ['__kIMTextUnderlineAttributeName', 'underline'],
  ['__kIMTextStrikethroughAttributeName', 'strikethrough'],
]);

const ANIMATIONS = new Map([
  [4, 'ripple'],
  [5, 'big'],
  [6, 'bloom'],
  [8, 'nod'],
  [9, 'shake'],
  [10, 'jitter'],
  [11, 'small'],
  [12, 'explode'],
]);

/**
 * The components of a decoded body: attachment runs on their own, consecutive text runs as ranges of
 * one text component. With part statuses, unsent parts become `retracted` components (SCHEMA §3.4).
 * Attachment sizes are read from integer and floating NSNumbers alike.
 */
export function bodyComponents(body: AttributedBody, partStatuses?: PartStatus[]): BodyComponent[] {
  const components: BodyComponent[] = [];
  let textRanges: TextRange[] | undefined;
  for (const run of body.runs) {
    const guid = run.attributes.get(KEY_FILE_TRANSFER_GUID);
    if (guid !== undefined) {
      components.push(attachmentComponent(run, guid));
      textRanges = undefined;
      continue;
    }
    if (!textRanges) {
      textRanges = [];
      components.push({ type: 'text', ranges: textRanges });
    }
    textRanges.push({ start: run.start, end: run.end, text: body.text.slice(run.start, run.end), effects: runEffects(run.attributes) });
  }
  return withRetractedParts(components, partStatuses);
}

function attachmentComponent(run: AttributeRun, guid: unknown): BodyComponent {
  return {
    type: 'attachment',
    start: run.start,
    end: run.end,
    guid: stringValue(guid),
    name: stringValue(run.attributes.get(KEY_FILENAME)),
    width: numberValue(run.attributes.get(KEY_WIDTH)),
    height: numberValue(run.attributes.get(KEY_HEIGHT)),
    transcription: stringValue(run.attributes.get(KEY_TRANSCRIPTION)),
  };
}

function runEffects(attributes: Map<string, unknown>): Effect[] {
  const effects: Effect[] = [];
  const styles: string[] = [];
  for (const [key, value] of attributes) {
    const style = STYLE_KEYS.get(key);
    if (style) {
      styles.push(style);
      continue;
    }
    const effect = attributeEffect(key, value);
    if (effect) effects.push(effect);
  }
  if (styles.length > 0) effects.push({ type: 'styles', styles });
  if (effects.length === 0) effects.push({ type: 'default' });
  return effects;
}

function attributeEffect(key: string, value: unknown): Effect | undefined {
  switch (key) {
    case '__kIMMentionConfirmedMention': {
      const handle = stringValue(value);
      return handle === undefined ? undefined : { type: 'mention', handle };
    }
    case '__kIMLinkAttributeName': {
      const url = value instanceof ArchivedURL ? value.relative : stringValue(value);
      return url === undefined ? undefined : { type: 'link', url };
    }
    case '__kIMOneTimeCodeAttributeName':
      return { type: 'otp' };
    case '__kIMCalendarEventAttributeName':
      return { type: 'conversion', unit: 'timezone' };
    case '__kIMTextEffectAttributeName': {
      const id = numberValue(value);
      return id === undefined ? undefined : { type: 'animation', name: ANIMATIONS.get(id) ?? 'unknown', id };
    }
  }
  return undefined;
}

function stringValue(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function numberValue(value: unknown): number | undefined {
  return value instanceof ArchivedNumber ? value.value : undefined;
}

/** Inserts a `retracted` component at the index of each unsent part (appended when past the end). */
function withRetractedParts(components: BodyComponent[], partStatuses: PartStatus[] | undefined): BodyComponent[] {
  partStatuses?.forEach((status, index) => {
    if (status !== 'unsent') return;
    components.splice(Math.min(index, components.length), 0, { type: 'retracted' });
  });
  return components;
}

/**
 * Components of a body known only as plain text (no attributedBody): U+FFFC is an attachment,
 * U+FFFD an app balloon, everything between is one default text range (SCHEMA §4.10).
 */
export function legacyComponents(text: string, partStatuses?: PartStatus[]): BodyComponent[] {
  const components: BodyComponent[] = [];
  let textStart = 0;
  const flushText = (end: number): void => {
    if (end > textStart) {
      components.push({ type: 'text', ranges: [{ start: textStart, end, text: text.slice(textStart, end), effects: [{ type: 'default' }] }] });
    }
  };
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit !== 0xfffc && unit !== 0xfffd) continue;
    flushText(i);
    components.push(unit === 0xfffc ? { type: 'attachment', start: i, end: i + 1 } : { type: 'app' });
    textStart = i + 1;
  }
  flushText(text.length);
  return withRetractedParts(components, partStatuses);
}
