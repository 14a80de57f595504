// --since, --until and dates as a chat.db stores them, end to end through the CLI.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { pdfText } from '../pdf/pdf-tools.js';
import { runCli, tempDir } from '../support/cli.js';
import { MINIMAL_TABLES } from '../sources/tiny-chat-db.js';

/** A one-conversation chat.db whose messages carry these raw `date` values (nanoseconds or seconds since 2001). */
function chatDbWithDates(dir: string, dates: bigint[]): string {
  const path = join(dir, 'chat.db');
  const db = new Database(path);
  db.exec(MINIMAL_TABLES);
  db.exec(`
    INSERT INTO handle (id, service) VALUES ('+15555550123', 'iMessage');
    INSERT INTO chat (guid, chat_identifier) VALUES ('iMessage;-;+15555550123', '+15555550123');
    INSERT INTO chat_handle_join VALUES (1, 1);
  `);
  dates.forEach((date, i) => {
    db.prepare('INSERT INTO message (guid, text, handle_id, date, service) VALUES (?, ?, 1, ?, ?)').run(`MSG-${i}`, `message ${i}`, date, 'iMessage');
    db.prepare('INSERT INTO chat_message_join VALUES (1, ?, ?)').run(i + 1, date);
  });
  db.close();
  return path;
}

const EPOCH_2001 = Date.UTC(2001, 0, 1);
/** An instant as chat.db stores it today: nanoseconds since 2001. */
const nanos = (iso: string) => BigInt(Date.parse(iso) - EPOCH_2001) * 1_000_000n;

/** The txt export of this selection. */
async function exportedText(db: string, args: string[], env: Record<string, string> = {}): Promise<string> {
  const out = join(tempDir('dates-out'), 'out');
  const result = await runCli(['export', '--db', db, '--out', out, '--format', 'txt', '--no-progress', ...args], env);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return readFileSync(join(out, readdirSync(out).find((name) => name.endsWith('.txt'))!), 'utf8');
}

/** The texts of the messages a txt export of this selection holds. */
async function exported(db: string, args: string[]): Promise<string[]> {
  return (await exportedText(db, args)).match(/^message \d+$/gm) ?? [];
}

describe('--since and --until', () => {
  const db = chatDbWithDates(tempDir('dates'), ['2024-11-03T04:59:00Z', '2024-11-03T05:30:00Z', '2024-11-03T06:30:00Z', '2024-11-03T07:10:00Z'].map(nanos));

  it('take a date-time without an offset in the export’s time zone, as they take a day, not in the computer’s', async () => {
    // 01:30 in New York that night is 05:30Z (its first occurrence, before the clocks went back); the computer is in UTC.
    expect(await exported(db, ['--timezone', 'America/New_York', '--since', '2024-11-03T01:30'])).toEqual(['message 1', 'message 2', 'message 3']);
    expect(await exported(db, ['--timezone', 'America/New_York', '--until', '2024-11-03T01:30:00'])).toEqual(['message 0']);
    expect(await exported(db, ['--timezone', 'America/New_York', '--since', '2024-11-03T01:30-05:00'])).toEqual(['message 2', 'message 3']);
    expect(await exported(db, ['--timezone', 'America/New_York', '--since', '2024-11-03'])).toEqual(['message 0', 'message 1', 'message 2', 'message 3']);
  });

  it('take a time the clocks went back over as its first occurrence east of UTC too (Berlin, Lord Howe’s half hour)', async () => {
    // 02:45 CEST (00:45Z), then 02:15 CET (01:15Z): 02:40 is first 00:40Z.
    const berlin = chatDbWithDates(tempDir('dates-berlin'), ['2023-10-29T00:45:00Z', '2023-10-29T01:15:00Z'].map(nanos));
    expect(await exported(berlin, ['--timezone', 'Europe/Berlin', '--since', '2023-10-29T02:40'])).toEqual(['message 0', 'message 1']);
    const until = await runCli(['export', '--db', berlin, '--out', join(tempDir('dates-out'), 'out'), '--timezone', 'Europe/Berlin', '--since', '2023-10-29', '--until', '2023-10-29T02:20']);
    expect(until.stderr).toBe('textkeeper: No messages to export in this database (for the dates asked).\n');
    // Lord Howe goes from +11:00 back to +10:30 at 02:00: 01:40 is first 14:40Z the day before.
    const howe = chatDbWithDates(tempDir('dates-howe'), ['2024-04-06T14:45:00Z', '2024-04-06T15:15:00Z'].map(nanos));
    expect(await exported(howe, ['--timezone', 'Australia/Lord_Howe', '--since', '2024-04-07T01:40'])).toEqual(['message 0', 'message 1']);
  });

  it('take a time the clocks skipped (02:30 the night they go forward) as the moment they skipped to', async () => {
    // 01:59 EST, then 03:00 and 03:40 EDT.
    const spring = chatDbWithDates(tempDir('dates-spring'), ['2024-03-10T06:59:00Z', '2024-03-10T07:00:00Z', '2024-03-10T07:40:00Z'].map(nanos));
    expect(await exported(spring, ['--timezone', 'America/New_York', '--since', '2024-03-10T02:30'])).toEqual(['message 1', 'message 2']);
    expect(await exported(spring, ['--timezone', 'America/New_York', '--until', '2024-03-10T02:30'])).toEqual(['message 0']);
  });

  it('take a day at the end of a year as the whole day', async () => {
    const newYear = chatDbWithDates(tempDir('dates-new-year'), ['2024-01-01T04:30:00Z', '2024-01-01T05:30:00Z'].map(nanos));
    expect(await exported(newYear, ['--timezone', 'America/New_York', '--until', '2023-12-31'])).toEqual(['message 0']);
    expect(await exported(newYear, ['--timezone', 'America/New_York', '--since', '2024-01-01'])).toEqual(['message 1']);
  });

  it('refuse a date-time that does not exist in one line, as they refuse such a day', async () => {
    for (const [value, reason] of [['2024-02-30T10:00:00Z', 'not a real date.'], ['2024-11-03T24:00', 'not a real time of day.'], ['2024-11-03T01:30 PST', 'use a date like'], ['2024-11-03T01:30+05:99', 'use a date like']]) {
      const result = await runCli(['export', '--db', db, '--out', join(tempDir('dates-bad'), 'out'), '--since', value]);
      expect(result.code).toBe(1);
      expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(result.stderr.startsWith(`textkeeper: --since ${value}: ${reason}`)).toBe(true);
    }
  });

  it('refuse an empty range (--since not before --until) in one line, in list and stats as in export', async () => {
    const out = ['--out', join(tempDir('dates-empty'), 'out')];
    for (const command of [['export', ...out], ['list'], ['stats']]) {
      for (const range of [['--since', '2024-05-01', '--until', '2024-01-01'], ['--since', '2024-11-03T05:00Z', '--until', '2024-11-03T05:00Z']]) {
        const result = await runCli([...command, '--db', db, ...range]);
        expect(result.code).toBe(1);
        expect(result.stderr).toBe('textkeeper: --since must be before --until.\n');
        expect(result.stdout).toBe('');
      }
    }
  });
});

describe('a range exported into an archive that keeps more', () => {
  it('leaves the archive’s other messages in its store, and counts them in words that fit one', async () => {
    const db = chatDbWithDates(tempDir('dates-archive'), ['2023-06-01T12:00:00Z', '2024-06-01T12:00:00Z'].map(nanos));
    const out = join(tempDir('dates-archive-out'), 'out');
    expect((await runCli(['export', '--db', db, '--out', out, '--format', 'txt', '--no-progress'])).code).toBe(0);
    const ranged = await runCli(['export', '--db', db, '--out', out, '--format', 'txt', '--no-progress', '--since', '2024-01-01']);
    expect(ranged.stderr).toBe('note: this run writes its files for what --since chose: 1 message the archive keeps is not in them (a run without --since shows it again)\n');
    const whole = join(tempDir('dates-archive-whole'), 'out');
    expect((await runCli(['export', '--archive', out, '--out', whole, '--format', 'txt', '--no-progress'])).code).toBe(0);
    expect(readFileSync(join(whole, '+15555550123.txt'), 'utf8').match(/^message \d+$/gm)).toEqual(['message 0', 'message 1']);
  });
});

describe('--timezone', () => {
  it('typed in another letter case is named as IANA spells it', async () => {
    const db = chatDbWithDates(tempDir('dates-case'), [nanos('2024-11-03T04:59:00Z')]);
    const text = await exportedText(db, ['--timezone', 'america/new_york']);
    expect(text).toContain('Times are shown in America/New_York.');
    expect(text).toContain('[2024-11-03 00:59:00]');
  });
});

describe('the computer’s time zone, without --timezone', () => {
  const db = chatDbWithDates(tempDir('dates-tz'), ['2024-11-02T23:30:00Z', '2024-11-03T04:59:00Z'].map(nanos));

  it('is named as the times are shown when TZ is a path (TZ=:/etc/localtime) or empty, and a --since day is taken in it', async () => {
    const tokyo = '/usr/share/zoneinfo/Asia/Tokyo';
    if (existsSync(tokyo)) {
      const text = await exportedText(db, ['--since', '2024-11-03'], { TZ: `:${tokyo}` });
      expect(text).toContain('Times are shown in Asia/Tokyo.');
      expect(text.match(/^\[.*\]/gm)).toEqual(['[2024-11-03 08:30:00]', '[2024-11-03 13:59:00]']);
    }
    // An empty TZ is UTC to the C library and to Node; Node names it no zone ("Etc/Unknown").
    const text = await exportedText(db, ['--since', '2024-11-03'], { TZ: '' });
    expect(text).toContain('Times are shown in UTC.');
    expect(text.match(/^\[.*\]/gm)).toEqual(['[2024-11-03 04:59:00]']);
  });

  it('is named by its offset when it has no other name but keeps one offset (TZ=UTC+3, POSIX for three hours behind)', async () => {
    const text = await exportedText(db, [], { TZ: 'UTC+3' });
    expect(text).toContain('Times are shown in Etc/GMT+3.');
    expect(text.match(/^\[.*\]/gm)).toEqual(['[2024-11-02 20:30:00]', '[2024-11-03 01:59:00]']);
  });

  it('is named as TZ gives it when TZ is an IANA name (Asia/Kolkata, not ICU’s Asia/Calcutta), as --timezone is', async () => {
    for (const env of [{ TZ: 'Asia/Kolkata' }, { TZ: ':Asia/Kolkata' }]) {
      const text = await exportedText(db, [], env);
      expect(text).toContain('Times are shown in Asia/Kolkata.');
      expect(text.match(/^\[.*\]/gm)).toEqual(['[2024-11-03 05:00:00]', '[2024-11-03 10:29:00]']);
    }
    expect(await exportedText(db, ['--timezone', 'Asia/Kolkata'], { TZ: 'UTC' })).toContain('Times are shown in Asia/Kolkata.');
  });

  it('is refused in one line when Node cannot read TZ and would show UTC (a POSIX rule, an unknown name), but not when TZ names UTC', async () => {
    for (const tz of ['EST5EDT,M3.2.0,M11.1.0', '<-03>3', 'Mars/Olympus']) {
      for (const command of [['export', '--out', join(tempDir('dates-unread'), 'out')], ['list'], ['stats']]) {
        const result = await runCli([...command, '--db', db, '--since', '2024-11-03'], { TZ: tz });
        expect(result.code).toBe(1);
        expect(result.stderr).toBe(`textkeeper: TZ=${tz}: Node cannot read this time zone and would show times in UTC; give --timezone with its IANA name (e.g. America/New_York).\n`);
        expect(result.stdout).toBe('');
      }
      const text = await exportedText(db, ['--timezone', 'America/New_York'], { TZ: tz });
      expect(text).toContain('Times are shown in America/New_York.');
    }
    for (const [tz, name] of [['UTC', 'UTC'], ['Etc/UTC', 'Etc/UTC'], ['UTC0', 'UTC'], ['GMT', 'GMT']]) {
      const text = await exportedText(db, [], { TZ: tz! });
      expect(text).toContain(`Times are shown in ${name}.`);
      expect(text.match(/^\[.*\]/gm)).toEqual(['[2024-11-02 23:30:00]', '[2024-11-03 04:59:00]']);
    }
  });
});

describe('the night the clocks go back', () => {
  it('each of the two 01:30s says its offset in txt, HTML and PDF, and they stay in order', async () => {
    const db = chatDbWithDates(tempDir('dates-fall'), ['2024-11-03T04:59:00Z', '2024-11-03T05:30:00Z', '2024-11-03T06:30:00Z', '2024-11-03T07:10:00Z'].map(nanos));
    const out = join(tempDir('dates-fall-out'), 'out');
    const result = await runCli(['export', '--db', db, '--out', out, '--format', 'txt,html,pdf', '--timezone', 'America/New_York', '--no-progress']);
    expect(result.code).toBe(0);
    const txt = readFileSync(join(out, '+15555550123.txt'), 'utf8');
    expect(txt.match(/^\[.*\]/gm)).toEqual(['[2024-11-03 00:59:00]', '[2024-11-03 01:30:00 -04:00]', '[2024-11-03 01:30:00 -05:00]', '[2024-11-03 02:10:00]']);
    const html = readFileSync(join(out, 'conversations', '+15555550123', 'p1.html'), 'utf8');
    // Each time links to its message (its address cites it).
    expect(html.match(/<a class="time" href="#[^"]+" title="[^"]*">[^<]*/g)!.map((a) => a.replace(/ href="[^"]+"/, ''))).toEqual([
      '<a class="time" title="2024-11-03 00:59:00">00:59', '<a class="time" title="2024-11-03 01:30:00 -04:00">01:30 -04:00',
      '<a class="time" title="2024-11-03 01:30:00 -05:00">01:30 -05:00', '<a class="time" title="2024-11-03 02:10:00">02:10',
    ]);
    for (const [, id] of html.matchAll(/<a class="time" href="#([^"]+)"/g)) expect(html).toContain(`<li class="msg in imessage" id="${id}">`);
    // Message times only (to the second in a PDF): not a date's time, as the export time in each page's foot, whatever the clock says now.
    expect(pdfText(join(out, '+15555550123.pdf')).match(/(?<!\d{4}-\d\d-\d\d )(?<![:\d])0[0-2]:\d\d:\d\d( -0\d:00)?/g)!.slice(-4)).toEqual(['00:59:00', '01:30:00 -04:00', '01:30:00 -05:00', '02:10:00']);
  });

  it('every page of a PDF names the time zone, also without its cover', async () => {
    const db = chatDbWithDates(tempDir('dates-pages'), Array.from({ length: 120 }, (_, i) => nanos(new Date(Date.UTC(2024, 0, 1) + i * 3_600_000).toISOString())));
    const out = join(tempDir('dates-pages-out'), 'out');
    const result = await runCli(['export', '--db', db, '--out', out, '--format', 'pdf', '--timezone', 'America/Argentina/ComodRivadavia', '--no-cover', '--page-size', 'a4', '--no-progress']);
    expect(result.code).toBe(0);
    const pages = pdfText(join(out, '+15555550123.pdf')).split('\f').filter((page) => page.trim());
    expect(pages.length).toBeGreaterThan(2);
    for (const page of pages) expect(page).toContain('Times in America/Argentina/ComodRivadavia');
  });
});

describe('dates as chat.db stores them', () => {
  it('a date before 2001 (negative) is read in nanoseconds as in seconds, not called out of range', async () => {
    const seconds = BigInt(Date.parse('1999-06-01T12:00:00Z') - EPOCH_2001) / 1000n;
    const db = chatDbWithDates(tempDir('dates-1999'), [nanos('1999-06-01T12:00:00Z'), seconds, nanos('2024-01-01T00:00:00Z')]);
    const out = join(tempDir('dates-1999-out'), 'out');
    const result = await runCli(['export', '--db', db, '--out', out, '--format', 'txt,csv', '--timezone', 'UTC', '--until', '2000-01-01', '--no-progress']);
    expect(result.stderr).toBe('');
    const csv = readFileSync(join(out, '+15555550123.csv'), 'utf8');
    expect(csv.match(/^.*message \d.*$/gm)!.map((row) => row.split(',').slice(0, 1).concat(row.split(',')[5]!))).toEqual([
      ['1999-06-01T12:00:00.000+00:00', 'message 0'],
      ['1999-06-01T12:00:00.000+00:00', 'message 1'],
    ]);
  });
});
