import { describe, expect, test } from 'vitest';
import { join } from 'node:path';
import type { Message } from '../../src/model/types.js';
import { PdfRenderer } from '../../src/render/pdf/pdf-renderer.js';
import type { ExportContext } from '../../src/render/renderer.js';
import { alice, attachment, bob, conversation, exportContext, me, message, renderPdf, text } from './builders.js';
import { outlineTitles, outlineViews, pageContents, pdfInfo, pdfText, pdfToolsPresent, qpdfCheck, savePng, squash } from './pdf-tools.js';

const PHRASES = [
  'Are we still on for dinner tonight?',
  'Γειά σου, τι κάνεις σήμερα;',
  'Привет! Как дела на работе?',
  '我们明天早上九点在车站见面。',
  'שלום, מה שלומך היום?',
  'مرحبا، كيف حالك اليوم؟',
  'Meeting moved to 15:30 — room ב׳ (second floor) 🎉',
  'Café déjà vu, naïve façade, Ærøskøbing',
  'Love it 😍😂👍🏽 see you soon',
  'Mixed: the word שלום means peace and سلام too.',
  '내일 점심 같이 먹을래요?',
];

/** A conversation spanning two years, with every script in turn and a message every nine hours. */
function messages(count: number): Message[] {
  const start = Date.UTC(2023, 10, 1, 8);
  return Array.from({ length: count }, (_, i) => {
    const sender = [alice, me, bob][i % 3];
    const line = `${PHRASES[i % PHRASES.length]} #${i}`;
    return message(sender, new Date(start + i * 9 * 3600_000), [text(line)], { service: i % 7 === 0 ? 'SMS' : 'iMessage' });
  });
}

async function render(ctx: ExportContext, list: Message[], name: string, groupChat = true): Promise<string> {
  const renderer = new PdfRenderer();
  await renderer.start(ctx);
  const conv = conversation({
    title: groupChat ? 'Family 👨‍👩‍👧' : 'Alice Martin',
    isGroup: groupChat,
    participants: groupChat ? [alice, bob] : [alice],
    messageCount: list.length,
    firstDate: list[0]?.date,
    lastDate: list.at(-1)?.date,
  });
  const rendered = await renderer.renderConversation(conv, () => list, name);
  return join(ctx.outDir, rendered.file);
}

const EMOJI = /\p{Extended_Pictographic}|[\u{1F3FB}-\u{1F3FF}\u200d\ufe0f]/gu;
const BIDI_MARKS = /[\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

function words(textValue: string): string[] {
  return textValue.replace(EMOJI, ' ').replace(BIDI_MARKS, ' ').split(/[\s\p{P}]+/u).filter(Boolean);
}

describe.skipIf(!pdfToolsPresent)('PDF export of a conversation', () => {
  const list = messages(600);

  test('chat style: every message is extractable text, on numbered pages with an outline and metadata', async () => {
    const { ctx, warnings } = exportContext();
    const file = await render(ctx, list, 'chat');
    expect(warnings).toEqual([]);
    expect(qpdfCheck(file).ok).toBe(true);

    const extracted = pdfText(file);
    const extractedWords = new Set(words(extracted));
    const flat = squash(extracted.replace(BIDI_MARKS, ''));
    for (const m of list) {
      const body = (m.parts[0] as { text: string }).text;
      for (const word of words(body)) expect(extractedWords, `“${word}” of message ${m.rowId}`).toContain(word);
      // Left-to-right text comes out in its order, emoji included (drawn as pictures, carried as text).
      if (!/[\u0590-\u08ff]/.test(body)) expect(flat).toContain(squash(body));
    }

    const info = pdfInfo(file);
    const pages = Number(info.Pages);
    expect(pages).toBeGreaterThan(5);
    expect(info.Title).toBe('Family 👨‍👩‍👧');
    expect(info.Producer).toContain('textkeeper');
    expect(info.Keywords).toContain('Twemoji');
    expect(info['Page size']).toContain('letter');
    expect(pdfText(file, { first: 1, last: 1 })).toContain(`Page 1 of ${pages}`);
    expect(pdfText(file, { first: pages, last: pages })).toContain(`Page ${pages} of ${pages}`);
    expect(pdfText(file, { first: 2, last: 2 })).toContain('With Alice Martin (+15551230001), Bob (bob@example.com)');

    const outline = outlineTitles(file);
    expect(outline).toContain('2023');
    expect(outline).toContain('  November 2023');
    expect(outline).toContain('  December 2023');
    expect(outline).toContain('2024');
    expect(outline.indexOf('  January 2024')).toBeGreaterThan(outline.indexOf('2024'));
    // A year opens its page as a month does, not scrolled to the page's right edge.
    expect(new Set(outlineViews(file))).toEqual(new Set(['/Fit']));

    savePng(file, 'pdf-chat-first-page', 1);
    savePng(file, 'pdf-chat-page-3', 3);
  });

  test('transcript style on A4: a table with date, sender and message', async () => {
    const { ctx } = exportContext({ style: 'transcript', pageSize: 'a4' });
    const file = await render(ctx, list.slice(0, 120), 'transcript');
    expect(qpdfCheck(file).ok).toBe(true);
    expect(pdfInfo(file)['Page size']).toContain('A4');
    const first = pdfText(file, { first: 1, last: 1 });
    for (const heading of ['Date and time', 'Sender', 'Message', 'Attachments']) expect(first).toContain(heading);
    expect(first).toContain('2023-11-01');
    expect(first).toContain('08:00:00');
    const extracted = new Set(words(pdfText(file)));
    for (const m of list.slice(0, 120)) {
      for (const word of words((m.parts[0] as { text: string }).text)) expect(extracted).toContain(word);
    }
    savePng(file, 'pdf-transcript-first-page', 1);
  });

  test('a one-to-one chat shows no sender names, yet its text names the sender of each message; an empty one says so', async () => {
    const { ctx } = exportContext();
    const file = await render(ctx, list.slice(0, 6), 'one-to-one', false);
    const extracted = pdfText(file);
    expect(extracted).toMatch(/Alice Martin\n+Are we still on for dinner tonight\? #0\n/);
    expect(extracted).toMatch(/Me\n+Γειά σου, τι κάνεις σήμερα; #1\n/);
    expect(extracted).toMatch(/Bob\n+Привет! Как дела на работе\? #2\n/);
    // Each name is text not drawn (render mode 3); these messages have no emoji, whose text is drawn so too.
    expect(pageContents(file).join('').match(/ 3 Tr /g)).toHaveLength(6);

    const empty = await render(ctx, [], 'empty', false);
    expect(qpdfCheck(empty).ok).toBe(true);
    expect(pdfText(empty)).toContain('No messages in this conversation.');
    expect(pdfInfo(empty).Pages).toBe('1');
  });

  test('messages without a conversation show each sender, and leave no field empty in header or metadata', async () => {
    const { ctx } = exportContext({ style: 'chat', pageSize: 'letter', cover: true });
    const unknown = { handle: 'unknown', name: 'Unknown sender', isMe: false };
    const orphans = [message(unknown, new Date('2024-01-05T10:00:00Z'), [text('Whose message is this?')]), message(me, new Date('2024-01-05T10:01:00Z'), [text('Mine')])];
    const file = await renderPdf(ctx, orphans, 'orphans', { title: 'Messages without a conversation', participants: [], isGroup: false });
    const messagesPage = pdfText(file, { first: 2, last: 2 });
    expect(messagesPage).toMatch(/Unknown sender\s+Whose message is this\?/);
    expect(pdfText(file)).not.toContain('nobody');
    const subject = pdfInfo(file).Subject!;
    expect(subject).toMatch(/^Messages from test data \| Period: /);
    expect(subject).not.toMatch(/: \||\s{2}/);
  });

  test('replies, tapbacks, edits, unsent, effects, events and missing attachments are all spelled out', async () => {
    const { ctx } = exportContext();
    const at = (minutes: number) => new Date(Date.UTC(2024, 0, 5, 9, minutes));
    const original = message(alice, at(0), [text('Who is bringing the cake?')]);
    const list2: Message[] = [
      original,
      message(me, at(1), [{ ...text('I will 🎂'), tapbacks: [{ kind: 'love', emoji: '❤️', sender: alice, date: at(2) }] }], {
        replyTo: { guid: original.guid, partIndex: 0, target: { sender: alice, date: at(0), snippet: 'Who is bringing the cake?', rowId: original.rowId } },
        effect: 'Confetti',
      }),
      message(bob, at(3), [{ ...text('Tomorrow at noon'), edits: [{ text: 'Tomorrow at ten', date: at(3) }] }], { edited: true }),
      message(alice, at(4), [{ kind: 'unsent', index: 0, tapbacks: [], edits: [{ text: 'Ask Bob', date: at(4) }, { text: 'Ask Bob first', date: at(5) }] }]),
      message(bob, at(5), [], {
        kind: 'event',
        event: { type: 'renamed', actor: bob, name: 'Cake crew', description: 'Bob named the conversation “Cake crew”' },
      }),
      message(alice, at(6), [attachment({ fileName: 'IMG_0042.HEIC', missing: true, size: 2_300_000, mimeType: 'image/heic' })]),
      message(me, at(7), [attachment({ fileName: 'minutes.pdf', kind: 'file', path: '/nonexistent/minutes.pdf', size: 48_000, mimeType: 'application/pdf' })]),
    ];
    const file = await render(ctx, list2, 'features');
    const extracted = pdfText(file);
    for (const expected of [
      'In reply to Alice Martin: “Who is bringing the cake?”',
      'Confetti',
      'Earlier version (2024-01-05 09:03:00): Tomorrow at ten',
      'Edited',
      'Alice Martin unsent a message',
      'Before it was unsent (2024-01-05 09:04:00): Ask Bob',
      'Before it was unsent (2024-01-05 09:05:00): Ask Bob first',
      'Bob named the conversation “Cake crew”',
      'IMG_0042.HEIC',
      'Missing: the file is not on this computer',
      'minutes.pdf',
      'File · application/pdf · 47 KB',
      'Alice Martin',
    ]) {
      expect(extracted).toContain(expected);
    }
    savePng(file, 'pdf-features', 1);

    const { ctx: tableCtx } = exportContext({ style: 'transcript', pageSize: 'letter' });
    const table = squash(pdfText(await render(tableCtx, list2, 'features-table')));
    for (const expected of [
      'In reply to Alice Martin: “Who is bringing the cake?”',
      'Reactions: ❤️ Alice Martin',
      '(sent with Confetti)',
      'Earlier version (2024-01-05 09:03:00): Tomorrow at ten',
      '[Unsent message]',
      'Before it was unsent (2024-01-05 09:04:00): Ask Bob',
      'Before it was unsent (2024-01-05 09:05:00): Ask Bob first',
      'Bob named the conversation “Cake crew”',
      'Image · image/heic · 2.2 MB · missing',
      'File · application/pdf · 47 KB',
    ]) {
      expect(table).toContain(squash(expected));
    }
  });
});
