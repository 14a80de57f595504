// Issue #10 items 8 and 13: one enormous message renders in every format within the memory cap (split
// across bubbles and pages, combining marks capped with a note); a damaged link preview keeps its URL.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { pdfInfo, pdfText, pdfToolsPresent } from '../pdf/pdf-tools.js';
import { runCli, tempDir } from '../support/cli.js';
import { addMessage, expectNoPartials, makeBase, runCliAsync, spoiledCopy } from './support.js';

const WORDS = ['harbour', 'lantern', 'quietly', 'orchard', 'meridian'];

describe('one enormous message', () => {
  const dir = tempDir('long');
  let db = '';
  let chat = '';

  beforeAll(async () => {
    let text = '';
    for (let i = 0; text.length < 1_000_000; i++) text += `${WORDS[i % WORDS.length]} `;
    db = spoiledCopy(await makeBase(dir, 40), dir, 'long', (d) => {
      chat = addMessage(d, { text: `START ${text}FINISH` }, 'MILLION').chat;
      addMessage(d, { text: `a${'\u0301'.repeat(100_000)} after the marks` }, 'MARKS');
    });
  });

  it.skipIf(!pdfToolsPresent)('pdf: split across pages, marks capped with a note, no abort', async () => {
    const out = join(dir, 'out-pdf');
    const result = await runCliAsync(['export', '--db', db, '--out', out, '--format', 'pdf', '--chat', chat]);
    expect(result.code, result.stderr).toBe(0);
    expectNoPartials(out);
    const pdf = join(out, readdirSync(out).find((f) => f.endsWith('.pdf'))!);
    expect(Number(pdfInfo(pdf).Pages)).toBeGreaterThan(200);
    const text = pdfText(pdf).replace(/\s+/g, ' ');
    expect(text).toContain('START harbour lantern');
    expect(text).toMatch(/(harbour|lantern|quietly|orchard|meridian) FINISH/);
    expect(text).toContain('after the marks');
    expect(text).toMatch(/99,968 combining marks stacked beyond 32 on one character are left out of the PDF/);
  });

  it('txt and html: the whole text is there', async () => {
    for (const format of ['txt', 'html']) {
      const out = join(dir, `out-${format}`);
      const result = await runCliAsync(['export', '--db', db, '--out', out, '--format', format, '--chat', chat]);
      expect(result.code, result.stderr).toBe(0);
      expectNoPartials(out);
    }
    const txt = readdirSync(join(dir, 'out-txt')).filter((f) => f.endsWith('.txt')).map((f) => readFileSync(join(dir, 'out-txt', f), 'utf8')).join('');
    expect(txt).toMatch(/START harbour[^]*(harbour|lantern|quietly|orchard|meridian) FINISH/);
  });
});

describe('a damaged link preview', () => {
  it('keeps the URL from the intact text column', async () => {
    const dir = tempDir('preview');
    let chat = '';
    const db = spoiledCopy(await makeBase(dir, 40), dir, 'preview', (d) => {
      chat = addMessage(d, {
        text: 'https://example.org/kept-from-text',
        attributedBody: null,
        balloon_bundle_id: 'com.apple.messages.URLBalloonProvider',
        payload_data: Buffer.from('bplist00 this is not a real preview payload'),
      }, 'BROKEN-PREVIEW').chat;
    });
    const out = join(dir, 'out');
    const result = await runCli(['export', '--db', db, '--out', out, '--format', 'txt,html', '--chat', chat]);
    expect(result.code, result.stderr).toBe(0);
    const txt = readdirSync(out).filter((f) => f.endsWith('.txt')).map((f) => readFileSync(join(out, f), 'utf8')).join('');
    expect(txt).toContain('https://example.org/kept-from-text');
    expect(txt).toMatch(/unreadable .*balloon/);
    const pages = readdirSync(join(out, 'conversations'), { recursive: true }).map(String).filter((f) => f.endsWith('.html'));
    const html = pages.map((p) => readFileSync(join(out, 'conversations', p), 'utf8')).join('');
    expect(html).toContain('href="https://example.org/kept-from-text"');
  });
});
