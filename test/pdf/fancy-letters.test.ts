// "Fancy" letters (Mathematical Alphanumeric Symbols, as in the real WeirdText body in ../shared/fixtures) are drawn
// in their own glyphs (Noto Sans Math) and copy and search as the letters the sender typed: none is left out as �.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { addMessage, makeBase, spoiledCopy } from '../robust/support.js';
import { FIXTURES, runCli, tempDir } from '../support/cli.js';
import { pdfToolsPresent } from './pdf-tools.js';

const WEIRD = join(FIXTURES, 'apple', 'typedstream', 'WeirdText');

describe.skipIf(!existsSync(WEIRD) || !pdfToolsPresent)('fancy letters', () => {
  it('are drawn as sent and extracted from the PDF as typed, in both styles', async () => {
    const dir = tempDir('compatibility-copy');
    let chat = '';
    const db = spoiledCopy(await makeBase(dir, 30), dir, 'weird', (d) => {
      chat = addMessage(d, { text: null, attributedBody: readFileSync(WEIRD) }, 'WEIRD').chat;
    });
    for (const style of ['chat', 'transcript']) {
      const out = join(dir, style);
      const result = await runCli(['export', '--db', db, '--out', out, '--format', 'pdf', '--pdf-style', style, '--chat', chat, '--exact', '--quiet']);
      expect(result.code, result.stderr).toBe(0);
      const file = join(out, readdirSync(out).find((f) => f.endsWith('.pdf'))!);
      const text = execFileSync('pdftotext', [file, '-'], { encoding: 'utf8' });
      expect(text, style).toContain('𝖍𝖊𝖑𝖑𝖔 𝖜𝖔𝖗𝖑𝖉');
      expect(result.stderr, style).not.toContain('no glyph');
      expect(execFileSync('pdffonts', [file], { encoding: 'utf8' }), style).toContain('NotoSansMath');
    }
  });
});
