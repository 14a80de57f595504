import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { CandidateConversation, HistoryConversation } from '../normalize/archive.js';
import type { RenderedConversation } from '../render/renderer.js';
import type { StoreArchive } from '../store/store-archive.js';
import { remakesMedia, type OutsideChanges } from '../store/outside-changes.js';
import type { ResolvedOptions } from './options.js';
import { NDJSON_FILE } from '../render/ndjson/ndjson-renderer.js';

/**
 * Options that never change what a file looks like: which sources are read and how (what they give is in
 * the store, whose revisions are part of a fingerprint), which conversations and formats, and the console.
 */
const NOT_IN_FILES = new Set([
  'db', 'backup', 'archive', 'attachmentsRoot', 'password', 'passwordFile', 'contacts', 'country', 'check',
  'out', 'format', 'exact', 'progress', 'quiet', 'threads',
]);
/** Options that change the files of one format only (a PDF's cover names the `--chat` terms). */
const ONLY_IN: Record<string, string> = {
  chat: 'pdf', pdfStyle: 'pdf', pageSize: 'pdf', pdfStandard: 'pdf', cover: 'pdf', bates: 'pdf', batesDigits: 'pdf', csvBom: 'csv', csvFormulas: 'csv',
};

/** The HTML archive's own files (its media are in attachments/ and thumbs/, each named by its contents). */
const HTML_FILES = /^(index\.html|search\.html|(conversations|search|assets)\/)/;

/** The format that writes a file of the archive folder, by its path; none for the copies of attachments. */
export function formatOf(path: string): string | undefined {
  if (HTML_FILES.test(path)) return 'html';
  if (path === 'bates.csv') return 'pdf';
  return /^[^/]+\.(txt|pdf|json|ndjson|csv)$/.exec(path)?.[1];
}

/**
 * The options that shape a format's files, as part of their fingerprint; the time zone the files show, the
 * computer's when no --timezone is given (a run under another TZ writes every file again).
 */
export function renderSettings(options: ResolvedOptions, format: string): string {
  const given = { ...options.raw, timezone: options.dates.zoneKey };
  const shaping = Object.entries(given).filter(([name]) => !NOT_IN_FILES.has(name) && (ONLY_IN[name] ?? format) === format);
  // Names in code-unit order (the order localeCompare gave them too, without loading ICU's data).
  return JSON.stringify([format, ...shaping.sort(([a], [b]) => (a < b ? -1 : 1))]);
}

/**
 * Formats whose file for a conversation depends on that conversation alone, so an unchanged one keeps
 * its file (PDFs numbered across the run with --bates are always written). HTML pages are kept only
 * all together: the index and search data cover every conversation.
 */
export function reusable(format: string, options: ResolvedOptions): boolean {
  return format === 'txt' || format === 'json' || format === 'csv' || (format === 'pdf' && !options.raw.bates);
}

/**
 * Whether the conversation's file in this format would be made from what the last one written was made from;
 * throws what reading the conversation from the store throws.
 */
export function writtenAsBefore(archive: StoreArchive, key: string, format: string, options: ResolvedOptions): boolean {
  const [plan] = archive.conversations(new Set([key]));
  return plan !== undefined && archive.writtenFrom(key, format, archive.fingerprints(plan, [renderSettings(options, format)])[0]!) !== undefined;
}

/** A conversation's file in one format: written by this run, or kept as an earlier run wrote it. */
export interface FormatFile extends RenderedConversation {
  format: string;
  /** What the file was made from (see StoreArchive.fingerprint). */
  fingerprint: string;
  kept: boolean;
}

/** A conversation as one run left it: its file in every format. */
export interface ConversationFiles {
  key: string;
  lastDate: number;
  files: FormatFile[];
  /** What its files count of its attachments (`attachmentCounts`); undefined when not known (kept files an older textkeeper wrote). */
  counts?: string;
}

/** What a run has to write, found before anything is read: an unchanged run writes nothing. */
export interface RenderPlan {
  /** Formats with at least one file to write. */
  formats: string[];
  /** Conversations with at least one file to write. */
  queue: CandidateConversation[];
  /** The formats each conversation of the queue is written in, by its key. */
  writes: Map<string, string[]>;
  /** Messages to render, counted once per format a conversation is written in (the progress total). */
  work: number;
  /** Conversations whose every file is kept. */
  kept: ConversationFiles[];
  keptMessages: number;
}

/**
 * Which conversations this run writes in which formats. A conversation keeps a file while the fingerprint
 * it was made from is the same and the file is as the last run left it (see `StoreArchive.keptFile`); HTML
 * is kept only when every page is, none of its files was changed since, not by textkeeper, and no removed file
 * that its pages show (a copy of an attachment, its thumbnail) can be made again; NDJSON's one
 * file only when every conversation's part of it is, and it is as the last run left it.
 */
export function planRendering(archive: StoreArchive, candidates: CandidateConversation[], options: ResolvedOptions, outside?: OutsideChanges): RenderPlan {
  const keepsHtml = options.formats.includes('html') && existsSync(join(options.outDir, 'index.html'))
    && !(outside && ([...outside.changed.keys()].some((path) => HTML_FILES.test(path)) || remakesMedia(options.outDir, outside)));
  const keepsNdjson = options.formats.includes('ndjson') && archive.asListed(NDJSON_FILE);
  const found = keptFiles(archive, candidates, options, { html: keepsHtml, ndjson: keepsNdjson });
  for (const whole of ['html', 'ndjson']) {
    const i = options.formats.indexOf(whole);
    if (i >= 0 && !(found.every((f) => f.files[i]) && archive.renderedCount(whole) === found.length)) {
      for (const f of found) f.files[i] = undefined;
    }
  }
  return queueOf(found, options, archive);
}

/** A candidate with what it is now and, by format (in the run's order), the file it keeps. */
interface Found {
  candidate: CandidateConversation;
  plan?: HistoryConversation;
  files: (FormatFile | undefined)[];
}

/** Each candidate's files that an earlier run wrote from what it is now (HTML and NDJSON: when those may be kept at all). */
function keptFiles(archive: StoreArchive, candidates: CandidateConversation[], options: ResolvedOptions, keeps: { html: boolean; ndjson: boolean }): Found[] {
  const settings = options.formats.map((format) => renderSettings(options, format));
  const found: Found[] = [];
  for (const candidate of candidates) {
    let plan: HistoryConversation | undefined;
    let failed = false;
    try {
      [plan] = archive.conversations(new Set([candidate.key]));
    } catch {
      // Rendering tries it again, and says why it is skipped.
      failed = true;
    }
    if (!plan && !failed) continue;
    const fingerprints = plan ? archive.fingerprints(plan, settings) : [];
    const files = options.formats.map((format, i) => {
      if (format === 'ndjson') {
        const part = plan && keeps.ndjson ? archive.writtenFrom(plan.key, format, fingerprints[i]!) : undefined;
        return part === undefined ? undefined : { conversation: plan!.conversation, file: part, format, fingerprint: fingerprints[i]!, kept: true };
      }
      const kept = plan && (format === 'html' ? keeps.html : reusable(format, options));
      const file = kept ? archive.keptFile(plan!.key, format, fingerprints[i]!) : undefined;
      return file === undefined ? undefined : { conversation: plan!.conversation, file, format, fingerprint: fingerprints[i]!, kept: true };
    });
    found.push({ candidate, plan, files });
  }
  return found;
}

/** The conversations with a file to write, in the candidates' order, and those whose every file is kept (with what they count). */
function queueOf(found: Found[], options: ResolvedOptions, archive: StoreArchive): RenderPlan {
  const plan: RenderPlan = { formats: [], queue: [], writes: new Map(), work: 0, kept: [], keptMessages: 0 };
  for (const { candidate, plan: conversation, files } of found) {
    const messages = conversation?.conversation.messageCount ?? 0;
    if (conversation && files.every((f) => f)) {
      plan.kept.push({ key: candidate.key, lastDate: conversation.conversation.lastDate!.getTime(), files: files as FormatFile[], counts: archive.countsWith(candidate.key, files as FormatFile[]) });
      plan.keptMessages += messages;
      continue;
    }
    plan.queue.push(candidate);
    plan.writes.set(candidate.key, options.formats.filter((_, i) => !files[i]));
    plan.work += messages * files.filter((f) => !f).length;
  }
  plan.formats = options.formats.filter((_, i) => plan.queue.length > 0 && found.some((f) => !f.files[i]));
  return plan;
}
