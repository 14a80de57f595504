import { availableParallelism } from 'node:os';
import { existsSync, realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { toCountryCode } from '../contacts/handles.js';
import { UserError } from '../errors.js';
import { DEFAULT_OWNER_NAME } from '../model/owner.js';
import { expandHome, MAC_MESSAGES, refuseKeptQuote } from '../home-path.js';
import { DateFormatter } from '../render/dates.js';
import { tzReadAsUtc } from '../render/machine-zone.js';
import { isValidTimeZone, zoneAsSpelled } from '../render/zone-names.js';
import { RENDERERS } from '../render/registry.js';
import { toAppleMs } from '../normalize/dates.js';
import type { ArchiveOptions } from '../normalize/archive.js';
import { MAX_BATES_DIGITS, type BatesOptions, type ExportContext, type MessageSelection, type PdfOptions } from '../render/renderer.js';
import { STORE_FILE } from '../store/file-names.js';
import { parseBoundary } from './dates.js';
import type { ProgressMode } from './progress.js';

/** Where to read from, as the command line says it. */
export interface SourceOptions {
  db?: string[];
  /** An archive folder (a previous --out) read as a source. */
  archive?: string;
  backup?: string[];
  attachmentsRoot?: string;
  passwordFile?: string;
  password?: string;
  contacts?: string[];
  country?: string;
}

/** More threads than this only cost memory, on any machine. */
const MAX_THREADS = 64;

/** Options as commander hands them over (strings, as typed). */
export interface RawOptions extends SourceOptions {
  out?: string;
  format?: string;
  chat?: string;
  exact?: boolean;
  since?: string;
  until?: string;
  timezone?: string;
  attachments?: string;
  pdfStyle?: string;
  pageSize?: string;
  pdfStandard?: string;
  csvBom?: string;
  csvFormulas?: string;
  cover?: boolean;
  bates?: string;
  batesDigits?: string;
  me?: string;
  threads?: string;
  progress?: boolean;
  quiet?: boolean;
  maxAttachmentSize?: string;
  /** false with --no-check. */
  check?: boolean;
}

export interface ResolvedOptions {
  /** The options as given, for worker threads to resolve again. */
  raw: RawOptions;
  sources: SourceOptions;
  outDir: string;
  formats: string[];
  archive: Omit<ArchiveOptions, 'contacts'>;
  dates: DateFormatter;
  attachments: 'copy' | 'link' | 'none';
  pdf: Required<Omit<PdfOptions, 'bates'>> & Pick<PdfOptions, 'bates'>;
  csv: ExportContext['csv'];
  /** `--since`/`--until`, when given. */
  selection?: MessageSelection;
  progress: ProgressMode;
  /** `--quiet`: no progress, nor the list of conversations `--chat` chose. */
  quiet: boolean;
  /** Threads rendering conversations (this one and its workers). */
  threads: number;
  log(line: string): void;
}

/** Checks and completes the options shared by `export` and `list`; every mistake is one clear line. */
export function resolveOptions(given: RawOptions, needsOutput: boolean): ResolvedOptions {
  refuseKeptQuotes(given);
  const raw = withHomesExpanded(given);
  if (raw.timezone !== undefined && !isValidTimeZone(raw.timezone)) {
    throw new UserError(`--timezone ${raw.timezone}: not a time zone name (use e.g. Europe/Berlin or America/New_York).`);
  }
  if (raw.timezone === undefined) refuseTzReadAsUtc();
  const dates = new DateFormatter(raw.timezone === undefined ? undefined : zoneAsSpelled(raw.timezone));
  // Refused whatever is read (not only once a backup asks for it): it is in the shell's history already.
  if (raw.password !== undefined) throw new UserError('--password: a password on the command line is visible to other programs; use --password-file FILE, or type it at the prompt.');
  if (needsOutput && !raw.out) throw new UserError('--out is required: the folder to write the archive into.');
  if (needsOutput) refuseOutInside(raw);
  if (needsOutput) refuseNameExplorerDrops(raw.out!);
  const formats = formatsOf(raw.format);
  checkWords(raw);
  const { since, until } = windowOf(raw, dates);
  return {
    raw,
    sources: raw,
    outDir: resolve(raw.out ?? '.'),
    formats: [...new Set(formats)],
    archive: {
      window: { since: since && toAppleMs(since), until: until && toAppleMs(until) },
      chatTerms: chatTerms(raw.chat),
      exactChat: raw.exact === true,
      dayOf: (date) => dates.dayKey(date),
      meName: raw.me?.trim() ?? DEFAULT_OWNER_NAME,
      check: raw.check !== false,
      maxAttachmentBytes: raw.maxAttachmentSize === undefined ? undefined : parseSize(raw.maxAttachmentSize, '--max-attachment-size'),
    },
    dates,
    attachments: choice(raw.attachments ?? 'copy', ['copy', 'link', 'none'] as const, '--attachments'),
    pdf: pdfOptions(raw, formats),
    csv: {
      bom: choice(raw.csvBom ?? 'true', ['true', 'false'] as const, '--csv-bom') === 'true',
      formulas: choice(raw.csvFormulas ?? 'keep', ['keep', 'quote'] as const, '--csv-formulas'),
    },
    selection: since || until ? { options: asTyped(raw, ['since', 'until']), from: since, before: until } : undefined,
    progress: raw.quiet || raw.progress === false ? 'none' : process.stderr.isTTY ? 'bar' : 'lines',
    quiet: raw.quiet === true,
    threads: threadCount(raw.threads),
    log: (line) => process.stderr.write(`${line}\n`),
  };
}

/** A TZ Node takes for UTC though it names another zone: every time would be hours from what `date` shows, unsaid. */
function refuseTzReadAsUtc(): void {
  const tz = tzReadAsUtc();
  if (tz !== undefined) {
    throw new UserError(`TZ=${tz}: Node cannot read this time zone and would show times in UTC; give --timezone with its IANA name (e.g. America/New_York).`);
  }
}

/** `--format`: the formats named, each known. */
function formatsOf(format: string | undefined): string[] {
  const formats = (format ?? 'txt').split(',').map((f) => f.trim().toLowerCase()).filter(Boolean);
  const unknown = formats.filter((f) => !RENDERERS[f]);
  if (unknown.length > 0 || formats.length === 0) {
    const what = unknown.length > 0 ? `--format ${format}: unknown format ${unknown.join(', ')}` : '--format names no format';
    throw new UserError(`${what}; choose from ${Object.keys(RENDERERS).join(', ')}.`);
  }
  return formats;
}

/**
 * Options as they could be typed again, `--name value` each (a value with spaces quoted for a shell), in the
 * order named, `--chat` followed by `--exact` when given; those not given left out.
 */
export function asTyped(raw: RawOptions, names: readonly ('chat' | 'since' | 'until')[]): string[] {
  const typed = names.filter((name) => raw[name]).map((name) => `--${name} ${shellWord(raw[name]!)}`);
  if (names.includes('chat') && raw.chat && raw.exact) typed.splice(1, 0, '--exact');
  return typed;
}

function shellWord(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, "'\\''")}'`;
}

/** `--since` and `--until`. An empty value (`--since "$START"` with nothing in it) is a mistake, not every date. */
function windowOf(raw: RawOptions, dates: DateFormatter): { since?: Date; until?: Date } {
  const since = raw.since !== undefined ? parseBoundary(raw.since, dates.timeZone, '--since') : undefined;
  const until = raw.until !== undefined ? parseBoundary(raw.until, dates.timeZone, '--until') : undefined;
  if (since && until && since >= until) throw new UserError('--since must be before --until.');
  return { since, until };
}

function pdfOptions(raw: RawOptions, formats: string[]): ResolvedOptions['pdf'] {
  return {
    style: choice(raw.pdfStyle ?? 'chat', ['chat', 'transcript'] as const, '--pdf-style'),
    // The locale is looked up for PDFs only: the first Intl object costs start-up a few hundredths of a second.
    pageSize: choice(raw.pageSize ?? (formats.includes('pdf') ? defaultPageSize() : 'letter'), ['letter', 'a4'] as const, '--page-size'),
    standard: choice(raw.pdfStandard ?? 'pdf-a-2b', ['pdf-a-2b', 'none'] as const, '--pdf-standard'),
    cover: raw.cover !== false,
    bates: raw.bates === undefined ? undefined : batesOptions(raw.bates, raw.batesDigits ?? '6'),
  };
}

/** `--country` and `--me`, which nothing else checks: an unknown country read numbers as American, an empty name showed blank senders. */
function checkWords({ country, me }: RawOptions): void {
  if (country !== undefined && !toCountryCode(country)) throw new UserError(`--country ${country}: not a country code; give two letters, e.g. US, GB or DE.`);
  if (me !== undefined && me.trim() === '') throw new UserError('--me is empty: give the name to show for the owner of the messages.');
}

/**
 * The archive is never written into what it reads: an iPhone backup, Messages' own folder, or the
 * attachments folder of a copied database; compared with links followed.
 */
function refuseOutInside({ out: given, backup, attachmentsRoot, db }: RawOptions): void {
  const out = realPathSoFar(resolve(given!));
  const roots = attachmentsRoot ? [attachmentsRoot] : (db ?? []).map(dirname);
  const read = [
    ...(backup ?? []).map((dir) => ['the backup', dir]),
    ["Messages' own folder", MAC_MESSAGES],
    ...roots.map((root) => ['the attachments folder', join(root, 'Attachments')]),
  ].map(([what, folder]) => [what, realPathSoFar(resolve(folder!))]);
  for (const [what, folder] of read) {
    const path = relative(folder!, out);
    if (path === '' || (path !== '..' && !path.startsWith(`..${sep}`) && !isAbsolute(path))) {
      throw new UserError(`--out ${out} lies inside ${what} ${folder}, which textkeeper never writes to: choose a folder outside it.`);
    }
  }
  refuseOutInsideArchive(out);
}

/** Nor into another archive folder, whose next export and `verify` would take every file of this one for one added by hand. */
function refuseOutInsideArchive(out: string): void {
  for (let folder = dirname(out); folder !== dirname(folder); folder = dirname(folder)) {
    if (existsSync(join(folder, STORE_FILE))) {
      throw new UserError(`--out ${out} lies inside the archive folder ${folder}, which would take its files for ones added by hand (verify would fail): choose a folder outside it.`);
    }
  }
}

/**
 * Node hands Windows a path as given (`\\?\D:\Archive `), so a folder name ending in a space or dot is made so;
 * Explorer, which drops them, can then neither open the archive nor remove it.
 */
function refuseNameExplorerDrops(out: string): void {
  if (process.platform !== 'win32') return;
  const name = resolve(out).split(/[\\/]/).find((part) => /[. ]$/.test(part));
  if (name !== undefined) throw new UserError(`--out ${out}: on Windows a folder name cannot end in a space or a dot ("${name}"; Explorer could not open the archive): leave it out.`);
}

/** The path with the links of the part that exists followed (what does not exist yet, as given). */
function realPathSoFar(path: string): string {
  const parent = dirname(path);
  try {
    return realpathSync(path);
  } catch {
    return parent === path ? path : join(realPathSoFar(parent), basename(path));
  }
}

/** First of all: the quote may have taken the options after it (an --out in it is not missing, but misquoted). */
function refuseKeptQuotes(raw: RawOptions): void {
  const paths = { '--db': raw.db, '--backup': raw.backup, '--contacts': raw.contacts, '--archive': raw.archive, '--attachments-root': raw.attachmentsRoot, '--password-file': raw.passwordFile, '--out': raw.out };
  for (const [flag, given] of Object.entries(paths)) for (const path of [given ?? []].flat()) refuseKeptQuote(flag, path);
}

/** Every path option with a leading `~` expanded (see expandHome). */
function withHomesExpanded(raw: RawOptions): RawOptions {
  const one = (path: string | undefined) => path && expandHome(path);
  const many = (paths: string[] | undefined) => paths?.map(expandHome);
  return {
    ...raw,
    db: many(raw.db),
    backup: many(raw.backup),
    contacts: many(raw.contacts),
    archive: one(raw.archive),
    attachmentsRoot: one(raw.attachmentsRoot),
    passwordFile: one(raw.passwordFile),
    out: one(raw.out),
  };
}

/** `--bates PREFIX[:START]` and `--bates-digits N`. */
function batesOptions(value: string, digitsText: string): BatesOptions {
  const match = /^([A-Za-z0-9_.-]{1,24})(?::(\d{1,10}))?$/.exec(value);
  if (!match) throw new UserError(`--bates ${value}: give a prefix of letters, digits, "-", "_" or "." and optionally a start number, e.g. SMITH or SMITH:1001.`);
  const digits = Number(digitsText);
  if (!/^\d+$/.test(digitsText) || digits < 1 || digits > MAX_BATES_DIGITS) throw new UserError(`--bates-digits ${digitsText}: give a number from 1 to ${MAX_BATES_DIGITS}.`);
  return { prefix: match[1]!, start: match[2] === undefined ? 1 : Number(match[2]), digits };
}

/** `--chat` as terms; given with none (`--chat "$NAME"` with nothing in it), refused: it would choose every conversation. */
function chatTerms(value: string | undefined): string[] {
  const terms = value?.split(',').map((t) => t.trim()).filter(Boolean) ?? [];
  if (value !== undefined && terms.length === 0) {
    throw new UserError(`--chat names no conversation; give ids (as \`textkeeper list\` shows them), phone numbers, emails or names, comma-separated.`);
  }
  return terms;
}

function threadCount(value: string | undefined): number {
  if (value === undefined) return availableParallelism();
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > MAX_THREADS) throw new UserError(`--threads ${value}: give a whole number from 1 to ${MAX_THREADS}.`);
  return n;
}

function choice<T extends string>(value: string, allowed: readonly T[], flag: string): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UserError(`${flag} ${value}: choose one of ${allowed.join(', ')}.`);
}

const UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1024, m: 1024 ** 2, mb: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3, t: 1024 ** 4, tb: 1024 ** 4 };

/** "500MB", "2G", "1.5 GB", "1048576" → bytes (binary units). */
function parseSize(value: string, flag: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(value);
  const unit = match ? UNITS[match[2]!.toLowerCase()] : undefined;
  if (!match || unit === undefined) throw new UserError(`${flag} ${value}: give a size like 500MB, 2GB or a number of bytes.`);
  return Math.floor(Number(match[1]) * unit);
}

/** Letter in the US and Canada (by locale), A4 elsewhere. */
function defaultPageSize(): 'letter' | 'a4' {
  const region = Intl.DateTimeFormat().resolvedOptions().locale.split('-')[1];
  return region === 'US' || region === 'CA' ? 'letter' : 'a4';
}
