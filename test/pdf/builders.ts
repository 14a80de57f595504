import { join } from 'node:path';
import type { Attachment, Conversation, Message, Part, Person } from '../../src/model/types.js';
import { DateFormatter } from '../../src/render/dates.js';
import type { ExportContext } from '../../src/render/renderer.js';
import { tempDir } from '../support/cli.js';

/** Small factories for conversations and messages the PDF tests render. */

export const me: Person = { handle: 'me', name: 'Me', isMe: true };
export const alice: Person = { handle: '+15551230001', name: 'Alice Martin', isMe: false };
export const bob: Person = { handle: 'bob@example.com', name: 'Bob', isMe: false };

export function conversation(overrides: Partial<Conversation> = {}): Conversation {
  return {
    id: 'chat-1',
    chatIds: [1],
    title: 'Alice Martin',
    isGroup: false,
    services: ['iMessage'],
    participants: [alice],
    messageCount: 0,
    firstDate: new Date('2023-12-30T10:00:00Z'),
    lastDate: new Date('2024-02-02T10:00:00Z'),
    ...overrides,
  };
}

let rowId = 0;

export function message(sender: Person, date: Date, parts: Part[], overrides: Partial<Message> = {}): Message {
  rowId++;
  return {
    rowId,
    guid: `guid-${rowId}`,
    date,
    sender,
    isFromMe: sender.isMe,
    service: 'iMessage',
    kind: 'message',
    parts,
    isAudioMessage: false,
    edited: false,
    problems: [],
    ...overrides,
  };
}

export function text(value: string, index = 0): Part {
  return { kind: 'text', index, text: value, spans: [], tapbacks: [] };
}

export function attachment(fields: Partial<Attachment> & { fileName: string }, index = 0): Part {
  return {
    kind: 'attachment',
    index,
    tapbacks: [],
    attachment: { guid: `att-${fields.fileName}`, missing: false, kind: 'image', size: 1000, isSticker: false, ...fields },
  };
}

export interface Captured {
  ctx: ExportContext;
  warnings: string[];
}

export function exportContext(pdf: ExportContext['pdf'] = { style: 'chat', pageSize: 'letter' }): Captured {
  const warnings: string[] = [];
  const ctx: ExportContext = {
    outDir: tempDir('pdf'),
    exportedAt: new Date('2024-05-01T12:00:00Z'),
    dates: new DateFormatter('UTC'),
    attachments: 'none',
    pdf,
    csv: { bom: true, formulas: 'keep' },
    sourceDescription: 'test data',
    imageThreads: 2,
    warn: (m) => warnings.push(m),
  };
  return { ctx, warnings };
}

/** Renders these messages as one conversation's PDF and returns its path. */
export async function renderPdf(ctx: ExportContext, list: Message[], name: string, overrides: Partial<Conversation> = {}): Promise<string> {
  const { PdfRenderer } = await import('../../src/render/pdf/pdf-renderer.js');
  const renderer = new PdfRenderer();
  await renderer.start(ctx);
  const conv = conversation({ messageCount: list.length, firstDate: list[0]?.date, lastDate: list.at(-1)?.date, ...overrides });
  const rendered = await renderer.renderConversation(conv, () => list, name);
  return join(ctx.outDir, rendered.file);
}
