import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../support/cli.js';
import { pdfToolsPresent } from '../pdf/pdf-tools.js';
import { makeBase, spoiledCopy } from './support.js';

describe('a group named with control characters (anyone in it can rename it)', () => {
  it('HTML titles and the PDF metadata show them as pictures, and the XMP stays well-formed XML', async () => {
    const dir = tempDir('control-names');
    let chat = '';
    const db = spoiledCopy(await makeBase(dir), dir, 'named', (d) => {
      chat = d.prepare("SELECT chat_identifier FROM chat WHERE chat_identifier LIKE 'chat%' ORDER BY ROWID LIMIT 1").pluck().get() as string;
      d.prepare('UPDATE chat SET display_name = ? WHERE chat_identifier = ?').run('Book\u0008club \u001b[31mred\u0007\ufffe', chat);
    });
    const out = join(dir, 'out');
    const result = await runCli(['export', '--db', db, '--out', out, '--format', 'html,pdf', '--chat', chat, '--no-progress']);
    expect(result.code, result.stderr).toBe(0);
    const pages = readdirSync(join(out, 'conversations'), { recursive: true }).map(String).filter((f) => f.endsWith('.html'));
    const html = [readFileSync(join(out, 'index.html'), 'utf8'), ...pages.map((p) => readFileSync(join(out, 'conversations', p), 'utf8'))].join('');
    expect(html).toContain('<h1>Book␈club ␛[31mred␇\ufffe</h1>');
    expect(html).toContain('<title>Book␈club ␛[31mred␇\ufffe</title>');
    expect(html).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/);
    if (!pdfToolsPresent) return;
    const pdf = join(out, readdirSync(out).find((f) => f.endsWith('.pdf'))!);
    const xmp = execFileSync('pdfinfo', ['-meta', pdf], { encoding: 'utf8' });
    expect(xmp).toContain('Book␈club ␛[31mred␇\ufffd');
    expect(xmp).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ufffe]/);
    expect(execFileSync('pdfinfo', [pdf], { encoding: 'utf8' })).toMatch(/^Title: +Book␈club ␛\[31mred␇/m);
  });
});
