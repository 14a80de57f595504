// Lines the export composes around a name (a page's "With …", the cover's participants, a group's events) used to
// let a right-to-left name pull the phone number, punctuation and time beside it into its own direction, in the PDF
// as drawn and as copied; HTML isolates such names, and the PDF now does too.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateChatDb } from '../../src/generate/index.js';
import { runCli, tempDir } from '../support/cli.js';
import { drawnText, pdfText, pdfToolsPresent, withoutEmbeddings } from './pdf-tools.js';

const ARABIC = 'محمد العلي';
const HEBREW = 'שרה כהן';
const GROUP_NAME = 'مجموعة العمل';
const ME = 'أنا';

describe.skipIf(!pdfToolsPresent)('names written right to left in the lines a PDF composes', () => {
  const dir = tempDir('pdf-rtl-names');
  const out = join(dir, 'out');
  let exported: { code: number; stderr: string };

  beforeAll(async () => {
    const db = join(dir, 'chat.db');
    await generateChatDb({ path: db, messages: 300, conversations: 8, seed: 3 });
    const sqlite = new Database(db);
    sqlite.prepare("UPDATE message SET group_title = ? WHERE item_type = 2 AND group_title IS NOT NULL").run(GROUP_NAME);
    sqlite.close();
    const card = (name: string, phone: string) => `BEGIN:VCARD\r\nVERSION:3.0\r\nFN:${name}\r\nTEL:${phone}\r\nEND:VCARD\r\n`;
    writeFileSync(join(dir, 'names.vcf'), card(ARABIC, '+15555550100') + card(HEBREW, '+15555550101') + card('Дмитрий Иванов', '+15555550103'));
    exported = await runCli(['export', '--db', db, '--contacts', join(dir, 'names.vcf'), '--out', out, '--format', 'pdf,html', '--me', ME, '--quiet']);
  });

  it('draws the phone number after a right-to-left name as it is written, and the time at the end of an event', () => {
    expect(exported.code, exported.stderr).toBe(0);
    const header = drawnText(join(out, `${ARABIC}.pdf`)).split('\n').filter((line) => line.startsWith('With '));
    expect(header.length).toBeGreaterThan(1);
    for (const line of header) expect(line).toMatch(/\+15555550100\)$/);
    const events = drawnText(join(out, 'Family 🏡.pdf')).split('\n').filter((line) => line.includes(' the conversation'));
    expect(events.length).toBeGreaterThan(2);
    for (const line of events) expect(line).toMatch(/\s·\s+\d\d:\d\d:\d\d$/);
  });

  it('keeps a 1:1 page header and the cover participant in their typed order', () => {
    expect(exported.code, exported.stderr).toBe(0);
    const text = withoutEmbeddings(pdfText(join(out, `${ARABIC}.pdf`), { first: 1, last: 2 }));
    expect(text).toContain(`With ${ARABIC} (+15555550100)\n`);
    expect(text).toMatch(new RegExp(`^${ARABIC} \\(\\+15555550100\\)$`, 'm'));
  });

  it('keeps a group event about a right-to-left name, and its time, in order', () => {
    const text = withoutEmbeddings(pdfText(join(out, 'Family 🏡.pdf')));
    expect(text).toMatch(new RegExp(`^${ARABIC} named the conversation “${GROUP_NAME}”\\.  ·  \\d\\d:\\d\\d:\\d\\d$`, 'm'));
    expect(text).toMatch(new RegExp(`^Дмитрий Иванов removed ${ARABIC} from the conversation\\.  ·  \\d\\d:\\d\\d:\\d\\d$`, 'm'));
    expect(text).toMatch(new RegExp(`${ARABIC} \\(\\+15555550100\\) \\(removed from the group\\), Дмитрий Иванов`));
    // The owner named with --me in a right-to-left script begins the sentence: it stays a left-to-right sentence.
    expect(text).toMatch(new RegExp(`^${ME} added \\+15555550104 to the conversation\\.  ·  \\d\\d:\\d\\d:\\d\\d$`, 'm'));
  });

  it('copies the names without the marks that isolate them', () => {
    for (const file of [`${ARABIC}.pdf`, 'Family 🏡.pdf']) expect(pdfText(join(out, file))).not.toMatch(/[\u2066-\u2069]/);
  });

  it('isolates each name of an unnamed group in the HTML index', () => {
    const index = readFileSync(join(out, 'index.html'), 'utf8');
    expect(index).toContain(`<span class="title"><bdi>Дмитрий Иванов</bdi>, <bdi>${HEBREW}</bdi>, <bdi>+15555550105</bdi></span>`);
  });
});
