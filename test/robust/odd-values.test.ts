// Issue #10 items 6 and 7, and TXT control characters: one odd value never aborts a run; it is
// exported with a visible note and counted.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as plist from 'plist';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../support/cli.js';
import { addMessage, expectNoPartials, makeBase, spoiledCopy } from './support.js';

const MIN_INT64 = -(2n ** 63n);

describe('odd values are exported with a note, never abort', () => {
  const dir = tempDir('odd');
  let db: string;
  let chat = '';

  beforeAll(async () => {
    const base = await makeBase(dir);
    db = spoiledCopy(base, dir, 'odd', (d) => {
      // On the chat's latest message and elsewhere: every kind of broken date the sweep found.
      chat = addMessage(d, { text: 'date zero', date: 0 }, 'DATE-ZERO').chat;
      addMessage(d, { text: 'date as text', date: 'yesterday-ish' }, 'DATE-TEXT');
      addMessage(d, { text: 'date far past', date: -1e18 }, 'DATE-FAR');
      addMessage(d, { text: 'date min int64', date: MIN_INT64 }, 'DATE-MIN');
      addMessage(d, { text: 'delivered min int64', date_delivered: MIN_INT64, date_read: 1e300 }, 'DELIVERED-MIN');
      // Nanoseconds in the year 2286: digits that milliseconds would lose.
      addMessage(d, { text: 'date far future', date: 9_000_000_000_123_456_789n }, 'DATE-FUTURE');
      // Bytes in the text column that are not UTF-8, with a terminal escape and a NUL among them.
      addMessage(d, { text: Buffer.from([0x68, 0x69, 0x20, 0xff, 0xfe, 0x20, 0x1b, 0x5b, 0x33, 0x31, 0x6d, 0x00, 0x21]), attributedBody: null }, 'BLOB-TEXT');
      addMessage(d, { text: 'bell\u0007 osc\u001b]0;owned\u0007 nul\u0000 end' }, 'CONTROLS');
      // The same, typed as text: SQLite gives U+FFFD for them, which must not read as app balloons.
      addMessage(d, { text: 'to be replaced', attributedBody: null }, 'TEXT-NOT-UTF8');
      d.prepare("UPDATE message SET text = CAST(X'48656C6C6FFFFE80' AS TEXT) WHERE guid = 'TEXT-NOT-UTF8'").run();
      // A message in no chat, dated 0.
      d.prepare("INSERT INTO message (guid, text, handle_id, is_from_me, date) VALUES ('ORPHAN-ZERO', 'orphan with no date', 0, 1, 0)").run();
      // Edit-history dates of ±1e300 seconds.
      const edited = d.prepare('SELECT ROWID AS id, message_summary_info AS info FROM message WHERE date_edited != 0 AND message_summary_info IS NOT NULL LIMIT 2').all() as { id: number; info: Buffer }[];
      expect(edited.length).toBeGreaterThan(0);
      edited.forEach(({ id, info }, n) => {
        const value = plist.parse(info) as { ec?: Record<string, { d: number }[]> };
        for (const versions of Object.values(value.ec ?? {})) for (const v of versions) v.d = n === 0 ? 1e300 : -1e300;
        d.prepare('UPDATE message SET message_summary_info = ? WHERE ROWID = ?').run(Buffer.from(plist.buildBinary(value as plist.PlistValue)), id);
      });
    });
  });

  it('txt: every message is there, each odd one with a note, and the run succeeds', async () => {
    const out = join(dir, 'out-txt');
    const result = await runCli(['export', '--db', db, '--out', out, '--format', 'txt']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toMatch(/export failed|\n\s+at /);
    const all = readdirSync(out).filter((f) => f.endsWith('.txt')).map((f) => readFileSync(join(out, f), 'utf8')).join('\n');
    for (const text of ['date zero', 'date as text', 'date far past', 'date min int64', 'delivered min int64', 'orphan with no date']) expect(all).toContain(text);
    expect(all.match(/Its date is missing or out of range/g)!.length).toBeGreaterThanOrEqual(5);
    expect(all).toMatch(/Its delivery date is out of range/);
    expect(all).toMatch(/Its read date is out of range/);
    expect(all).toMatch(/message\.text was stored as 13 bytes instead of text; bytes that are not UTF-8 are shown as ⍰/);
    expect(all).toMatch(/Edit history could not be read \(edit date out of range/);
    expect(all).toContain("Hello⍰⍰⍰\n");
    expect(all).toContain("The message's text holds bytes that are not UTF-8, shown as ⍰.");
    // Counted: the summary's warnings include every note.
    expect(Number(/(\d+) warnings/.exec(result.stdout)![1])).toBeGreaterThanOrEqual(10);
  });

  it('a note shows a date out of range as chat.db stores it (seconds or nanoseconds since 2001), not in milliseconds', async () => {
    const out = join(dir, 'out-txt');
    const all = readdirSync(out).filter((f) => f.endsWith('.txt')).map((f) => readFileSync(join(out, f), 'utf8')).join('\n');
    expect(all).toContain('Its date is missing or out of range (stored as 9000000000123456789, which would be the year 2286)');
    expect(all).toContain('Its date is missing or out of range (stored as -1000000000000000000, which would be the year 1969)');
    expect(all).toContain("Its date is missing or out of range (stored as 'yesterday-ish')");
    expect(all).toContain('Its delivery date is out of range (stored as -9223372036854775808, which would be the year 1708)');
    expect(all).toContain('Its read date is out of range (stored as 1.0e+300)');
  });

  it('txt: control characters are shown as visible pictures, never raw', async () => {
    const out = join(dir, 'out-txt');
    const all = readdirSync(out).filter((f) => f.endsWith('.txt')).map((f) => readFileSync(join(out, f), 'utf8')).join('\n');
    expect(all).toContain('hi ⍰⍰ ␛[31m␀!');
    expect(all).toContain('bell␇ osc␛]0;owned␇ nul␀ end');
    expect(all).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
  });

  it('html and pdf: the same database exports without a failure, control characters shown as in txt (they vanished)', async () => {
    for (const format of ['html', 'pdf']) {
      const out = join(dir, `out-${format}`);
      const result = await runCli(['export', '--db', db, '--out', out, '--format', format, '--chat', chat]);
      expect(result.code, result.stderr).toBe(0);
      expectNoPartials(out);
    }
    const pages = readdirSync(join(dir, 'out-html', 'conversations'), { recursive: true }).map(String).filter((f) => f.endsWith('.html'));
    const html = pages.map((p) => readFileSync(join(dir, 'out-html', 'conversations', p), 'utf8')).join('');
    expect(html).toContain('delivered min int64');
    expect(html).toContain('Its delivery date is out of range');
    expect(html).toContain('bell␇ osc␛]0;owned␇ nul␀ end');
    expect(html).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/);
    const pdf = readdirSync(join(dir, 'out-pdf')).find((f) => f.endsWith('.pdf'))!;
    expect(execFileSync('pdftotext', [join(dir, 'out-pdf', pdf), '-'], { encoding: 'utf8' })).toContain('bell␇ osc␛]0;owned␇ nul␀ end');
  });

  it('list shows every conversation', async () => {
    const result = await runCli(['list', '--db', db]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('Messages without a conversation');
    expect(result.stdout).toContain(chat);
  });
});
