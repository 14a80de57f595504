import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Message, Person } from '../../src/model/types.js';
import { HtmlRenderer } from '../../src/render/html/html-renderer.js';
import { ALICE, BOB, ME, anchorOf, attachmentPart, conversation, message, renderOne, tempDir, textPart } from './support.js';

describe('HTML conversation pages', () => {
  it('abandons cleanly when it was never started (a run failing before HTML began must show its own error)', async () => {
    await expect(new HtmlRenderer().abandon()).resolves.toBeUndefined();
  });

  it('escapes hostile text, names and file names everywhere', async () => {
    const evil = '<script>alert(1)</script><img src=x onerror="alert(2)">';
    const mallory = { handle: 'x', name: `Mal"><script>alert(3)</script>`, isMe: false };
    const messages = [
      message(1, { parts: [textPart(evil)], subject: evil }),
      message(2, { sender: mallory, isFromMe: false, parts: [attachmentPart({ fileName: `"><script>alert(4)</script>.jpg` })] }),
      message(4, { parts: [{ kind: 'text', index: 0, text: 'click', tapbacks: [], spans: [{ start: 0, end: 5, link: 'javascript:alert(5)' }] }] }),
    ];
    const { outDir, page } = await renderOne(messages, { title: evil, isGroup: true, groupName: evil, participants: [mallory] });
    const html = page(1);
    const index = readFileSync(join(outDir, 'index.html'), 'utf8');
    for (const text of [html, index]) {
      expect(text).not.toMatch(/<script>alert/);
      expect(text).not.toMatch(/<img src=x/);
      expect(text).not.toContain('javascript:');
    }
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('Mal&quot;&gt;&lt;script&gt;alert(3)');
    expect(html).toContain('&quot;&gt;&lt;script&gt;alert(4)&lt;/script&gt;.jpg — not on this computer');
    expect(html).toContain("default-src 'none'");
    // The search index is JSON inside a script file: the text is data, not code.
    const chunk = readFileSync(join(outDir, 'search/chunk-1.js'), 'utf8');
    const rows = JSON.parse(chunk.slice(chunk.indexOf('['), chunk.lastIndexOf(']') + 1));
    expect(rows[0][5]).toContain(evil);
  });

  it('lays out sent and received bubbles, group senders, day separators, replies, tapbacks, edits and effects', async () => {
    const base = Date.parse('2024-03-01T22:30:00Z'); // 23:30 in Berlin; the third message is on the next local day
    const messages: Message[] = [
      message(1, { date: new Date(base), sender: ALICE, isFromMe: false }),
      message(2, {
        date: new Date(base + 10 * 60_000),
        sender: ME,
        isFromMe: true,
        service: 'SMS',
        effect: 'Slam',
        dateRead: new Date(base + 12 * 60_000),
        edited: true,
        parts: [{ ...textPart('Edited text'), kind: 'text', edits: [{ text: 'first try', date: new Date(base + 9 * 60_000) }] } as never],
      }),
      message(3, {
        date: new Date(base + 40 * 60_000),
        sender: BOB,
        isFromMe: false,
        replyTo: { guid: 'guid-1', partIndex: 0, target: { sender: ALICE, date: new Date(base), snippet: 'Message number 1', rowId: 1 } },
        parts: [{ ...textPart('Reply with love'), tapbacks: [
          { kind: 'love', emoji: '❤️', sender: ALICE, date: new Date(base + 41 * 60_000) },
          { kind: 'like', emoji: '👍', sender: ME, date: new Date(base + 42 * 60_000) },
        ] }],
      }),
      message(4, { kind: 'event', sender: BOB, isFromMe: false, parts: [], date: new Date(base + 50 * 60_000),
        event: { type: 'renamed', actor: BOB, name: 'Trip', description: 'Bob named the conversation “Trip”' } }),
      message(5, { date: new Date(base + 60 * 60_000), sender: ME, isFromMe: true, parts: [{ kind: 'unsent', index: 0, tapbacks: [] }] }),
    ];
    const { page } = await renderOne(messages, { isGroup: true, participants: [ALICE, BOB] });
    const html = page(1);
    expect(html).toContain(`<li class="msg in imessage" id="${anchorOf(messages[0]!)}"><div class="sender"><bdi>Alice</bdi></div>`);
    expect(html).toContain(`<li class="msg out sms" id="${anchorOf(messages[1]!)}">`);
    expect(html).toContain('id="d-2024-03-01"><span>Friday, 1 March 2024</span>');
    expect(html).toContain('id="d-2024-03-02"><span>Saturday, 2 March 2024</span>');
    expect(html).toMatch(/Sent with Slam · Read 23:42/);
    expect(html).toContain('<summary>Earlier versions (1)</summary><ol><li><span class="when">2024-03-01 23:39:00</span> first try</li></ol>');
    expect(html).toContain(`<a class="reply" href="p1.html#${anchorOf(messages[0]!)}" dir="auto"><span class="unseen" dir="ltr">Reply to</span> <bdi class="who">Alice</bdi> Message number 1</a>`);
    expect(html).toContain('<span class="tapback" tabindex="0" title="Alice loved this · 2024-03-02 00:11:00"><span aria-hidden="true">❤️<bdi class="who">Alice</bdi></span><span class="unseen">Alice loved this · 2024-03-02 00:11:00</span></span>');
    // The owner's reaction is said as events say the owner's doings: "You".
    expect(html).toContain('title="You liked this · 2024-03-02 00:12:00"><span aria-hidden="true">👍<bdi class="who">Me</bdi></span><span class="unseen">You liked this · 2024-03-02 00:12:00</span>');
    expect(html).toContain('<div class="sender"><bdi>Bob</bdi></div>');
    expect(html).toContain(`<li class="event" id="${anchorOf(messages[3]!)}"><span title="2024-03-02 00:20:00"><bdi>Bob</bdi> named the conversation “<bdi>Trip</bdi>” · 00:20</span></li>`);
    expect(html).toContain('You unsent a message');
  });

  it('notes that a voice message (.caf) whose format cannot be read is for VLC, and keeps its download link', async () => {
    const dir = tempDir('caf');
    const audio = (fileName: string) => {
      writeFileSync(join(dir, fileName), 'caff');
      return attachmentPart({ fileName, path: join(dir, fileName), kind: 'audio', size: 4 });
    };
    const messages = [message(1, { parts: [audio('Audio Message.caf')], isAudioMessage: true }), message(2, { parts: [audio('song.mp3')] })];
    const html = (await renderOne(messages, {}, undefined, 'copy')).page(1);
    expect(html).toMatch(/<audio [^>]*title="Audio message" [^>]*Audio%20Message\.caf"><\/audio><a class="file" href="[^"]*Audio%20Message\.caf" download>Audio message<\/a> \(4 B\)<div class="audio-note">Apple voice message \(\.caf\): download it and open it in VLC\.<\/div>/);
    expect(html.match(/class="audio-note"/g)).toHaveLength(1);
  });

  it('names the owner "You" under the default name and by the --me name otherwise, in events and unsent lines alike', async () => {
    const sam: Person = { handle: 'me', name: 'Sam', isMe: true };
    const messages: Message[] = [
      message(1, { kind: 'event', sender: ME, isFromMe: true, parts: [],
        event: { type: 'renamed', actor: ME, name: 'Memo', description: 'You named the conversation “Memo”.' } }),
      message(2, { sender: ME, isFromMe: true, parts: [{ kind: 'unsent', index: 0, tapbacks: [] }] }),
      message(3, { kind: 'event', sender: sam, isFromMe: true, parts: [],
        event: { type: 'renamed', actor: sam, name: 'Trip', description: 'Sam named the conversation “Trip”.' } }),
      message(4, { sender: sam, isFromMe: true, parts: [{ kind: 'unsent', index: 0, tapbacks: [] }] }),
    ];
    const { page, outDir } = await renderOne(messages, { isGroup: true, participants: [ALICE, BOB] });
    const html = page(1);
    expect(html).toContain('>You named the conversation “<bdi>Memo</bdi>”. · ');
    expect(html).toContain('You unsent a message');
    expect(html).toContain('><bdi>Sam</bdi> named the conversation “<bdi>Trip</bdi>”. · ');
    expect(html).toContain('<bdi>Sam</bdi> unsent a message');
    const chunk = readFileSync(join(outDir, 'search/chunk-1.js'), 'utf8');
    const rows = JSON.parse(chunk.slice(chunk.indexOf('['), chunk.lastIndexOf(']') + 1)) as string[][];
    expect(rows.map((row) => [row[4], row[5]])).toEqual([['Me', 'You named the conversation “Memo”.'], ['Sam', 'Sam named the conversation “Trip”.']]);
  });

  it('isolates right-to-left names from the punctuation and time around them', async () => {
    const dana: Person = { handle: 'd', name: 'דנה', isMe: false };
    const messages: Message[] = [
      message(1, { kind: 'event', sender: dana, isFromMe: false, parts: [],
        event: { type: 'renamed', actor: dana, name: 'צוות עבודה', description: 'דנה named the conversation “צוות עבודה”.' } }),
      message(2, { sender: dana, isFromMe: false }),
    ];
    const { page, outDir } = await renderOne(messages, { isGroup: true, groupName: 'צוות', participants: [dana, ALICE] });
    expect(page(1)).toContain('<span title="2024-03-01 09:01:00"><bdi>דנה</bdi> named the conversation “<bdi>צוות עבודה</bdi>”. · 09:01</span>');
    expect(page(1)).toContain('<div class="sender"><bdi>דנה</bdi></div>');
    expect(page(1)).toContain('<p class="participants"><bdi>דנה</bdi> (d), <bdi>Alice</bdi> (+15551230001)</p>');
    expect(readFileSync(join(outDir, 'index.html'), 'utf8')).toContain('<span class="participants"><bdi>דנה</bdi>, <bdi>Alice</bdi></span>');
  });

  it('names an unknown sender in a conversation with one person, as the text export does', async () => {
    const unknown: Person = { handle: 'unknown', name: 'Unknown sender', isMe: false };
    const messages = [message(1, { sender: ALICE, isFromMe: false }), message(2, { sender: unknown, isFromMe: false })];
    const html = (await renderOne(messages, { participants: [ALICE] })).page(1);
    expect(html.match(/class="sender"/g)).toHaveLength(1);
    expect(html).toContain(`<li class="msg in imessage" id="${anchorOf(messages[1]!)}"><div class="sender"><bdi>Unknown sender</bdi></div>`);
  });

  it('renders links, mentions and styles from spans', async () => {
    const text = 'Hi Dad see https://example.com/a?b=1&c=2 now';
    const link = 'https://example.com/a?b=1&c=2';
    const start = text.indexOf('https');
    const messages = [message(1, { parts: [{ kind: 'text', index: 0, text, tapbacks: [], spans: [
      { start: 3, end: 6, mention: 'dad@example.com', styles: ['bold'] },
      { start, end: start + link.length, link },
    ] }] })];
    const html = (await renderOne(messages)).page(1);
    expect(html).toContain('Hi <span class="mention" title="dad@example.com"><b>Dad</b></span> see <a href="https://example.com/a?b=1&amp;c=2" rel="noopener noreferrer">https://example.com/a?b=1&amp;c=2</a> now');
  });

  it('splits a long thread into linked pages and links replies across pages', async () => {
    const messages = Array.from({ length: 2500 }, (_, i) => message(i + 1));
    const replyTo = (n: number, date = messages[n - 1]!.date) => ({ guid: `guid-${n}`, partIndex: 0, target: { sender: ALICE, date, snippet: `number ${n}`, rowId: n } });
    messages[2400] = message(2401, { replyTo: replyTo(5) });
    // The first and last messages of page 2, a message that is not on the pages (before the first) and a later one.
    messages[2401] = message(2402, { replyTo: replyTo(1001) });
    messages[2402] = message(2403, { replyTo: replyTo(2000) });
    messages[2403] = message(2404, { replyTo: replyTo(0, new Date(messages[0]!.date.getTime() - 60_000)) });
    messages[2404] = message(2405, { replyTo: replyTo(2406) });
    const { outDir, page, rendered } = await renderOne(messages, {}, { messages: 1000, bytes: 900_000 });
    expect(rendered.file).toBe('conversations/Alice/p1.html');
    expect(existsSync(join(outDir, 'conversations/Alice/p4.html'))).toBe(false);
    expect(page(1)).toContain('<a class="next" rel="next" href="p2.html">');
    expect(page(1)).not.toContain('rel="prev"');
    expect(page(3)).toContain('<a class="prev" rel="prev" href="p2.html">');
    expect(page(3)).not.toContain('rel="next"');
    expect(page(3)).toContain(`href="p1.html#${anchorOf(messages[4]!)}"`);
    expect(page(3)).toContain(`href="p2.html#${anchorOf(messages[1000]!)}"`);
    expect(page(3)).toContain(`href="p2.html#${anchorOf(messages[1999]!)}"`);
    expect(page(3)).toContain('<div class="reply" dir="auto"><span class="unseen" dir="ltr">Reply to</span> <bdi class="who">Alice</bdi> number 0</div>');
    expect(page(3)).toContain('<div class="reply" dir="auto"><span class="unseen" dir="ltr">Reply to</span> <bdi class="who">Alice</bdi> number 2406</div>');
    expect(page(2).match(/class="msg /g)).toHaveLength(1000);
    // Pages 2 and 3 begin inside the day the page before ended in (Berlin time: 1 and 2 March 2024).
    expect(page(1)).not.toContain('(continued)');
    expect(page(2)).toContain('<h2 class="day" id="d-2024-03-02"><span>Saturday, 2 March 2024 (continued)</span></h2>');
    expect(page(3).match(/<h2 class="day"[^]*?<\/h2>/)![0]).toContain('2 March 2024 (continued)');
    expect(page(1)).toContain('<title>Alice — page 1</title>');
    expect(page(3)).toContain('<title>Alice — page 3</title>');
    const pagesJs = readFileSync(join(outDir, 'conversations/Alice/pages.js'), 'utf8');
    const pages = JSON.parse(pagesJs.slice(pagesJs.indexOf('['), pagesJs.lastIndexOf(']') + 1));
    expect(pages.map((p: { count: number }) => p.count)).toEqual([1000, 1000, 500]);
    expect(pages[0].first).toBe('2024-03-01');
    for (let n = 1; n <= 3; n++) expect(Buffer.byteLength(page(n))).toBeLessThan(1_000_000);
  });

  it('keeps pages under the byte limit even with very long messages', async () => {
    const long = 'x'.repeat(50_000);
    const messages = Array.from({ length: 100 }, (_, i) => message(i + 1, { parts: [textPart(long)] }));
    const { page, outDir } = await renderOne(messages);
    expect(existsSync(join(outDir, 'conversations/Alice/p6.html'))).toBe(true);
    for (let n = 1; n <= 6; n++) expect(Buffer.byteLength(page(n))).toBeLessThan(1_000_000);
  });

  it('writes an index with counts, preview, date range and a search page', async () => {
    const messages = [message(1), message(2, { parts: [textPart('Last words'), attachmentPart({ fileName: 'a.jpg' }, 1)] })];
    const { outDir } = await renderOne(messages);
    const index = readFileSync(join(outDir, 'index.html'), 'utf8');
    expect(index).toContain('<a href="conversations/Alice/p1.html">');
    expect(index).toContain('<span class="preview" dir="auto">Last words a.jpg</span>');
    expect(index).toContain('2 messages · 1 photo · <span class="dates">2024-03-01</span>');
    expect(existsSync(join(outDir, 'search.html'))).toBe(true);
    expect(existsSync(join(outDir, 'assets/style.css'))).toBe(true);
    const manifest = readFileSync(join(outDir, 'search/manifest.js'), 'utf8');
    expect(manifest).toContain('"entries":2');
    expect(manifest).toContain('"folder":"conversations/Alice"');
  });

  it('previews a sticker by what it shows, not by its file name (a UUID)', async () => {
    const sticker = attachmentPart({ fileName: '289D9E83-33EE-4158-9A3A-0C1E6D2F4B11.heic', isSticker: true, description: 'a waving cat' }, 1);
    const { outDir } = await renderOne([message(1, { parts: [textPart('come over'), sticker] })]);
    expect(readFileSync(join(outDir, 'index.html'), 'utf8')).toContain('<span class="preview" dir="auto">come over a waving cat</span>');
  });

  it('previews an edited message by its text as it is now, and finds it by its earlier versions too', async () => {
    const edited = { ...textPart('Call me when you get a chance'), edits: [{ text: 'Call me when you get a chanc', date: new Date(Date.UTC(2024, 2, 1, 12)) }] };
    const { outDir } = await renderOne([message(1), message(2, { parts: [edited] })]);
    expect(readFileSync(join(outDir, 'index.html'), 'utf8')).toContain('<span class="preview" dir="auto">Call me when you get a chance</span>');
    expect(readFileSync(join(outDir, 'search/chunk-1.js'), 'utf8')).toContain('"Call me when you get a chance","Call me when you get a chanc"]');
  });
});
