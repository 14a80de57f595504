/**
 * Contacts from a .vcf file (vCard 2.1, 3.0, 4.0): FN, N, NICKNAME, ORG, TEL, EMAIL. Handles folded lines,
 * property groups ("item1.TEL"), backslash escapes, and vCard 2.1 QUOTED-PRINTABLE values with their CHARSET.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type * as Iconv from 'iconv-lite';
import type { ContactRecord } from './contact-record.js';

// Loaded at the first 8-bit text (some milliseconds): most contact files are UTF-8 throughout.
const require = createRequire(import.meta.url);
let loaded: typeof Iconv | undefined;
const iconv = () => (loaded ??= require('iconv-lite') as typeof Iconv);

interface Property {
  name: string;
  params: string[];
  value: string;
}

/** Joins folded lines (a line starting with a space or tab continues the previous one) and QP soft breaks. */
function logicalLines(text: string): string[] {
  const lines: string[] = [];
  for (const raw of text.replace(/\r\n?/g, '\n').split('\n')) {
    const previous = lines.length - 1;
    if (/^[ \t]/.test(raw) && previous >= 0) lines[previous] += raw.slice(1);
    else if (previous >= 0 && /QUOTED-PRINTABLE/i.test(lines[previous].split(':')[0]) && lines[previous].endsWith('=')) {
      lines[previous] = lines[previous].slice(0, -1) + raw;
    } else lines.push(raw);
  }
  return lines;
}

function parseLine(line: string): Property | undefined {
  const colon = line.indexOf(':');
  if (colon < 0) return undefined;
  const [nameWithGroup, ...params] = line.slice(0, colon).split(';');
  const name = nameWithGroup.slice(nameWithGroup.lastIndexOf('.') + 1).toUpperCase();
  return { name, params, value: line.slice(colon + 1) };
}

function param(params: string[], key: string): string | undefined {
  const found = params.find((p) => p.toUpperCase().startsWith(`${key}=`));
  return found?.slice(key.length + 1).replace(/^"|"$/g, '');
}

function decodeQuotedPrintable(value: string, charset = 'utf-8'): string {
  const bytes: number[] = [];
  for (let i = 0; i < value.length; i++) {
    const hex = value.slice(i + 1, i + 3);
    if (value[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else bytes.push(...Buffer.from(value[i], 'utf8'));
  }
  return iconv().decode(Buffer.from(bytes), known(charset) ?? 'utf-8');
}

/** The property's text with its encoding undone, split into components at unescaped ';'. */
function components(property: Property): string[] {
  const quoted = property.params.some((p) => /^(ENCODING=)?QUOTED-PRINTABLE$/i.test(p));
  const raw = quoted ? decodeQuotedPrintable(property.value, param(property.params, 'CHARSET')) : property.value;
  return raw.split(/(?<!\\);/).map((part) => part.replace(/\\([nN,;\\:])/g, (_, c: string) => (c.toLowerCase() === 'n' ? '\n' : c)).trim());
}

/** A .vcf file's cards, in whichever encoding `vcfText` finds. */
export function readVcfFile(file: string): ContactRecord[] {
  return parseVcards(vcfText(readFileSync(file)));
}

/**
 * A .vcf file's text: UTF-16 (either byte order, some Windows exports) when it starts with a byte-order mark
 * or its first character has a zero byte; else line by line, UTF-8 where a line is valid UTF-8 and otherwise
 * the 8-bit character set its CHARSET parameter names, or its card's, or the file's first (vCard 2.1 from
 * older phones and Outlook), Windows-1252 when none is named: files joined from several exports mix them.
 */
export function vcfText(bytes: Buffer): string {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] !== 0 && bytes[1] === 0)) return new TextDecoder('utf-16le').decode(bytes);
  if ((bytes[0] === 0xfe && bytes[1] === 0xff) || (bytes[0] === 0 && bytes[1] !== 0)) return new TextDecoder('utf-16be').decode(bytes);
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  // Folds are undone on the bytes: a writer may fold inside a UTF-8 character (RFC 6350 §3.2 says readers
  // should join it again), and each half alone is not UTF-8.
  const unfolded = bytes.toString('latin1').replace(/(?:\r\n|\r|\n)[ \t]/g, '');
  const fileCharset = legacyCharset(unfolded) ?? 'windows-1252';
  let cardCharset: string | undefined;
  return byteLines(Buffer.from(unfolded, 'latin1'))
    .map((line) => {
      const latin1 = line.toString('latin1');
      if (/^BEGIN:VCARD/i.test(latin1)) cardCharset = undefined;
      const own = legacyCharset(latin1);
      cardCharset = own ?? cardCharset;
      try {
        return utf8.decode(line);
      } catch {
        return iconv().decode(line, own ?? cardCharset ?? fileCharset);
      }
    })
    .join('\n');
}

function byteLines(bytes: Buffer): Buffer[] {
  const lines: Buffer[] = [];
  for (let start = 0; start <= bytes.length; ) {
    const end = bytes.indexOf(0x0a, start);
    lines.push(bytes.subarray(start, end < 0 ? bytes.length : end));
    if (end < 0) break;
    start = end + 1;
  }
  return lines;
}

/** Labels of 8-bit text whose bytes 0x80–0x9F old Windows exports fill with Windows-1252's quotes, dashes and €. */
const LATIN1 = /^(iso-?8859-1|latin-?1|l1|us-ascii|ascii|cp819)$/i;

/**
 * A CHARSET as iconv-lite decodes it (undefined: one it does not know); Latin-1 is read as Windows-1252,
 * as browsers do. Node 20's own TextDecoder decodes windows-1252 as Latin-1, leaving 0x80–0x9F as controls.
 */
function known(charset: string): string | undefined {
  if (LATIN1.test(charset)) return 'windows-1252';
  return iconv().encodingExists(charset) ? charset : undefined;
}

/** The first 8-bit character set the text's CHARSET parameters name (UTF-8 and unknown ones passed over). */
function legacyCharset(text: string): string | undefined {
  for (const [, name] of text.matchAll(/;CHARSET=([^;:\n]+)/gi)) {
    const named = name!.replace(/^"|"$/g, '');
    const charset = /^utf-?8$/i.test(named) ? undefined : known(named);
    if (charset) return charset;
  }
  return undefined;
}

export function parseVcards(text: string): ContactRecord[] {
  const records: ContactRecord[] = [];
  let card: ContactRecord | undefined;
  for (const line of logicalLines(text.replace(/^\uFEFF/, ''))) {
    const property = parseLine(line);
    if (!property) continue;
    const upperValue = property.value.trim().toUpperCase();
    if (property.name === 'BEGIN' && upperValue === 'VCARD') card = { phones: [], emails: [] };
    else if (property.name === 'END' && upperValue === 'VCARD' && card) {
      records.push(card);
      card = undefined;
    } else if (card) addProperty(card, property);
  }
  return records;
}

function addProperty(card: ContactRecord, property: Property): void {
  const [first = '', second = ''] = components(property);
  switch (property.name) {
    case 'FN':
      card.fullName = first;
      break;
    case 'N':
      card.lastName = first;
      card.firstName = second;
      break;
    case 'NICKNAME':
      card.nickname = first;
      break;
    case 'ORG':
      card.organization = first;
      break;
    case 'TEL':
      if (first) card.phones.push(first);
      break;
    case 'EMAIL':
      if (first) card.emails.push(first);
      break;
  }
}
