import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { generateChatDb } from '../../src/generate/index.js';
import { runCli, tempDir } from '../support/cli.js';
import {
  allElements, linkAnnotations, pageContents, paintedIn, pdfCatalog, pdfInfo, pdfToolsPresent, qpdfCheck, savePng, structureText, structureTree,
} from './pdf-tools.js';

interface JsonMessage {
  replyTo?: unknown;
  text?: string;
  parts: { kind: string; tapbacks?: unknown[]; attachment?: { fileName: string; kind: string; path?: string } }[];
}

/** Tagged PDFs (accessible): a structure tree a screen reader follows, page furniture as artifacts. */
describe.skipIf(!pdfToolsPresent)('tagged PDF', () => {
  const dir = tempDir('tagged');
  const db = join(dir, 'chat.db');
  let messages: JsonMessage[] = [];

  beforeAll(async () => {
    await generateChatDb({ path: db, messages: 150, seed: 7, singleConversation: true, images: 10 });
    const out = join(dir, 'json');
    expect((await runCli(['export', '--db', db, '--out', out, '--format', 'json', '--no-progress'])).code).toBe(0);
    const file = readdirSync(out).find((f) => f.endsWith('.json'))!;
    messages = (JSON.parse(readFileSync(join(out, file), 'utf8')) as { messages: JsonMessage[] }).messages;
  });

  test('the conversation has what the structure must hold: images, reactions, replies, several days', () => {
    expect(messages.some((m) => m.replyTo)).toBe(true);
    expect(messages.some((m) => m.parts.some((p) => p.tapbacks?.length))).toBe(true);
    expect(messages.some((m) => m.parts.some((p) => p.attachment?.kind === 'image' && p.attachment.path))).toBe(true);
    expect(messages.some((m) => m.text?.includes('https://'))).toBe(true);
  });

  test.each(['chat', 'transcript'] as const)('%s: a Document of sections per day, a Div per message, figures with alternative text, headers and footers as artifacts', async (style) => {
    const out = join(dir, style);
    const result = await runCli(['export', '--db', db, '--out', out, '--format', 'pdf', '--pdf-style', style, '--no-progress']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const file = join(out, readdirSync(out).find((f) => f.endsWith('.pdf'))!);
    expect(qpdfCheck(file).ok, qpdfCheck(file).output).toBe(true);
    const info = pdfInfo(file);
    expect(info.Tagged).toBe('yes');
    expect(Number(info.Pages)).toBeGreaterThan(5);
    const catalog = pdfCatalog(file);
    expect(catalog).toMatch(/\/MarkInfo/);
    expect(catalog).toMatch(/\/Lang \(en\)/);
    expect(catalog).toMatch(/\/ViewerPreferences/);

    const tree = structureTree(file);
    expect(tree.map((e) => e.role)).toEqual(['Document']);
    const [document] = tree;
    const elements = allElements(tree);
    // The cover: its title a heading, its facts a table (below), its activity chart a figure.
    expect(document!.kids.filter((e) => e.role === 'H1')).toHaveLength(1);
    const sections = document!.kids.filter((e) => e.role === 'Sect');
    expect(sections.length).toBeGreaterThan(1);
    for (const section of sections) expect(section.kids[0]!.role).toBe('H2');
    const divs = elements.filter((e) => e.role === 'Div');
    expect(divs).toHaveLength(messages.length);
    for (const div of divs) {
      expect(div.kids.length).toBeGreaterThan(0);
      expect(div.kids.every((kid) => kid.role === 'P' || kid.role === 'Figure')).toBe(true);
    }
    const figures = elements.filter((e) => e.role === 'Figure');
    expect(figures.length).toBeGreaterThan(0);
    for (const figure of figures) expect(figure.alt, 'a figure says what it shows').toBeTruthy();
    if (style === 'chat') {
      // Each image drawn is a figure named as its file.
      const imageNames = messages.flatMap((m) => m.parts.flatMap((p) => (p.attachment?.kind === 'image' && p.attachment.path ? [p.attachment.fileName] : [])));
      expect(figures.filter((f) => imageNames.some((name) => f.alt!.includes(name))).length).toBeGreaterThan(0);
    }
    for (const element of elements) expect(element.contents + element.kids.length, `${element.role} holds something`).toBeGreaterThan(0);

    // Every painting operator is in an element's marked content or an artifact; the text of every page's header
    // (above its rule, 58 points from the top) and footer (below its rule, 40 from the bottom) is an artifact.
    const pages = pageContents(file);
    expect(pages).toHaveLength(Number(info.Pages));
    for (const [i, content] of pages.entries()) {
      const painted = paintedIn(content);
      expect(painted.filter((p) => p.mark === 'none'), `page ${i + 1}`).toEqual([]);
      const frame = painted.filter((p) => p.y !== undefined && (p.y < 58 || p.y > 752));
      expect(frame.length, `page ${i + 1}`).toBeGreaterThanOrEqual(4);
      expect(frame.filter((p) => p.mark !== 'Artifact'), `page ${i + 1}`).toEqual([]);
      expect(content, `page ${i + 1}`).toContain('/Artifact <<\n/Type /Pagination\n>> BDC');
      expect(painted.some((p) => p.mark === 'P'), `page ${i + 1}`).toBe(true);
      // A line's glyphs share one hex string, broken only by a kerning adjustment: never two strings side by side, nor an empty one.
      for (const array of content.match(/\[[^\]]*\] TJ/g) ?? []) expect(array, `page ${i + 1}`).not.toMatch(/>\s*<|<>/);
    }
    expect(pages.some((content) => /\[<[0-9a-f]{8,}> -?[\d.]+ <[0-9a-f]+/.test(content)), 'a kerned line').toBe(true);
    savePng(file, `pdf-tagged-${style}`, 2);
    // poppler takes seconds to print the structure: once for both.
    const text = structureText(file);
    expectCoverTable(text, messages.length);
    expectLinkElements(file, text);
  });

});

/** The cover's facts are a table, each label the header of its row (Scope Row) and its value the row's cell. */
function expectCoverTable(text: string, messageCount: number): void {
  const table = text.slice(text.indexOf('  Table'), text.indexOf('\n  Figure'));
  const rows = [...table.matchAll(/ {4}TR\n {6}TH:\n {9}\/Scope \/Row\n {8}"([^"]*)"\n {6}TD\n {8}"([^"]*)"/g)].map((m) => [m[1], m[2]]);
  expect(rows.length, table).toBe(table.match(/ TR\n/g)?.length);
  expect(rows.map(([label]) => label)).toEqual(['Participants', 'Me', 'Period', 'Messages', 'Attachments', 'Selection', 'Time zone', 'Exported', 'Source']);
  const value = (label: string) => rows.find(([l]) => l === label)![1];
  expect(value('Me')).toMatch(/^(?:\+15555550199|owner@example\.com)(?:, owner@example\.com)?$/);
  expect(value('Messages')).toBe(messageCount.toLocaleString('en-US'));
  expect(value('Selection')).toBe('All messages of this conversation');
  expect(value('Source')).toMatch(/^Mac Messages database.*chat\.dbSHA-256: [0-9a-f]{64}$/);
}

/**
 * Each link annotation sits in a Link element: its /StructParent maps it, through the parent tree, to a Link
 * whose kids hold an OBJR to it (on its page) and the link's text, which is part of the address in /Contents.
 */
function expectLinkElements(file: string, text: string): void {
  const annotations = linkAnnotations(file);
  expect(annotations.length).toBeGreaterThan(0);
  for (const annotation of annotations) {
    expect(annotation.structParent, annotation.object).toBeTypeOf('number');
    expect(annotation.contents, annotation.object).toMatch(/^https?:\/\//);
    expect(annotation.parent?.role, annotation.object).toBe('Link');
    expect(annotation.parent!.objects).toEqual([{ object: annotation.object, page: annotation.page }]);
    expect(annotation.parent!.contents).toBeGreaterThan(0);
  }
  const links = [...text.matchAll(/ Link \(inline\)\n +"([^"]+)"\n +Object (\d+) 0\n/g)];
  expect(links).toHaveLength(annotations.length);
  for (const [, text, object] of links) {
    const annotation = annotations.find((a) => a.object === `${object} 0 R`)!;
    expect(annotation.contents!.replace(/^https?:\/\//, ''), text).toContain(text!.replace(/^https?:\/\//, ''));
  }
}
