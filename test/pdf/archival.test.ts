import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { generateChatDb } from '../../src/generate/index.js';
import { runCli, tempDir } from '../support/cli.js';
import { pdfCatalog, pdfFonts, pdfToolsPresent, pdfXmp, qpdfCheck } from './pdf-tools.js';

/** PDF/A-2b by default, a plain PDF with --pdf-standard none; checked with qpdf, pdffonts and the catalog. */
describe.skipIf(!pdfToolsPresent)('archival PDF (PDF/A-2b)', () => {
  const dir = tempDir('pdfa');
  const db = join(dir, 'chat.db');

  beforeAll(async () => {
    await generateChatDb({ path: db, messages: 120, seed: 5, conversations: 2 });
  });

  const pdfsOf = (out: string) => readdirSync(out).filter((f) => f.endsWith('.pdf')).map((f) => join(out, f));

  test('every PDF is sound, embeds all its fonts, names its language and identifies itself as PDF/A-2b with an sRGB output intent', async () => {
    const out = join(dir, 'pdfa');
    const result = await runCli(['export', '--db', db, '--out', out, '--format', 'pdf', '--no-progress']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const files = pdfsOf(out);
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      expect(qpdfCheck(file).ok, qpdfCheck(file).output).toBe(true);
      const fonts = pdfFonts(file);
      expect(fonts.length).toBeGreaterThan(0);
      expect(fonts.filter((f) => !f.embedded)).toEqual([]);
      const catalog = pdfCatalog(file);
      expect(catalog).toMatch(/\/Metadata \d+ 0 R/);
      expect(catalog).toMatch(/\/OutputIntents \[ \d+ 0 R \]/);
      expect(catalog, 'the document\'s language, for a screen reader').toMatch(/\/Lang \(en\)/);
      const xmp = pdfXmp(file);
      expect(xmp).toContain('<pdfaid:part>2</pdfaid:part>');
      expect(xmp).toContain('<pdfaid:conformance>B</pdfaid:conformance>');
    }
  });

  test('--pdf-standard none writes a plain PDF', async () => {
    const out = join(dir, 'plain');
    const result = await runCli(['export', '--db', db, '--out', out, '--format', 'pdf', '--no-progress', '--pdf-standard', 'none']);
    expect(result.code).toBe(0);
    for (const file of pdfsOf(out)) {
      expect(qpdfCheck(file).ok).toBe(true);
      expect(pdfCatalog(file)).not.toContain('/OutputIntents');
      expect(pdfXmp(file)).not.toContain('pdfaid');
    }
  });

  test('an unknown standard is one clear line', async () => {
    const result = await runCli(['export', '--db', db, '--out', join(dir, 'x'), '--format', 'pdf', '--pdf-standard', 'pdf-x']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('--pdf-standard');
  });
});
