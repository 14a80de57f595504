import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import sharp from 'sharp';
import { beforeAll, describe, expect, test } from 'vitest';
import { generateApart, runCli, tempDir } from '../support/cli.js';
import { pdfText, pdfToolsPresent, qpdfCheck, savePng } from './pdf-tools.js';

const BALLOON = 'com.apple.DigitalTouchBalloonProvider';

/** Chat id (as `list` shows it) and kind id (field 1 of the payload) of each generated Digital Touch message. */
function touches(db: string): { chat: string; kindId: number }[] {
  const sqlite = new Database(db, { readonly: true });
  const rows = sqlite
    .prepare(
      `SELECT c.guid AS chat, m.payload_data AS payload FROM message m
       JOIN chat_message_join j ON j.message_id = m.ROWID JOIN chat c ON c.ROWID = j.chat_id
       WHERE m.balloon_bundle_id = ? ORDER BY m.date`,
    )
    .all(BALLOON) as { chat: string; payload: Buffer }[];
  sqlite.close();
  return rows.map((row) => ({ chat: row.chat, kindId: row.payload[1]! }));
}

describe.skipIf(!pdfToolsPresent)('Digital Touch messages of a generated database, exported end to end', { timeout: 300_000 }, () => {
  let db: string;
  beforeAll(async () => {
    db = await generateApart(join(tempDir('touch-db'), 'sample'), 2000, 3);
  }, 300_000);

  test('the generator writes every kind, and txt, HTML and PDF show each with its facts and drawing', async () => {
    const rows = touches(db);
    expect(rows.map((row) => row.kindId).sort()).toEqual([1, 3, 3, 4, 7, 8]);
    const sketchChat = rows.find((row) => row.kindId === 4)!.chat;
    const out = tempDir('touch-out');
    const result = await runCli(['export', '--db', db, '--out', out, '--format', 'txt,html,pdf', '--chat', sketchChat, '--exact', '--attachments', 'none']);
    expect(result.code, result.stderr).toBe(0);
    const inChat = rows.filter((row) => row.chat === sketchChat).length;

    const txt = readFileSync(join(out, readdirSync(out).find((f) => f.endsWith('.txt'))!), 'utf8');
    expect(txt).toMatch(/\[Digital Touch: sketch — \d strokes? in #[0-9a-f]{6}\]/);
    expect(txt.match(/^\[Digital Touch: /gm)).toHaveLength(inChat);

    const pageDir = join(out, 'conversations', readdirSync(join(out, 'conversations'))[0]!);
    const html = readdirSync(pageDir).map((f) => readFileSync(join(pageDir, f), 'utf8')).join('');
    expect(html.match(/<svg class="drawing" role="img" aria-label="Digital Touch: /g)).toHaveLength(inChat);

    const pdf = join(out, readdirSync(out).find((f) => f.endsWith('.pdf'))!);
    expect(qpdfCheck(pdf).ok).toBe(true);
    const text = pdfText(pdf).replace(/\s+/g, ' ');
    expect(text).toMatch(/Digital Touch: sketch \d strokes? in #[0-9a-f]{6}/);
    expect(text.match(/Digital Touch: (sketch|tap|heartbeat|broken heart|kiss|fireball)/g)).toHaveLength(inChat);
    const at = await expectSketchCanvas(pdf);
    savePng(pdf, 'pdf-digital-touch-generated', at);
  });

  test('the transcript-style PDF draws the sketch below its row too', async () => {
    const sketchChat = touches(db).find((row) => row.kindId === 4)!.chat;
    const out = tempDir('touch-transcript');
    const result = await runCli(['export', '--db', db, '--out', out, '--format', 'pdf', '--pdf-style', 'transcript', '--chat', sketchChat, '--exact', '--attachments', 'none', '--quiet']);
    expect(result.code, result.stderr).toBe(0);
    const pdf = join(out, readdirSync(out).find((f) => f.endsWith('.pdf'))!);
    expect(qpdfCheck(pdf).ok).toBe(true);
    savePng(pdf, 'pdf-digital-touch-transcript', await expectSketchCanvas(pdf));
  });
});

/** The sketch's black canvas is drawn on its page or the next (vector paths; emoji are the PDF's only images); returns its page. */
async function expectSketchCanvas(pdf: string): Promise<number> {
  const pages = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [pdf], { encoding: 'utf8' }))![1]);
  const at = Array.from({ length: pages }, (_, i) => i + 1).find((n) => /Digital Touch: sketch/.test(pdfText(pdf, { first: n, last: n })))!;
  let black = 0;
  for (const n of [at, Math.min(at + 1, pages)]) {
    const png = execFileSync('pdftoppm', ['-r', '72', '-gray', '-png', '-singlefile', '-f', String(n), '-l', String(n), pdf]);
    const { data } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    black = Math.max(black, data.filter((v) => v < 20).length);
  }
  expect(black).toBeGreaterThan(0.5 * 128 * 160);
  return at;
}
