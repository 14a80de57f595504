import { describe, expect, test } from 'vitest';
import type { Part } from '../../src/model/types.js';
import { alice, exportContext, me, message, renderPdf, text } from './builders.js';
import { linkAnnotations, pdfToolsPresent, plainPdf, qpdfCheck, structureText } from './pdf-tools.js';

/** The targets of the file's URI link annotations (a bracket in a string is escaped). */
function uriLinks(file: string): string[] {
  return [...plainPdf(file).matchAll(/\/S \/URI\s*\/URI \(((?:\\.|[^\\)])*)\)/g)].map((m) => m[1]!.replace(/\\(.)/g, '$1'));
}

const preview: Part = {
  kind: 'app', index: 0, tapbacks: [], attachments: [],
  app: { type: 'link', title: 'Sunset timelapse', url: 'https://video.example.net/watch/98765', captions: [] },
};

describe.skipIf(!pdfToolsPresent)('links in PDFs', () => {
  test('every web address in a message and every link preview gets a URI link annotation', async () => {
    const { ctx, warnings } = exportContext();
    const day = new Date('2024-03-01T10:00:00Z');
    const list = [
      message(alice, day, [text('Look at https://example.com/photos?id=7, and www.example.org/about.')]),
      message(me, new Date(day.getTime() + 60_000), [text('Ein Link mitten im Satz: http://beispiel.de/straße ok')]),
      message(alice, new Date(day.getTime() + 120_000), [preview]),
    ];
    const file = await renderPdf(ctx, list, 'links');
    expect(warnings).toEqual([]);
    expect(qpdfCheck(file).ok).toBe(true);
    const links = uriLinks(file);
    for (const url of ['https://example.com/photos?id=7', 'https://www.example.org/about', 'http://beispiel.de/stra%C3%9Fe', 'https://video.example.net/watch/98765']) {
      expect(links, url).toContain(url);
    }
  });

  test('a closing bracket ends a web address only when the address did not open it', async () => {
    const { ctx } = exportContext();
    const list = [message(alice, new Date('2024-03-01T10:00:00Z'), [text('See https://en.wikipedia.org/wiki/Mercury_(planet) (or https://example.com/a).')])];
    const links = uriLinks(await renderPdf(ctx, list, 'bracket-link'));
    expect(new Set(links)).toEqual(new Set(['https://en.wikipedia.org/wiki/Mercury_(planet)', 'https://example.com/a']));
  });

  test('a web address wrapped over several lines is clickable on each line, and each part opens the whole address', async () => {
    const { ctx, warnings } = exportContext();
    const url = `https://www.example.org/news/2021/03/${'city-marathon-route-closures-and-detours-'.repeat(4)}final`;
    const list = [message(alice, new Date('2024-03-01T10:00:00Z'), [text(`Roads closed: ${url}. See you there`)])];
    const file = await renderPdf(ctx, list, 'wrapped-link');
    expect(warnings).toEqual([]);
    const links = uriLinks(file);
    expect(links.length).toBeGreaterThanOrEqual(2);
    expect(new Set(links)).toEqual(new Set([url]));
    // One Link element holds every line's text and annotation, in reading order: a screen reader reads one link.
    expect(qpdfCheck(file).ok).toBe(true);
    const annotations = linkAnnotations(file);
    expect(annotations).toHaveLength(links.length);
    const [first] = annotations;
    expect(first!.parent?.role).toBe('Link');
    expect(first!.parent!.objects).toEqual(annotations.map((a) => ({ object: a.object, page: a.page })));
    expect(first!.parent!.contents).toBe(annotations.length);
    const elements = structureText(file).match(/ Link \(inline\)\n/g) ?? [];
    expect(elements).toHaveLength(1);
  });
});
