import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { runCli, tempDir } from '../support/cli.js';
import { readJsonFiles, readNdjson, schemaValidators } from '../data/support.js';
import { deviceSlice, exportedCount, exportFrom, filesOf, generateHistory, transcripts, type History } from './device.js';

/** Message notes blanked (replies, tapbacks: they may name messages the device no longer has), and what the header says the archive kept. */
function messagesOnly(text: string): string {
  return withoutKept(text).replace(/^ {2}\S.*$|^ {6}.*$/gm, '').replace(/\(expected at .*\)/g, '(expected at …)').replace(/\n{2,}/g, '\n');
}

/** A transcript's header without its lines on the messages only the archive keeps and the runs that first read them. */
function withoutKept(text: string): string {
  return text.replace(/^Kept by this archive: \d.*\n( {2}.*\n)*/m, '');
}

const MARK = 'Kept by this archive: not on the device since ';

describe('an archive folder updated by a second run after the device purged its oldest messages', () => {
  /** The SHA-256 of the archive's store as it is, and of the device's database as the latest run read it. */
  const recordedHashes = () => {
    const hashOf = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
    return { store: hashOf(join(archive, 'textkeeper.sqlite')), db2: hashOf(join(device2, 'chat.db')) };
  };
  let history: History;
  let archive: string;
  let total: number;
  let purged: number;
  let reference: string;
  let attachmentsAfterRun1: string[];
  let device1: string;
  let device2: string;

  beforeAll(async () => {
    history = await generateHistory(900, 301);
    const work = tempDir('update');
    reference = join(work, 'reference');
    total = exportedCount((await exportFrom(history.dir, reference)).stdout);
    archive = join(work, 'archive');
    device1 = deviceSlice(history, undefined, history.thirds[1]);
    await exportFrom(device1, archive, 'txt,html,pdf');
    attachmentsAfterRun1 = filesOf(join(archive, 'attachments'));
    device2 = deviceSlice(history, history.thirds[0], undefined);
    purged = total - exportedCount((await exportFrom(device2, join(work, 'device2-alone'))).stdout);
    const run1 = await exportFrom(device1, join(work, 'device1-alone'));
    expect(run1.stdout).not.toMatch(/^ {2}since the last run:/m);
    const run2 = await exportFrom(device2, archive, 'txt,html,pdf');
    expect(exportedCount(run2.stdout)).toBe(total);
    expect(run2.stdout).toMatch(new RegExp(`^  since the last run: [\\d,]+ messages added, [\\d,]+ changed, ${purged.toLocaleString('en-US')} newly not on the device \\(kept by this archive\\)$`, 'm'));
  });

  it('holds every message of the whole history in txt, the purged ones marked', async () => {
    expect(purged).toBeGreaterThan(100);
    const got = transcripts(archive);
    const want = transcripts(reference);
    expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
    let marked = 0;
    for (const [name, text] of got) {
      marked += text.split(MARK).length - 1;
      expect(messagesOnly(text), name).toBe(messagesOnly(want.get(name)!));
    }
    expect(marked).toBe(purged);
  });

  it('says in each header how many messages only the archive keeps, with the run that read them and its database’s SHA-256', async () => {
    const sha256 = createHash('sha256').update(readFileSync(join(device1, 'chat.db'))).digest('hex');
    let kept = 0;
    for (const [name, text] of transcripts(archive)) {
      const header = /^Kept by this archive: ([\d,]+) messages? no longer in the sources, first read by the run of:\n {2}(.*)$/m.exec(text);
      const marks = text.split(MARK).length - 1;
      expect(header ? Number(header[1]!.replace(/,/g, '')) : 0, name).toBe(marks);
      if (!header) continue;
      kept += marks;
      expect(header[2]).toMatch(new RegExp(`^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d from chat\\.db at .*chat\\.db \\(SHA-256 ${sha256}\\)$`));
    }
    expect(kept).toBe(purged);
    const covers = readdirSync(archive).filter((f) => f.endsWith('.pdf'))
      .map((f) => execFileSync('pdftotext', ['-l', '1', join(archive, f), '-'], { encoding: 'utf8' }).replace(/\s+/g, ' '));
    expect(covers.filter((cover) => cover.includes('Kept by this archive') && cover.includes(sha256)).length).toBeGreaterThan(0);
  });

  it('marks the purged messages in HTML and PDF too', async () => {
    const pages = filesOf(join(archive, 'conversations')).filter((f) => f.endsWith('.html'));
    const html = pages.map((p) => readFileSync(join(archive, 'conversations', p), 'utf8')).join('');
    // Reply threads show some messages a second time, so the pages hold at least one mark per purged message.
    expect(html.split(MARK).length - 1).toBeGreaterThanOrEqual(purged);
    const pdfs = readdirSync(archive).filter((f) => f.endsWith('.pdf'));
    const text = pdfs.map((f) => execFileSync('pdftotext', [join(archive, f), '-'], { encoding: 'utf8' })).join('').replace(/\s+/g, ' ');
    // A message longer than the PDF lays out at once is drawn as several pieces, each with its notes.
    expect(text.split(MARK).length - 1).toBeGreaterThanOrEqual(purged);
  });

  it('dates the absence in the export’s time zone, as every other date', async () => {
    for (const zone of ['Pacific/Kiritimati', 'Pacific/Pago_Pago']) {
      const out = join(tempDir('absence-zone'), 'out');
      const run = await runCli(['export', '--archive', archive, '--out', out, '--format', 'txt,json', '--timezone', zone, '--quiet']);
      expect(run.code, run.stderr).toBe(0);
      const absentSince = [...readJsonFiles(out).values()].flatMap((file) => file.messages).find((m) => m.absentSince)!.absentSince!;
      const day = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(absentSince));
      expect([...transcripts(out).values()].join('')).toContain(`${MARK}${day}`);
    }
  });

  it('keeps the attachments copied in run 1', async () => {
    expect(attachmentsAfterRun1.length).toBeGreaterThan(3);
    const now = new Set(filesOf(join(archive, 'attachments')));
    for (const file of attachmentsAfterRun1) expect(now.has(file), file).toBe(true);
    expect((await runCli(['verify', archive])).code).toBe(0);
  });

  it('shows each run in the HTML index (time, version, sources with their SHA-256, counts)', async () => {
    const index = readFileSync(join(archive, 'index.html'), 'utf8');
    const runs = /<section class="runs">[^]*?<\/section>/.exec(index)?.[0] ?? '';
    const rows = runs.split('<tbody>')[1]?.match(/<tr>[^]*?<\/tr>/g) ?? [];
    expect(rows).toHaveLength(2);
    const hashOf = (device: string) => createHash('sha256').update(readFileSync(join(device, 'chat.db'))).digest('hex');
    expect(rows[0]).toContain(`SHA-256 ${hashOf(device1)}`);
    expect(rows[1]).toContain(`SHA-256 ${hashOf(device2)}`);
    expect(rows[1]).toContain(`${purged.toLocaleString('en-US')} newly not on the device`);
    expect(rows.every((row) => /<td>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d<\/td>\s*<td>\d+\.\d+\.\d+<\/td>/.test(row))).toBe(true);
  });

  it('reproduces the same transcripts from the archive alone', async () => {
    const copy = join(tempDir('from-archive'), 'out');
    const result = await runCli(['export', '--archive', archive, '--out', copy, '--format', 'txt', '--no-progress']);
    expect(result.stderr).toBe('');
    expect(exportedCount(result.stdout)).toBe(total);
    // The copy read every message from the archive: its headers name the databases the archive recorded, through it.
    const strip = (all: Map<string, string>) => new Map([...all].map(([name, text]) => [name, withoutKept(text)]));
    expect(strip(transcripts(copy))).toEqual(strip(transcripts(archive)));
    // The device's two copies (each in a folder of its own) are one source, named as the latest run read it.
    const { store, db2 } = recordedHashes();
    const through = `, read through the textkeeper archive ${archive} (its store's SHA-256 ${store}), which had them from chat.db at ${join(device2, 'chat.db')} (SHA-256 ${db2}, as read `;
    const texts = readdirSync(copy).filter((f) => f.endsWith('.txt')).map((f) => readFileSync(join(copy, f), 'utf8'));
    for (const text of texts) {
      expect(text).toContain(through);
      expect(text).not.toMatch(/, which had them from .* and /);
    }
    // What only the archive keeps is told by the run that first read it (device 1's database), through the archive:
    // not by the database the archive read last, which lacks it, nor by the copy's own run.
    const kept = (text: string) => /^Kept by this archive: .*\n {2}(.*)$/m.exec(text)?.[1];
    const own = transcripts(archive);
    let told = 0;
    for (const [name, text] of transcripts(copy)) {
      const [, began, source, sha256] = /^(.+?) from (.+) \(SHA-256 (\w+)\)$/.exec(kept(own.get(name)!) ?? '') ?? [];
      if (began === undefined) continue;
      expect(kept(text), name).toBe(`${began} from ${source} (SHA-256 ${sha256}, as read ${began}), through archive ${archive} (SHA-256 ${store})`);
      told++;
    }
    expect(told).toBeGreaterThan(0);
    expect(existsSync(join(copy, 'SHA256SUMS'))).toBe(true);
    // The copy then updated from the device: what it kept through the archive is still told so.
    const before = new Map([...transcripts(copy)].map(([name, text]) => [name, kept(text)]));
    const update = await exportFrom(device2, copy);
    expect(new Map([...transcripts(copy)].map(([name, text]) => [name, kept(text)]))).toEqual(before);
    // The device's database read by the copy and the same database read through the archive are told apart.
    const db = `chat.db at ${join(device2, 'chat.db')}`;
    for (const file of readdirSync(copy).filter((f) => f.endsWith('.txt'))) {
      expect(readFileSync(join(copy, file), 'utf8')).toContain(` from ${db}; ${db}, through archive ${archive}.\n`);
    }
    expect(update.stdout).toContain(` only in ${db}\n`);
    expect(update.stdout).toContain(` only in ${db}, through archive ${archive}\n`);
  });

  it('reproduces the same HTML pages and PDF text from the archive alone', async () => {
    const copy = join(tempDir('from-archive-html'), 'out');
    const result = await runCli(['export', '--archive', archive, '--out', copy, '--format', 'html,pdf', '--no-progress']);
    expect(result.stderr).toBe('');
    // What legitimately differs: when each was exported, the Runs section (the copy is a first run), and
    // thumbnails' names (made from the path of the file they show: the device's, then the archive's copy).
    const exported = /(Exported by textkeeper on|exported) [^<]*? from /g;
    // The copy's headers also say which archive they were read through (see the transcripts above).
    const through = /, read through the textkeeper archive [^<]*?(?=\. Times are|<\/p>)/g;
    const html = (out: string, files: string[]) => files.map((f) => readFileSync(join(out, f), 'utf8')
      .replace(exported, '$1 … from ').replace(through, '').replace(/<section class="runs">[^]*?<\/section>\n/, '').replace(/<details class="range kept">[^]*?<\/details>/, '').replace(/thumbs\/\w+\/\w+\./g, 'thumbs/….'));
    const pages = filesOf(join(archive, 'conversations')).map((p) => join('conversations', p));
    expect(filesOf(join(copy, 'conversations')).map((p) => join('conversations', p))).toEqual(pages);
    expect(html(copy, [...pages, 'index.html', 'search.html'])).toEqual(html(archive, [...pages, 'index.html', 'search.html']));
    // Search data lists conversations in the order the run shared them out (sizes differ between a device and a store).
    const searchManifest = (out: string) => {
      const manifest = JSON.parse(/= (\{.*\});/.exec(readFileSync(join(out, 'search', 'manifest.js'), 'utf8'))![1]!) as { entries: number; conversations: object[] };
      return { entries: manifest.entries, conversations: manifest.conversations.map((c) => JSON.stringify(c)).sort() };
    };
    expect(searchManifest(copy)).toEqual(searchManifest(archive));
    // A PDF's cover names its sources (the archive folder here): the conversation's pages after it must match.
    const pdfs = readdirSync(archive).filter((f) => f.endsWith('.pdf')).sort();
    expect(readdirSync(copy).filter((f) => f.endsWith('.pdf')).sort()).toEqual(pdfs);
    const text = (out: string, file: string) => execFileSync('pdftotext', ['-f', '2', join(out, file), '-'], { encoding: 'utf8' }).replace(/Exported \d{4}-\d\d-\d\d \d\d:\d\d(:\d\d)?/g, 'Exported …');
    for (const pdf of pdfs) expect(text(copy, pdf), pdf).toBe(text(archive, pdf));
    // Its cover names the databases the archive recorded, then the archive they came through.
    const { store, db2 } = recordedHashes();
    const cover = execFileSync('pdftotext', ['-l', '1', join(copy, pdfs[0]!), '-'], { encoding: 'utf8' });
    expect(cover).toContain(`chat.db at ${join(device2, 'chat.db')}\nSHA-256: ${db2}\nAs read `);
    expect(cover).toMatch(/Source[^]*Through\s+textkeeper archive/);
    expect(cover).not.toContain('Source 2');
    expect(cover).toContain(`${archive}\nDatabase file: ${join(archive, 'textkeeper.sqlite')}\nSHA-256: ${store}`);
    for (const page of ['index.html', ...pages.filter((p) => p.endsWith('.html'))]) {
      expect(readFileSync(join(copy, page), 'utf8'), page).toContain(`, read through the textkeeper archive ${archive} (its store&#x27;s SHA-256 ${store}), which had them from chat.db at `);
    }
  });

  it('adds a format to the archive from what it keeps alone (--archive and --out the same folder), its other files as they were', async () => {
    const copy = join(tempDir('add-format'), 'archive');
    cpSync(archive, copy, { recursive: true, preserveTimestamps: true });
    const before = new Map(filesOf(copy).map((file) => [file, readFileSync(join(copy, file))]));
    const result = await runCli(['export', '--archive', copy, '--out', copy, '--format', 'json', '--no-progress']);
    expect(result.stderr).toBe('');
    expect(exportedCount(result.stdout)).toBe(total);
    const files = readJsonFiles(copy);
    expect([...files.keys()].sort()).toEqual([...transcripts(copy).keys()].map((name) => name.replace(/\.txt$/, '')).sort());
    expect([...files.values()].reduce((n, f) => n + f.messages.length, 0)).toBe(total);
    for (const [file, bytes] of before) {
      if (/\.(txt|pdf)$/.test(file)) expect(readFileSync(join(copy, file)).equals(bytes), file).toBe(true);
    }
    await expect(runCli(['verify', copy])).resolves.toMatchObject({ code: 0, stdout: expect.stringMatching(/^Intact: /) });
  });

  it('gives every message in JSON, NDJSON and CSV from the archive alone, the purged ones marked', async () => {
    const out = join(tempDir('from-archive-data'), 'out');
    const result = await runCli(['export', '--archive', archive, '--out', out, '--format', 'json,ndjson,csv', '--no-progress']);
    expect(result.stderr).toBe('');
    const lines = readNdjson(join(out, 'messages.ndjson'));
    expect(lines).toHaveLength(total);
    const validate = schemaValidators();
    for (const line of lines) expect(validate.message(line), line.guid).toBe('');
    const absent = lines.filter((l) => (l as { absentSince?: string }).absentSince);
    expect(absent).toHaveLength(purged);
    const files = readJsonFiles(out);
    for (const [stem, file] of files) {
      expect(validate.conversation(file), stem).toBe('');
      const rows = parse(readFileSync(join(out, `${stem}.csv`)), { bom: true, columns: true }) as Record<string, string>[];
      expect(rows.map((r) => [r.guid, r.not_on_device_since])).toEqual(
        file.messages.map((m) => [m.guid, (m as { absentSince?: string }).absentSince ?? '']),
      );
    }
    expect([...files.values()].reduce((n, f) => n + f.messages.length, 0)).toBe(total);
    // Each conversation says how many of its messages only the archive keeps, and the run of the archive that first
    // read them, from device 1's database (the one that had them), through the archive.
    const db1 = createHash('sha256').update(readFileSync(join(device1, 'chat.db'))).digest('hex');
    for (const [stem, file] of files) {
      const { keptOnly } = file.conversation as { keptOnly?: { messages: number; runs: { sources: { description: string }[] }[] } };
      const absentHere = file.messages.filter((m) => (m as { absentSince?: string }).absentSince).length;
      expect(keptOnly?.messages ?? 0, stem).toBe(absentHere);
      if (!keptOnly) continue;
      expect(keptOnly.runs.map((run) => run.sources.map((source) => source.description))).toEqual([[`archive ${archive}`]]);
      const recorded = (keptOnly.runs[0]!.sources[0] as { recorded?: { description: string; sha256: string }[] }).recorded;
      expect(recorded?.map(({ description, sha256 }) => [description, sha256])).toEqual([[`chat.db at ${join(device1, 'chat.db')}`, db1]]);
    }
  });

  it('lists and counts the archive alone: list and stats with --archive see the purged messages too', async () => {
    const list = await runCli(['list', '--archive', archive, '--json']);
    expect(list.stderr).toBe('');
    const conversations = JSON.parse(list.stdout) as { title: string; messageCount: number }[];
    expect(conversations).toHaveLength(transcripts(archive).size);
    expect(conversations.reduce((n, c) => n + c.messageCount, 0)).toBe(total);
    // As a table, the messages only the archive keeps have a column of their own.
    const table = (await runCli(['list', '--archive', archive])).stdout.trim().split('\n');
    const columns = table[0]!.split(/\s{2,}/);
    expect(columns).toContain('KEPT ONLY');
    const keptColumn = columns.indexOf('KEPT ONLY') - columns.length;
    expect(table.slice(1).reduce((n, row) => n + Number(row.split(/\s{2,}/).at(keptColumn)!.replace(/,/g, '')), 0)).toBe(purged);
    const stats = await runCli(['stats', '--archive', archive, '--json']);
    expect(stats.stderr).toBe('');
    const numbers = JSON.parse(stats.stdout) as {
      total: { messages: number; keptOnly: number };
      conversations: { conversation: { title: string; keptOnly?: { messages: number } }; stats: { keptOnly: number; keptOnlyEvents: number } }[];
    };
    expect(numbers.conversations.map((c) => c.conversation.title).sort()).toEqual(conversations.map((c) => c.title).sort());
    // Messages only the archive keeps, group events left out as stats leaves them out of every count.
    expect(numbers.total.keptOnly).toBe(numbers.conversations.reduce((sum, c) => sum + c.stats.keptOnly, 0));
    expect(numbers.total.keptOnly).toBeGreaterThan(0);
    for (const c of numbers.conversations) expect(c.stats.keptOnly + c.stats.keptOnlyEvents).toBe(c.conversation.keptOnly?.messages ?? 0);
    const keptLine = new RegExp(`^  kept only by this archive: ${numbers.total.keptOnly.toLocaleString('en-US')} messages?( \\(and [\\d,]+ group events?\\))?, no longer in the sources$`, 'm');
    expect((await runCli(['stats', '--archive', archive])).stdout).toMatch(keptLine);
    const both = await runCli(['list', '--archive', archive, '--db', join(device2, 'chat.db')]);
    expect(both.code).toBe(1);
    expect(both.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('gives one conversation from the archive alone with --chat', async () => {
    const [first] = [...transcripts(archive).keys()];
    const title = /^Conversation: (.*)$/m.exec(readFileSync(join(archive, first!), 'utf8'))![1]!;
    const out = join(tempDir('from-archive-chat'), 'out');
    const result = await runCli(['export', '--archive', archive, '--out', out, '--chat', title, '--format', 'txt', '--no-progress']);
    expect(result.code).toBe(0);
    expect(readdirSync(out).filter((f) => f.endsWith('.txt'))).toContain(first);
    // A name misspelled is answered with the archive's closest names, as a device's would be.
    const named = [...transcripts(archive).values()].map((text) => /^Conversation: (.*)$/m.exec(text)![1]!).find((t) => /^\p{L}{4,}/u.test(t))!;
    const misspelled = await runCli(['export', '--archive', archive, '--out', join(tempDir('from-archive-chat'), 'out'), '--chat', `${named.slice(0, 2)}q${named.slice(3)}`, '--format', 'txt', '--no-progress']);
    expect(misspelled.code).toBe(1);
    expect(misspelled.stderr).toContain(`closest: “${named}”`);
  });

  it('keeps every file on a third run that finds nothing new, and says so', async () => {
    const before = transcripts(archive);
    const run3 = await exportFrom(device2, archive, 'txt,html,pdf');
    expect(exportedCount(run3.stdout)).toBe(total);
    const conversations = Number(/^Exported (\d+) conversations?/m.exec(run3.stdout)![1]);
    expect(run3.stdout).toContain(`  ${conversations} conversation${conversations === 1 ? '' : 's'} unchanged since the last run: ${conversations === 1 ? 'its' : 'their'} files were kept`);
    expect(run3.stdout).not.toMatch(/^ {2}since the last run:/m);
    // What sources the messages came from is counted as files are written: none were.
    expect(run3.stdout).not.toMatch(/in every source|only in/);
    expect(transcripts(archive)).toEqual(before);
    expect((await runCli(['verify', archive])).code).toBe(0);
  });
});
