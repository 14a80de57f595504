// A handwritten message in a text export: its drawing in `*`, as a terminal shows it, not only its name.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { handwritingLines } from '../../src/decode/handwriting-render.js';
import { decodeHandwriting } from '../../src/decode/handwriting.js';
import { addMessage, exportChat, smallChat } from '../robust/support.js';
import { FIXTURES } from '../support/cli.js';

const FOLDER = join(FIXTURES, 'apple', 'handwritten_message');
const BALLOON = 'com.apple.Handwriting.HandwritingProvider';

/** The fixture's 20-row ASCII render as the text export indents it: trailing spaces and empty rows dropped. */
function expectedArt(): string[] {
  const rows = readFileSync(join(FOLDER, 'handwriting_half.ascii'), 'utf8').split('\n').map((row) => row.trimEnd());
  while (rows.at(-1) === '') rows.pop();
  return rows.slice(rows.findIndex((row) => row !== '')).map((row) => `  ${row}`);
}

describe.skipIf(!existsSync(FOLDER))('handwritten messages in txt', () => {
  it('draws the real handwriting fixture in 20 rows under its name, within 80 columns', async () => {
    const { dir, db, chat } = await smallChat('handwriting-txt', (d) => {
      const payload = readFileSync(join(FOLDER, 'handwriting.bin'));
      addMessage(d, { text: '\uFFFC', attributedBody: null, balloon_bundle_id: BALLOON, payload_data: payload }, 'HANDWRITTEN');
    });
    const out = join(dir, 'out');
    await exportChat(db, chat, out, 'txt');
    const [file] = readdirSync(out).filter((f) => f.endsWith('.txt'));
    const lines = readFileSync(join(out, file!), 'utf8').split('\n');
    const at = lines.indexOf('[Handwritten message]');
    expect(at, 'the balloon line').toBeGreaterThan(0);
    const art = expectedArt();
    expect(art).toHaveLength(20);
    expect(lines.slice(at + 1, at + 1 + art.length)).toEqual(art);
    expect(lines[at + 1 + art.length]).toBe('');
    expect(Math.max(...art.map((row) => row.length))).toBeLessThanOrEqual(80);
  });

  it('keeps a drawing far wider than tall within the columns, and draws nothing for an empty one', () => {
    const drawing = decodeHandwriting(readFileSync(join(FOLDER, 'handwriting.bin')));
    const narrow = handwritingLines(drawing, 20, 30);
    expect(narrow.length).toBeLessThan(20);
    expect(Math.max(...narrow.map((row) => row.length))).toBeLessThanOrEqual(30);
    expect(narrow.join('')).toContain('*');
    expect(handwritingLines({ ...drawing, strokes: [] }, 20, 76)).toEqual([]);
    expect(handwritingLines({ width: 5000, height: 10, strokes: drawing.strokes }, 20, 76)).toEqual([]);
  });
});
