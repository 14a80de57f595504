// Strikethrough and underline in PDFs: a word the sender struck through must not read as a plain one (HTML
// showed it, the PDF handed to someone else did not).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, test } from 'vitest';
import { fontChains } from '../../src/fonts/fonts.js';
import { encodeBody } from '../../src/generate/attributed-body.js';
import { TextLayout, type Run } from '../../src/render/pdf/text-layout.js';
import { addMessage, makeBase, spoiledCopy } from '../robust/support.js';
import { FIXTURES, runCli, tempDir } from '../support/cli.js';
import { pdfToolsPresent, plainPdf } from './pdf-tools.js';

const layout = new TextLayout(fontChains().regular, (_face, _size, text) => Array.from(text).length * 5);
const decorated = (runs: Run[]) => runs.filter((r) => r.strike || r.underline).map((r) => `${r.text}:${r.strike ? 's' : ''}${r.underline ? 'u' : ''}`);

test('marks decorate exactly their stretch, in any paragraph, across a wrapped line and beside emoji', () => {
  const text = 'keep this\nnot that one 👍 ok';
  const [first, second] = layout.lines(text, 10, 1000, [{ start: 5, end: 9, underline: true }, { start: 10, end: 13, strike: true }, { start: 23, end: 25, strike: true }]);
  expect(decorated(first!.runs)).toEqual(['this:u']);
  expect(decorated(second!.runs)).toEqual(['not:s', '👍:s']);
  const wrapped = layout.lines('aaaa bbbb cccc', 10, 50, [{ start: 2, end: 12, strike: true }]);
  expect(wrapped.map((line) => decorated(line.runs))).toEqual([['aa bbbb:s'], ['cc:s']]);
  expect(layout.lines('plain', 10, 1000)[0]!.runs.every((r) => !r.strike && !r.underline)).toBe(true);
});

const STYLES = join(FIXTURES, 'apple', 'typedstream', 'TextStyles');

describe.skipIf(!existsSync(STYLES) || !pdfToolsPresent)('the real TextStyles body (../shared/fixtures) in a PDF', () => {
  it('draws its underline and strikethrough in the chat and transcript styles', async () => {
    const dir = tempDir('text-marks');
    const base = await makeBase(dir, 30);
    const text = 'Bold underline italic strikethrough all four';
    let chat = '';
    const styled = spoiledCopy(base, dir, 'styled', (d) => {
      chat = addMessage(d, { text, attributedBody: readFileSync(STYLES) }, 'STYLED').chat;
    });
    const plain = spoiledCopy(base, dir, 'plain', (d) => {
      addMessage(d, { text, attributedBody: encodeBody([{ text, part: 0 }]).blob }, 'STYLED');
    });
    for (const style of ['chat', 'transcript']) {
      const strokes = async (db: string, label: string) => {
        const out = join(dir, `${label}-${style}`);
        const result = await runCli(['export', '--db', db, '--out', out, '--format', 'pdf', '--pdf-style', style, '--chat', chat, '--exact', '--quiet']);
        expect(result.code, result.stderr).toBe(0);
        const pdf = join(out, readdirSync(out).find((f) => f.endsWith('.pdf'))!);
        expect(execFileSync('pdftotext', [pdf, '-'], { encoding: 'utf8' })).toContain(text);
        const content = plainPdf(pdf);
        return content.match(/^[\d.-]+ [\d.-]+ l$/gm)?.length ?? 0;
      };
      // "underline", "strikethrough", and "four" (all four styles): four lines more than the same words unstyled.
      expect((await strokes(styled, 'styled')) - (await strokes(plain, 'plain')), style).toBe(4);
    }
  });
});
