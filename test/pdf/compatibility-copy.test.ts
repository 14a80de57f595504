// A letter no bundled font has, drawn as its compatibility form (𝖍 as h), copies and searches as the letter
// the sender typed: the real WeirdText body (../shared/fixtures) gave "hello world" to pdftotext.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { addMessage, makeBase, spoiledCopy } from '../robust/support.js';
import { FIXTURES, runCli, tempDir } from '../support/cli.js';
import { pdfToolsPresent } from './pdf-tools.js';

const WEIRD = join(FIXTURES, 'apple', 'typedstream', 'WeirdText');

describe.skipIf(!existsSync(WEIRD) || !pdfToolsPresent)('letters drawn in their compatibility form', () => {
  it('are extracted from the PDF as typed, in both styles', async () => {
    const dir = tempDir('compatibility-copy');
    let chat = '';
    const db = spoiledCopy(await makeBase(dir, 30), dir, 'weird', (d) => {
      chat = addMessage(d, { text: null, attributedBody: readFileSync(WEIRD) }, 'WEIRD').chat;
    });
    for (const style of ['chat', 'transcript']) {
      const out = join(dir, style);
      const result = await runCli(['export', '--db', db, '--out', out, '--format', 'pdf', '--pdf-style', style, '--chat', chat, '--exact', '--quiet']);
      expect(result.code, result.stderr).toBe(0);
      const text = execFileSync('pdftotext', [join(out, readdirSync(out).find((f) => f.endsWith('.pdf'))!), '-'], { encoding: 'utf8' });
      expect(text, style).toContain('𝖍𝖊𝖑𝖑𝖔 𝖜𝖔𝖗𝖑𝖉');
    }
  });
});
