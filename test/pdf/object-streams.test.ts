import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { generateChatDb } from '../../src/generate/index.js';
import { runCli, tempDir } from '../support/cli.js';
import { pdfCatalog, pdfObject, pdfToolsPresent, pdfXmp, qpdfCheck } from './pdf-tools.js';

/** Each object's place as qpdf reads the cross-references: in an object stream or at an offset of its own. */
function placesOf(file: string): Map<number, 'compressed' | 'uncompressed'> {
  const lines = execFileSync('qpdf', ['--show-xref', file], { encoding: 'utf8', maxBuffer: 1 << 26 }).trim().split('\n');
  return new Map(lines.map((line) => {
    const [, id, place] = /^(\d+)\/0: (compressed|uncompressed);/.exec(line)!;
    return [Number(id), place as 'compressed' | 'uncompressed'];
  }));
}

/** The numbers of the file's stream objects. */
function streamsOf(file: string): Set<number> {
  const json = JSON.parse(execFileSync('qpdf', ['--json', '--json-key=qpdf', file], { encoding: 'utf8', maxBuffer: 1 << 28 })) as {
    qpdf: [unknown, Record<string, { stream?: unknown }>];
  };
  const ids = Object.entries(json.qpdf[1]).filter(([key, object]) => key.startsWith('obj:') && object.stream !== undefined);
  return new Set(ids.map(([key]) => Number(/^obj:(\d+) /.exec(key)![1])));
}

/** Tagged PDFs pack every object that is not a stream into compressed object streams and end with a cross-reference stream. */
describe.skipIf(!pdfToolsPresent)('PDF object streams', () => {
  const dir = tempDir('objstm');
  const db = join(dir, 'chat.db');
  let files: string[];

  beforeAll(async () => {
    await generateChatDb({ path: db, messages: 300, seed: 11, conversations: 2 });
    const out = join(dir, 'out');
    const result = await runCli(['export', '--db', db, '--out', out, '--format', 'pdf', '--no-progress']);
    expect(result.code, result.stderr).toBe(0);
    files = readdirSync(out).filter((f) => f.endsWith('.pdf')).map((f) => join(out, f));
  });

  test('every object but the streams sits in an object stream, the file ends with a cross-reference stream, and qpdf finds no error', () => {
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      expect(qpdfCheck(file).ok, qpdfCheck(file).output).toBe(true);
      expect(pdfObject(file, 'trailer')).toMatch(/\/Type \/XRef\b/);
      const places = placesOf(file);
      const streams = streamsOf(file);
      const uncompressed = [...places].filter(([, place]) => place === 'uncompressed').map(([id]) => id);
      // The information dictionary stays plain: a later run knows the PDF as textkeeper's by its Producer.
      const info = Number(/\/Info (\d+) 0 R/.exec(pdfObject(file, 'trailer'))![1]);
      const ofInfo = new Set([info, ...[...pdfObject(file, info).matchAll(/ (\d+) 0 R/g)].map((m) => Number(m[1]))]);
      expect(uncompressed.every((id) => streams.has(id) || ofInfo.has(id)), 'only streams and the information dictionary stand outside object streams').toBe(true);
      expect([...ofInfo].every((id) => places.get(id) === 'uncompressed')).toBe(true);
      expect(readFileSync(file).includes('(textkeeper \\(pdfkit\\))')).toBe(true);
      const packed = [...places.values()].filter((place) => place === 'compressed').length;
      // A struct element per paragraph, link and cell: most of the file's objects.
      expect(packed).toBeGreaterThan(uncompressed.length);
      const root = Number(/\/Root (\d+) 0 R/.exec(pdfObject(file, 'trailer'))![1]);
      expect(places.get(root)).toBe('compressed');
      // PDF/A's XMP metadata stays a stream of its own, not compressed.
      const metadata = Number(/\/Metadata (\d+) 0 R/.exec(pdfCatalog(file))![1]);
      expect(places.get(metadata)).toBe('uncompressed');
      expect(pdfObject(file, metadata)).not.toMatch(/\/Filter/);
      expect(pdfXmp(file)).toContain('<pdfaid:part>2</pdfaid:part>');
    }
  });
});
