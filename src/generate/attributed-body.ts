// Builds message.attributedBody blobs the way Messages lays them out: one attribute run per message
// part (text, or U+FFFC for an attachment), plus runs for mentions, links, styles and text effects.
import {
  ArchivedNumber,
  ArchivedString,
  ArchivedURL,
  AttributeDictionary,
  encodeAttributedString,
  type ArchivedValue,
  type AttributeRun,
  type AttributedStringOptions,
  type NumberType,
} from './typedstream-writer.js';

export const OBJECT_REPLACEMENT = '\ufffc';

export type TextStyle = 'bold' | 'italic' | 'underline' | 'strikethrough';

/** Text effect ids as Messages stores them in __kIMTextEffectAttributeName. */
export const TEXT_EFFECTS = {
  big: 5, small: 11, shake: 9, nod: 8, explode: 12, ripple: 4, bloom: 6, jitter: 10,
} as const;
export type TextEffect = keyof typeof TEXT_EFFECTS;

export interface BodyRun {
  /** The run's text; U+FFFC for an attachment run. */
  text: string;
  /** Message part index the run belongs to. */
  part: number;
  attachment?: { guid: string; filename?: string };
  /** Handle of a confirmed mention. */
  mention?: string;
  link?: string;
  effect?: TextEffect;
  styles?: readonly TextStyle[];
}

const STYLE_KEYS: Record<TextStyle, string> = {
  bold: '__kIMTextBoldAttributeName',
  italic: '__kIMTextItalicAttributeName',
  underline: '__kIMTextUnderlineAttributeName',
  strikethrough: '__kIMTextStrikethroughAttributeName',
};

type ValueSpec = { kind: 'string'; value: string } | { kind: 'url'; value: string } | { kind: NumberType; value: number };

/** Dictionary entries in the key order Messages archives them. */
function attributeEntries(run: BodyRun): Array<[string, ValueSpec]> {
  const entries: Array<[string, ValueSpec]> = [];
  if (run.attachment) entries.push(['__kIMFileTransferGUIDAttributeName', { kind: 'string', value: run.attachment.guid }]);
  if (run.mention) entries.push(['__kIMMentionConfirmedMention', { kind: 'string', value: run.mention }]);
  if (run.link) entries.push(['__kIMLinkAttributeName', { kind: 'url', value: run.link }]);
  if (run.effect) entries.push(['__kIMTextEffectAttributeName', { kind: 'q', value: TEXT_EFFECTS[run.effect] }]);
  for (const style of run.styles ?? []) entries.push([STYLE_KEYS[style], { kind: 'i', value: 1 }]);
  entries.push(['__kIMMessagePartAttributeName', { kind: 'i', value: run.part }]);
  if (run.attachment?.filename) {
    entries.push(['__kIMFilenameAttributeName', { kind: 'string', value: run.attachment.filename }]);
  }
  return entries;
}

/**
 * Object sharing observed in real blobs: attribute-name strings are shared across dictionaries,
 * except that every name in the second dictionary is a fresh object; NSNumbers are shared by value;
 * value strings and URLs are always fresh; runs with identical attributes reuse one dictionary.
 */
class AttributeInterner {
  private readonly keys = new Map<string, ArchivedString>();
  private readonly numbers = new Map<string, ArchivedNumber>();
  private readonly dictionaries = new Map<string, AttributeDictionary>();

  dictionary(run: BodyRun): AttributeDictionary {
    const entries = attributeEntries(run);
    const signature = JSON.stringify(entries);
    const known = this.dictionaries.get(signature);
    if (known) return known;
    const isSecond = this.dictionaries.size === 1;
    const dictionary = new AttributeDictionary(
      entries.map(([name, value]) => [isSecond ? new ArchivedString(name) : this.key(name), this.value(value)] as const),
    );
    this.dictionaries.set(signature, dictionary);
    return dictionary;
  }

  private key(name: string): ArchivedString {
    let key = this.keys.get(name);
    if (!key) this.keys.set(name, (key = new ArchivedString(name)));
    return key;
  }

  private value(value: ValueSpec): ArchivedValue {
    if (value.kind === 'string') return new ArchivedString(value.value);
    if (value.kind === 'url') return new ArchivedURL(new ArchivedString(value.value));
    const id = `${value.kind}:${value.value}`;
    let number = this.numbers.get(id);
    if (!number) this.numbers.set(id, (number = new ArchivedNumber(value.kind, value.value)));
    return number;
  }
}

/**
 * The body text and its typedstream archive. Empty runs are dropped. Current bodies are mutable
 * strings; the versions kept in an edit history are immutable ones (`mutable: false`).
 */
export function encodeBody(runs: readonly BodyRun[], options: AttributedStringOptions = {}): { text: string; blob: Buffer } {
  const interner = new AttributeInterner();
  const kept = runs.filter((r) => r.text.length > 0);
  const attributeRuns: AttributeRun[] = kept.map((run) => ({ length: run.text.length, dictionary: interner.dictionary(run) }));
  const text = kept.map((r) => r.text).join('');
  return { text, blob: encodeAttributedString(text, attributeRuns, options) };
}
