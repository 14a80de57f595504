import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { generateChatDb } from '../../src/generate/index.js';
import { runCli, tempDir } from '../support/cli.js';
import { pageContents, pdfText, pdfToolsPresent, savePng } from './pdf-tools.js';

interface JsonMessage {
  kind: string;
  text?: string;
  isFromMe: boolean;
  sender: { name: string };
  replyTo?: unknown;
  subject?: string;
  parts: { kind: string }[];
}

interface Exported {
  pdf: string;
  isGroup: boolean;
  messages: JsonMessage[];
}

// A message's name drawn invisibly: a paragraph holding a stand-in letter in text render mode 3, the name its ActualText.
const UNSEEN_NAME = /\/P <<\n\/MCID \d+\n>> BDC\nq \/Span <<\/ActualText <feff([0-9a-f]*)>>> BDC BT 3 Tr /g;

/**
 * The chat style shows who wrote a message by its bubble's side and colour, and names only someone else in a group,
 * above the first message of their run. Text extraction, search, copying and a screen reader following the tags
 * get the sender's name before every message, the page looking as it did.
 */
describe.skipIf(!pdfToolsPresent)('chat-style PDF: the sender of every message as text', () => {
  const dir = tempDir('pdf-senders');
  const out = join(dir, 'out');
  const exported: Exported[] = [];

  beforeAll(async () => {
    const db = join(dir, 'chat.db');
    await generateChatDb({ path: db, messages: 400, seed: 7, conversations: 8 });
    const result = await runCli(['export', '--db', db, '--out', out, '--format', 'json,pdf', '--no-progress']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    for (const file of readdirSync(out).filter((f) => f.endsWith('.json'))) {
      const { conversation, messages } = JSON.parse(readFileSync(join(out, file), 'utf8')) as { conversation: { isGroup: boolean }; messages: JsonMessage[] };
      exported.push({ pdf: join(out, file.replace(/\.json$/, '.pdf')), isGroup: conversation.isGroup, messages });
    }
  });

  test('pdftotext gives the sender on the line before each message, mine and theirs, one-to-one and in a group', () => {
    const checked = new Map<string, number>();
    for (const { pdf, isGroup, messages } of exported) {
      const lines = pdfText(pdf).split('\n').filter((line) => line.trim() !== '');
      for (const message of messages.filter(oneShortText)) {
        const at = lines.indexOf(message.text!);
        // Only a text the file says once is surely this message's.
        if (at < 0 || lines.lastIndexOf(message.text!) !== at) continue;
        expect(lines[at - 1], `${pdf}: "${message.text}"`).toBe(message.sender.name);
        const kind = `${isGroup ? 'group' : 'one-to-one'}, ${message.isFromMe ? 'mine' : 'theirs'}`;
        checked.set(kind, (checked.get(kind) ?? 0) + 1);
      }
    }
    expect([...checked.keys()].sort()).toEqual(['group, mine', 'group, theirs', 'one-to-one, mine', 'one-to-one, theirs']);
  });

  test('in a one-to-one conversation, where no name is drawn, each message has a paragraph of its sender’s name, invisible', () => {
    const { pdf, messages } = exported.find((e) => !e.isGroup && e.messages.length > 100)!;
    const names = pageContents(pdf).flatMap((content) => [...content.matchAll(UNSEEN_NAME)].map((m) => Buffer.from(m[1]!, 'hex').swap16().toString('utf16le')));
    expect(names).toEqual(messages.filter((m) => m.kind !== 'event').map((m) => m.sender.name));
    savePng(pdf, 'pdf-senders-one-to-one', 2);
  });
});

/** A message that is one short line of plain text, nothing above it in its bubble. */
function oneShortText(message: JsonMessage): boolean {
  const [part] = message.parts;
  return message.parts.length === 1 && part!.kind === 'text' && !message.replyTo && !message.subject && /^[\x20-\x7e]{1,40}$/.test(message.text ?? '');
}
