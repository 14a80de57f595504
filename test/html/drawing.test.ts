import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeBalloonReport, HANDWRITING_BALLOON } from '../../src/decode/payload.js';
import { HtmlRenderer } from '../../src/render/html/html-renderer.js';
import { conversation, exportContext, FIXTURES, message, tempDir } from './support.js';

const FOLDER = join(FIXTURES, 'apple', 'handwritten_message');
const polylines = (html: string) => [...html.matchAll(/<polyline[^>]*points="([^"]*)"[^>]*stroke-width="([^"]*)"/g)].map((m) => `${m[1]} @${m[2]}`);

describe.skipIf(!existsSync(FOLDER))('handwritten messages in HTML', () => {
  it('are drawn inline as SVG with the same strokes as the reference rendering', async () => {
    const { balloon } = decodeBalloonReport(readFileSync(join(FOLDER, 'handwriting.bin')), HANDWRITING_BALLOON);
    const outDir = tempDir('drawing');
    const ctx = exportContext(outDir, 'none');
    const renderer = new HtmlRenderer();
    await renderer.start(ctx);
    const messages = [message(1, { parts: [{ kind: 'app', index: 0, tapbacks: [], attachments: [], app: balloon }] })];
    const conv = conversation({ messageCount: 1, firstDate: messages[0]!.date, lastDate: messages[0]!.date });
    const rendered = await renderer.renderConversation(conv, () => messages, 'Alice');
    await renderer.finishShard();
    await renderer.finish([{ ...rendered, sequence: 0 }]);
    const page = readFileSync(join(outDir, 'conversations/Alice/p1.html'), 'utf8');
    expect(page).toContain('<svg class="drawing"');
    const reference = readFileSync(join(FOLDER, 'handwriting.svg'), 'utf8');
    expect(polylines(page)).toEqual(polylines(reference));
    expect(polylines(page).length).toBeGreaterThan(10);
  });
});
