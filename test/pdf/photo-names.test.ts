// A photo on paper is named under it, as the text file names it: a recipient finds its file among the archive's.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ROOT, runCli, tempDir } from '../support/cli.js';
import { pdfText, pdfToolsPresent, savePng } from './pdf-tools.js';

describe.skipIf(!pdfToolsPresent)('photos in a PDF', () => {
  test('each photo drawn has its file name under it, as many times as the text file names photos copied into the archive', async () => {
    const out = tempDir('photo-names');
    const sample = join(ROOT, 'sample-data');
    const result = await runCli(['export', '--db', join(sample, 'chat.db'), '--contacts', join(sample, 'contacts.vcf'), '--chat', 'Mom', '--out', out,
      '--format', 'pdf,txt', '--no-progress', '--since', '2020-01-01', '--until', '2020-06-30']);
    expect(result.code).toBe(0);
    const copied = [...readFileSync(join(out, 'Mom.txt'), 'utf8').matchAll(/\[Attachment: (\S+) \(image\/[^)]*\) — in this archive as /g)].map((m) => m[1]!);
    expect(copied.length).toBeGreaterThan(1);
    const lines = pdfText(join(out, 'Mom.pdf')).split('\n');
    for (const name of new Set(copied)) expect(lines.filter((line) => line === name)).toHaveLength(copied.filter((n) => n === name).length);
    savePng(join(out, 'Mom.pdf'), 'pdf-photo-name', 2);
  });
});
