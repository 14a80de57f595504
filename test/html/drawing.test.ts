import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DIGITAL_TOUCH_BALLOON, decodeBalloonReport, HANDWRITING_BALLOON } from '../../src/decode/payload.js';
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

const TOUCH = join(FIXTURES, 'apple', 'digital_touch_message');

describe.skipIf(!existsSync(TOUCH))('Digital Touch in HTML (real fixtures)', () => {
  it('is drawn inline as SVG on its black canvas: the sketch’s stroke in its color, symbols for the others', async () => {
    const kinds = ['sketch', 'tap', 'heartbeat', 'heartbreak', 'kiss', 'fireball'];
    const messages = kinds.map((name, i) => {
      const { balloon } = decodeBalloonReport(readFileSync(join(TOUCH, `${name}.bin`)), DIGITAL_TOUCH_BALLOON);
      return message(i + 1, { parts: [{ kind: 'app', index: 0, tapbacks: [], attachments: [], app: balloon }] });
    });
    const outDir = tempDir('touch');
    const renderer = new HtmlRenderer();
    await renderer.start(exportContext(outDir, 'none'));
    const conv = conversation({ messageCount: messages.length, firstDate: messages[0]!.date, lastDate: messages.at(-1)!.date });
    const rendered = await renderer.renderConversation(conv, () => messages, 'Alice');
    await renderer.finishShard();
    await renderer.finish([{ ...rendered, sequence: 0 }]);
    const page = readFileSync(join(outDir, 'conversations/Alice/p1.html'), 'utf8');
    const svgs = [...page.matchAll(/<svg class="drawing"[^>]*aria-label="([^"]*)"[\s\S]*?<\/svg>/g)];
    expect(svgs.map((m) => m[1])).toEqual(kinds.map((k) => `Digital Touch: ${k === 'heartbreak' ? 'broken heart' : k}`));
    for (const [svg] of svgs) expect(svg).toContain('<rect width="320" height="400" fill="#000000"');
    const sketch = polylines(svgs[0]![0]);
    expect(sketch).toHaveLength(1);
    expect(sketch[0]!.split(' ')).toHaveLength(81 + 1 + 1); // 81 points, the repeated last point, the width
    expect(svgs[0]![0]).toContain('stroke="#ff00fc"');
    expect(svgs[2]![0]).toMatch(/<polygon points="[^"]+" fill="#ff2d55"/);
    expect(page).toContain('84 BPM');
    expect(page).toContain('broke after 1.7 s');
  });
});
