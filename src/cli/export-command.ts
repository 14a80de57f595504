import { access, mkdir, rm, writeFile } from 'node:fs/promises';
import { constants } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Message } from '../model/types.js';
import { StemAllocator } from '../output/files.js';
import type { ExportContext, MessageStream, RenderedConversation, Renderer } from '../render/renderer.js';
import { RENDERERS } from '../render/registry.js';
import { UserError } from '../errors.js';
import { Progress } from './progress.js';
import { openArchive } from './sources.js';
import type { ResolvedOptions } from './options.js';

export interface ExportSummary {
  conversations: number;
  messages: number;
  attachments: number;
  missingAttachments: number;
  warnings: number;
  seconds: number;
  /** With several sources: messages found in only one of them, by source. */
  onlyIn: Map<string, number>;
}

/** Thrown inside a message stream when the user pressed Ctrl-C, so renderers discard what they started. */
export class Interrupted extends Error {}

/** Reads the source once per renderer pass and writes every format into `out`. */
export async function runExport(options: ResolvedOptions, signal: { interrupted: boolean }): Promise<ExportSummary> {
  const started = performance.now();
  const renderers = await Promise.all(options.formats.map((format) => RENDERERS[format]!()));
  const { archive, close } = await openArchive(options);
  try {
    const plans = archive.conversations();
    if (plans.length === 0) {
      throw new UserError(options.archive.chatTerms.length > 0
        ? `No conversation matches --chat ${options.archive.chatTerms.join(',')} (see \`textkeeper list\`).`
        : 'No messages to export in this database (for the dates asked).');
    }
    await prepareOutput(options.outDir);
    const summary: ExportSummary = {
      conversations: plans.length, messages: 0, attachments: 0, missingAttachments: 0, warnings: 0, seconds: 0,
      onlyIn: new Map(archive.sourceNames.length > 1 ? archive.sourceNames.map((name) => [name, 0]) : []),
    };
    const warn = (message: string) => {
      summary.warnings++;
      options.log(`warning: ${message}`);
    };
    const ctx: ExportContext = {
      outDir: options.outDir,
      exportedAt: new Date(),
      dates: options.dates,
      attachments: options.attachments,
      pdf: options.pdf,
      sourceDescription: archive.description,
      warn,
    };
    for (const renderer of renderers) await renderer.start(ctx);
    const total = plans.reduce((sum, p) => sum + p.conversation.messageCount, 0) * renderers.length;
    const progress = new Progress(total, options.showProgress);
    const rendered = new Map<Renderer, RenderedConversation[]>(renderers.map((r) => [r, []]));
    const stems = new StemAllocator();
    try {
      for (const plan of plans) {
        const stem = stems.allocate(plan.conversation.title);
        const stream = archive.messages(plan);
        for (const [index, renderer] of renderers.entries()) {
          const counted = index === 0 ? counting(stream, summary, warn) : stream;
          const watched = watching(counted, progress, signal);
          rendered.get(renderer)!.push(await renderer.renderConversation(plan.conversation, watched, stem));
        }
      }
      for (const renderer of renderers) await renderer.finish(rendered.get(renderer)!);
    } finally {
      progress.stop();
    }
    summary.seconds = (performance.now() - started) / 1000;
    return summary;
  } finally {
    await close();
  }
}

/** Counts messages, attachments and problems on the first renderer's first pass only. */
function counting(stream: MessageStream, summary: ExportSummary, warn: (m: string) => void): MessageStream {
  let counted = false;
  return function* () {
    const first = !counted;
    counted = true;
    for (const message of stream()) {
      if (first) tally(message, summary, warn);
      yield message;
    }
  };
}

function tally(message: Message, summary: ExportSummary, warn: (m: string) => void): void {
  summary.messages++;
  for (const part of message.parts) {
    const attachments = part.kind === 'attachment' ? [part.attachment] : part.kind === 'app' ? part.attachments : [];
    for (const a of attachments) {
      summary.attachments++;
      if (a.missing) summary.missingAttachments++;
    }
  }
  for (const problem of message.problems) warn(`message ${message.guid}: ${problem}`);
  if (message.sources?.length === 1) {
    const only = message.sources[0]!;
    summary.onlyIn.set(only, (summary.onlyIn.get(only) ?? 0) + 1);
  }
}

/** Ticks the progress bar on every pass, and stops the stream when the user interrupts. */
function watching(stream: MessageStream, progress: Progress, signal: { interrupted: boolean }): MessageStream {
  let passes = 0;
  return function* () {
    const firstPass = passes++ === 0;
    for (const message of stream()) {
      if (signal.interrupted) throw new Interrupted('interrupted');
      if (firstPass) progress.tick();
      yield message;
    }
  };
}

const WRITE_ERRORS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'the file system is read-only',
  ENOTDIR: 'part of the path is a file, not a folder',
  ENOENT: 'the folder cannot be created there',
  ENOSPC: 'the disk is full',
};

async function prepareOutput(outDir: string): Promise<void> {
  try {
    await makeFolders(resolve(outDir));
    await access(outDir, constants.W_OK);
    const probe = join(outDir, `.textkeeper-write-test-${process.pid}`);
    await writeFile(probe, '');
    await rm(probe);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    const reason = WRITE_ERRORS[code] ?? (error as Error).message;
    throw new UserError(`Cannot write to the output folder ${resolve(outDir)}: ${reason}.`);
  }
}

/**
 * mkdir -p, one level at a time: Node's recursive mkdir spins forever on some paths
 * (e.g. under /proc), which must be an error, not a hang.
 */
async function makeFolders(path: string): Promise<void> {
  try {
    await mkdir(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return;
    if (code !== 'ENOENT' || dirname(path) === path) throw error;
    await makeFolders(dirname(path));
    await mkdir(path);
  }
}
