import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Attachment, Conversation, Message, Part, Person } from '../../src/model/types.js';
import { DateFormatter } from '../../src/render/dates.js';
import type { ExportContext } from '../../src/render/renderer.js';
import { HtmlRenderer } from '../../src/render/html/html-renderer.js';
import { messageAnchor } from '../../src/render/html/anchors.js';
import { tempDir as cliTempDir } from '../support/cli.js';

export const ROOT = resolve(import.meta.dirname, '..', '..');
export const FIXTURES = resolve(ROOT, '../shared/fixtures');
export const STICKERS = join(FIXTURES, 'apple/stickers');

/** How long a player may take to read its file's header on a busy machine (the default poll gives up after a second). */
export const MEDIA_PATIENCE = { timeout: 15_000 };

export const ME: Person = { handle: 'me', name: 'Me', isMe: true };
export const ALICE: Person = { handle: '+15551230001', name: 'Alice', isMe: false };
export const BOB: Person = { handle: 'bob@example.com', name: 'Bob', isMe: false };

export function tempDir(label: string): string {
  return cliTempDir(`html-${label}`);
}

export interface TestContext extends ExportContext {
  warnings: string[];
}

export function exportContext(outDir: string, attachments: ExportContext['attachments'] = 'copy'): TestContext {
  const warnings: string[] = [];
  return {
    outDir,
    exportedAt: new Date('2024-06-01T12:00:00Z'),
    dates: new DateFormatter('Europe/Berlin'),
    attachments,
    pdf: { style: 'chat', pageSize: 'a4' },
    csv: { bom: true, formulas: 'keep' },
    sourceDescription: 'test data',
    imageThreads: 2,
    warn: (message) => warnings.push(message),
    warnings,
  };
}

export function conversation(fields: Partial<Conversation> = {}): Conversation {
  return {
    id: 'chat-1',
    chatIds: [1],
    title: 'Alice',
    isGroup: false,
    services: ['iMessage'],
    participants: [ALICE],
    messageCount: 0,
    ...fields,
  };
}

export function textPart(text: string, index = 0): Part {
  return { kind: 'text', index, text, spans: [], tapbacks: [] };
}

export function attachmentPart(attachment: Partial<Attachment> & { fileName: string }, index = 0): Part {
  return {
    kind: 'attachment',
    index,
    tapbacks: [],
    attachment: { guid: `att-${attachment.fileName}`, missing: false, kind: 'image', size: 0, isSticker: false, ...attachment },
  };
}

const START = Date.parse('2024-03-01T08:00:00Z');

/** A message numbered n, one minute after message n-1. */
export function message(n: number, fields: Partial<Message> = {}): Message {
  const fromMe = n % 3 === 0;
  return {
    rowId: n,
    guid: `guid-${n}`,
    date: new Date(START + n * 60_000),
    sender: fromMe ? ME : ALICE,
    isFromMe: fromMe,
    service: 'iMessage',
    kind: 'message',
    parts: [textPart(`Message number ${n}`)],
    isAudioMessage: false,
    edited: false,
    problems: [],
    ...fields,
  };
}

/** A message's id on its page (where no other message of its second has a GUID that hashes alike). */
export function anchorOf(message: Message): string {
  return messageAnchor(message.guid, message.date);
}

/** All files under a folder, relative to it. */
export function listFiles(folder: string, prefix = ''): string[] {
  return readdirSync(join(folder, prefix), { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? listFiles(folder, join(prefix, entry.name)) : [join(prefix, entry.name)],
  );
}

/**
 * Image conversion runs on worker threads, which load the compiled worker from dist/: compiles the
 * project when dist/ is missing or older than the media sources. A lock folder keeps parallel test
 * files from compiling at the same time.
 */
export function ensureBuilt(): void {
  const worker = join(ROOT, 'dist/media/convert-worker.js');
  const newestSource = Math.max(...readdirSync(join(ROOT, 'src/media')).map((f) => statSync(join(ROOT, 'src/media', f)).mtimeMs));
  if (existsSync(worker) && statSync(worker).mtimeMs >= newestSource) return;
  const lock = join(tmpdir(), 'textkeeper-html-build.lock');
  try {
    mkdirSync(lock);
  } catch {
    for (let i = 0; i < 600 && existsSync(lock); i++) execFileSync('sleep', ['0.2']);
    return;
  }
  try {
    // tsc still emits when other areas of the project have type errors; only the output matters here.
    execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.json')], { stdio: 'ignore' });
  } catch {
    if (!existsSync(worker)) throw new Error('could not build dist/ for the image worker');
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** One conversation ("Alice") rendered to HTML pages in a new folder; `page(n)` reads page n. */
export async function renderOne(messages: Message[], fields = {}, limits?: { messages: number; bytes: number }, attachments: 'none' | 'copy' = 'none') {
  const outDir = tempDir('render');
  const ctx = exportContext(outDir, attachments);
  const renderer = new HtmlRenderer(limits);
  await renderer.start(ctx);
  const conv = conversation({ messageCount: messages.length, firstDate: messages[0]?.date, lastDate: messages.at(-1)?.date, ...fields });
  const rendered = await renderer.renderConversation(conv, () => messages, 'Alice');
  await renderer.finishShard();
  await renderer.finish([{ ...rendered, sequence: 0 }]);
  const page = (n: number) => readFileSync(join(outDir, 'conversations/Alice', `p${n}.html`), 'utf8');
  return { outDir, ctx, rendered, page };
}
