// A message of the owner's that Messages could not send (its `error` column set: "Not Delivered" on the phone)
// says so in every format, as does one scheduled to be sent later that had not gone yet: on paper neither must
// read as a message the other side received.
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { addMessage, exportChat, fileOf, NORMAL_DATE, SECOND, smallChat } from '../robust/support.js';
import { schemaValidators } from '../data/support.js';
import { pdfText, pdfToolsPresent } from '../pdf/pdf-tools.js';

describe('a message that was not delivered', () => {
  it('says Not Delivered in txt, HTML, PDF, CSV and JSON; one that went out does not', async () => {
    const { dir, db, chat } = await smallChat('undelivered', (d) => {
      addMessage(d, { text: 'never arrived', service: 'SMS', error: 4, is_sent: 0, is_delivered: 0 });
      addMessage(d, { text: 'this one went', service: 'SMS', date: NORMAL_DATE + 60n * SECOND, is_sent: 1, is_delivered: 1 });
    });
    const out = join(dir, 'out');
    await exportChat(db, chat, out, 'txt,html,pdf,csv,json');
    expect(fileOf(out, '.txt')).toContain('never arrived\n  ✗ Not Delivered\n');
    expect(fileOf(out, '.txt')).not.toMatch(/this one went\n  ✗/);
    // In the alert colour, as the phone shows it in red: grey small print is easily passed over.
    expect(fileOf(out, 'p1.html')).toMatch(/never arrived.*?<div class="meta undelivered">[^\n]*· Not Delivered/s);
    expect(fileOf(out, 'p1.html')).toMatch(/this one went.*?<div class="meta">/s);
    expect(fileOf(out, 'style.css')).toContain('.meta.undelivered { color: var(--alert); }');
    const csv = fileOf(out, '.csv').split('\r\n');
    expect(csv[0]).toMatch(/,undelivered,satellite,junk,owner_handle,kind$/);
    expect(csv.find((row) => row.includes('never arrived'))).toMatch(/,failed,false,false,,message$/);
    expect(csv.find((row) => row.includes('this one went'))).toMatch(/,,false,false,,message$/);
    const json = JSON.parse(fileOf(out, '.json')) as { messages: { text: string; undelivered?: string }[] };
    expect(schemaValidators().conversation(json)).toBe('');
    expect(json.messages.filter((m) => m.undelivered).map((m) => [m.text, m.undelivered])).toEqual([['never arrived', 'failed']]);
    if (pdfToolsPresent) expect(pdfText(join(out, readdirSync(out).find((f) => f.endsWith('.pdf'))!))).toMatch(/00:00:00 · Not Delivered · SMS/);
  });
});

describe.skipIf(!pdfToolsPresent)('a message that was not delivered, in a transcript-style PDF', () => {
  it('says Not Delivered in the alert colour, as the chat style does', async () => {
    const alertPixels = async (error: number) => {
      const { dir, db, chat } = await smallChat(`undelivered-transcript-${error}`, (d) => {
        addMessage(d, { text: 'never arrived', service: 'SMS', error, is_sent: 0, is_delivered: 0 });
      });
      const out = join(dir, 'out');
      await exportChat(db, chat, out, 'pdf', ['--pdf-style', 'transcript', '--no-cover']);
      const pdf = join(out, readdirSync(out).find((f) => f.endsWith('.pdf'))!);
      const page = pdfText(pdf).split('\f').findIndex((text) => text.includes('never arrived')) + 1;
      execFileSync('pdftoppm', ['-r', '100', '-f', String(page), '-l', String(page), '-png', '-singlefile', pdf, join(dir, `page-${error}`)]);
      const { data, info } = await sharp(join(dir, `page-${error}.png`)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
      let count = 0;
      // #b3261e, the alert colour, give or take the anti-aliasing of small print.
      for (let i = 0; i < info.width * info.height * 3; i += 3) if (data[i]! > 150 && data[i + 1]! < 80 && data[i + 2]! < 80) count++;
      return count;
    };
    expect(await alertPixels(0)).toBe(0);
    expect(await alertPixels(4)).toBeGreaterThan(20);
  });
});

describe('a message scheduled to be sent later', () => {
  it('says Scheduled, not sent until it went (is_sent), in txt and the data formats', async () => {
    const { dir, db, chat } = await smallChat('scheduled', (d) => {
      addMessage(d, { text: 'happy birthday!', schedule_type: 2, schedule_state: 1, is_sent: 0 });
      addMessage(d, { text: 'sent when planned', schedule_type: 2, is_sent: 1, date: NORMAL_DATE - 60n * SECOND });
    });
    const out = join(dir, 'out');
    await exportChat(db, chat, out, 'txt,csv,json');
    expect(fileOf(out, '.txt')).toContain('happy birthday!\n  ✗ Scheduled, not sent\n');
    expect(fileOf(out, '.txt')).not.toMatch(/sent when planned\n  ✗/);
    expect(fileOf(out, '.csv').split('\r\n').find((row) => row.includes('happy birthday!'))).toMatch(/,scheduled,false,false,,message$/);
    const json = JSON.parse(fileOf(out, '.json')) as { messages: { text: string; undelivered?: string }[] };
    expect(schemaValidators().conversation(json)).toBe('');
    expect(json.messages.filter((m) => m.undelivered).map((m) => [m.text, m.undelivered])).toEqual([['happy birthday!', 'scheduled']]);
  });
});
