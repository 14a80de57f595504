// Issue #10 item 1: damage is found, named and counted; what can be read is exported; --no-check skips the check.
import { createHash } from 'node:crypto';
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../support/cli.js';
import { writeBackup } from '../../src/generate/backup.js';
import { pdfText, pdfToolsPresent, squash } from '../pdf/pdf-tools.js';
import { addAttachment, addMessage, expectOneLine, liveMessages, makeBase, spoiledCopy } from './support.js';
import { parse } from 'csv-parse/sync';
import { readNdjson, schemaValidators } from '../data/support.js';
import { walChecksum } from '../../src/read/database-pages.js';

const PAGE = 4096;

/** Changes bytes of one page of a database file. */
function patchPage(path: string, page: number, patch: (bytes: Buffer, offset: number) => void): void {
  const bytes = readFileSync(path);
  patch(bytes, (page - 1) * PAGE);
  writeFileSync(path, bytes);
}

function leafPage(path: string, name: string, type: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare('SELECT pageno FROM dbstat WHERE name = ? AND pagetype = ? AND ncell > 3 ORDER BY pageno LIMIT 1').pluck().get(name, type) as number;
  } finally {
    db.close();
  }
}

/** Pages of a b-tree of this type ('leaf', 'internal'), most cells first. */
function pagesOf(path: string, name: string, type: string): { page: number; cells: number }[] {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare('SELECT pageno AS page, ncell AS cells FROM dbstat WHERE name = ? AND pagetype = ? ORDER BY ncell DESC, pageno').all(name, type) as { page: number; cells: number }[];
  } finally {
    db.close();
  }
}

/** A page overwritten whole: with zeros, or with bytes that mean nothing. */
function overwrite(path: string, page: number, fill: 'zeros' | 'noise'): void {
  patchPage(path, page, (bytes, at) => {
    for (let i = 0; i < PAGE; i++) bytes[at + i] = fill === 'zeros' ? 0 : (i * 2654435761) >>> 24;
  });
}

/** A page between a table's first page and its leaves. */
function branchPage(path: string, table: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare("SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'internal' AND path != '/' ORDER BY pageno LIMIT 1").pluck().get(table) as number;
  } finally {
    db.close();
  }
}

/** Turns the database to WAL mode and gives it a -wal whose one committed frame holds `bytes` as this page. */
function writeWal(path: string, page: number, bytes: Buffer): void {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.close();
  const header = Buffer.alloc(32);
  header.writeUInt32BE(0x377f0682, 0);
  header.writeUInt32BE(3007000, 4);
  header.writeUInt32BE(PAGE, 8);
  header.writeUInt32BE(0x51, 16);
  header.writeUInt32BE(0x52, 20);
  let sum = walChecksum(header.subarray(0, 24), [0, 0], false);
  header.writeUInt32BE(sum[0], 24);
  header.writeUInt32BE(sum[1], 28);
  const frame = Buffer.alloc(24 + PAGE);
  bytes.copy(frame, 24);
  frame.writeUInt32BE(page, 0);
  frame.writeUInt32BE(statSync(path).size / PAGE, 4);
  header.copy(frame, 8, 16, 24);
  sum = walChecksum(frame.subarray(24), walChecksum(frame.subarray(0, 8), sum, false), false);
  frame.writeUInt32BE(sum[0], 16);
  frame.writeUInt32BE(sum[1], 20);
  writeFileSync(`${path}-wal`, Buffer.concat([header, frame]));
}

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

/** The ROWIDs of a table the run said could not be read. */
function lostRowIds(stderr: string, table: string): number[] {
  return [...stderr.matchAll(new RegExp(`: ${table} ROWID (\\d+)[^\\n]* could not be read; it is not in the archive`, 'g'))].map((m) => Number(m[1]));
}

/** Messages a sound export shows of these rows (neither tapbacks nor stickers placed on a message). */
function shownAmong(path: string, ids: number[]): number {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare('SELECT COUNT(*) FROM message WHERE ROWID IN (SELECT value FROM json_each(?)) AND NOT associated_message_type BETWEEN 1000 AND 3999').pluck().get(JSON.stringify(ids)) as number;
  } finally {
    db.close();
  }
}

const exportedMessages = (stdout: string) => Number(/Exported [\d,]+ conversations?, ([\d,]+) messages?/.exec(stdout)![1]!.replace(/,/g, ''));

describe('a damaged database', () => {
  const dir = tempDir('damage');
  let base = '';

  beforeAll(async () => {
    base = await makeBase(dir, 300);
  });

  it('a bad cell pointer in a message page: the lost message is named, the rest exported, exit 3', async () => {
    const db = spoiledCopy(base, dir, 'cell');
    const page = leafPage(db, 'message', 'leaf');
    // The first cell pointer made equal to the second: SQLite then yields no row for the first message.
    patchPage(db, page, (bytes, at) => bytes.writeUInt16BE(bytes.readUInt16BE(at + 10), at + 8));
    const result = await runCli(['export', '--db', db, '--out', join(dir, 'out-cell')]);
    expect(result.code, result.stderr).toBe(3);
    expect(result.stderr).toMatch(new RegExp(`is damaged: table message \\(tree \\d+\\) page ${page} cell 0`));
    expect(result.stderr).toMatch(/message ROWID \d+ \(GUID [0-9A-F-]+\) could not be read; it is not in the archive/);
    expect(result.stderr).toMatch(/textkeeper: the database is damaged; everything readable was exported, 1 row could not be read \(see above\)\.$/m);
    expect(result.stdout).toMatch(/^Exported \d+ conversations/);
    // The summary counts the warning lines of the damage.
    const warned = result.stderr.split('\n').filter((line) => line.startsWith('warning: ')).length;
    expect(warned).toBeGreaterThan(0);
    expect(result.stdout).toContain(`, ${warned} warning${warned === 1 ? '' : 's'} in `);
    expect(result.stderr).not.toMatch(/\n\s+at /);

    const list = await runCli(['list', '--db', db]);
    expect(list.code).toBe(3);
    expect(list.stderr).toMatch(/^textkeeper: the database is damaged; 1 row could not be read \(see above\)\.$/m);
    // Read beside a sound database, the closing line names the damaged one.
    const beside = await runCli(['list', '--db', base, '--db', db]);
    expect(beside.code).toBe(3);
    expect(beside.stderr).toContain(`\ntextkeeper: chat.db at ${db} is damaged; 1 row could not be read (see above).\n`);

    const unchecked = await runCli(['export', '--db', db, '--out', join(dir, 'out-unchecked'), '--no-check', '--quiet']);
    expect(unchecked.code).toBe(0);
    expect(unchecked.stderr).toBe('');
  });

  it('a copy torn between two moments (pages from before and after Messages wrote): the likely cause is said, for a Mac database only', async () => {
    const before = spoiledCopy(base, dir, 'torn');
    const after = spoiledCopy(base, dir, 'torn-after', (db) => {
      for (let i = 0; i < 200; i++) addMessage(db, { text: `arrived during the copy ${i}` });
      db.exec('DELETE FROM message WHERE ROWID % 7 = 0');
    });
    // The first half of the file as it was, the rest as it is now: a copy made while Messages was writing.
    const [old, now] = [readFileSync(before), readFileSync(after)];
    const half = Math.floor(old.length / PAGE / 2) * PAGE;
    writeFileSync(before, Buffer.concat([old.subarray(0, half), now.subarray(half)]));
    const cause = /^textkeeper: if this chat\.db is a copy, it was likely made while Messages was writing to it: copy chat\.db again together with chat\.db-wal and chat\.db-shm while Messages is closed .*, then run again\.$/m;

    const result = await runCli(['export', '--db', before, '--out', join(dir, 'out-torn'), '--quiet']);
    expect(result.code, result.stderr).toBe(3);
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines.at(-2)).toMatch(/^textkeeper: the database is damaged; everything readable was exported, [\d,]+ rows? could not be read \(see above\)\.$/);
    expect(lines.at(-1)).toMatch(cause);
    const list = await runCli(['list', '--db', before]);
    expect(list.code).toBe(3);
    expect(list.stderr.trimEnd().split('\n').at(-1)).toMatch(cause);

    // An iPhone backup's database is no copy of a live one: its damage is said without the advice.
    const backup = join(dir, 'torn-backup');
    await writeBackup({ chatDb: before, attachmentsDir: join(base, '..', 'Attachments'), outDir: backup, seed: 3 });
    const fromBackup = await runCli(['export', '--backup', backup, '--out', join(dir, 'out-torn-backup'), '--quiet']);
    expect(fromBackup.code, fromBackup.stderr).toBe(3);
    expect(fromBackup.stderr).toMatch(/^textkeeper: the database is damaged;/m);
    expect(fromBackup.stderr).not.toMatch(/chat\.db is a copy/);
  });

  it('a damaged index page is named; no message is lost', async () => {
    const db = spoiledCopy(base, dir, 'index');
    const page = leafPage(db, 'sqlite_autoindex_message_1', 'leaf');
    patchPage(db, page, (bytes, at) => bytes.writeUInt16BE(bytes.readUInt16BE(at + 10), at + 8));
    const out = join(dir, 'out-index');
    const result = await runCli(['export', '--db', db, '--out', out]);
    expect(result.code, result.stderr).toBe(3);
    expect(result.stderr).toMatch(/is damaged: .*page \d+.*sqlite_autoindex_message_1/);
    expect(result.stderr).toMatch(/no row was lost/);
    // No file says a row is missing from it.
    for (const name of readdirSync(out).filter((f) => f.endsWith('.txt'))) expect(readFileSync(join(out, name), 'utf8'), name).not.toContain('Damaged:');
  });

  it('a message whose stored text cannot be read is exported without it, with a note; its conversation is not skipped; exit 3', async () => {
    const overflowPages = (d: Database.Database) => d.prepare("SELECT pageno FROM dbstat WHERE name = 'message' AND pagetype = 'overflow'").pluck().all() as number[];
    let added: number[] = [];
    const db = spoiledCopy(base, dir, 'overflow', (d) => {
      const before = new Set(overflowPages(d));
      addMessage(d, { text: 'overflowing '.repeat(3000) }, 'BIG-TEXT');
      added = overflowPages(d).filter((page) => !before.has(page));
    });
    // The first overflow page of the new message's text points on to a page that does not exist.
    patchPage(db, Math.min(...added), (bytes, at) => bytes.writeUInt32BE(999_999, at));
    const out = join(dir, 'out-overflow');
    const result = await runCli(['export', '--db', db, '--out', out, '--format', 'json']);
    expect(result.code, result.stderr).toBe(3);
    // The columns stored after the text are lost with it, but its date is also kept in chat_message_join.
    const note = /Part of this message could not be read from the damaged database \(text, [^)]+\); it is shown without it\./;
    expect(result.stderr).toMatch(new RegExp(`^warning: message BIG-TEXT: ${note.source}$`, 'm'));
    expect(result.stderr).not.toMatch(/BIG-TEXT: Its date is missing/);
    expect(result.stderr).not.toMatch(/skipped the conversation/);
    expect(result.stderr).toMatch(/^textkeeper: the database is damaged; everything readable was exported, no row was lost \(see above\)\.$/m);
    const file = readdirSync(out).find((name) => name.endsWith('.json') && readFileSync(join(out, name), 'utf8').includes('BIG-TEXT'))!;
    expect(readFileSync(join(out, file), 'utf8')).toMatch(note);
    expect(readFileSync(join(out, file), 'utf8')).not.toContain('overflowing');
  });

  describe('a page overwritten whole: every other row is exported, the lost ones are named and counted, exit 3', () => {
    let sound = 0;
    beforeAll(async () => {
      sound = exportedMessages((await runCli(['export', '--db', base, '--out', join(dir, 'out-sound'), '--quiet'])).stdout);
    });

    // Eleven runs of the command line (for zeros), two of them PDF exports of the whole database: on a machine
    // loaded far beyond its two cores this took longer than the 180 s a test has by default.
    for (const fill of ['zeros', 'noise'] as const) {
      it(`a leaf page of the message table (${fill})`, { timeout: 600_000 }, async () => {
        const db = spoiledCopy(base, dir, `leaf-${fill}`);
        const { page, cells } = pagesOf(db, 'message', 'leaf')[0]!;
        overwrite(db, page, fill);
        const before = sha256(db);
        const result = await runCli(['export', '--db', db, '--out', join(dir, `out-leaf-${fill}`)]);
        expect(result.code, result.stderr).toBe(3);
        expect(result.stderr).toMatch(new RegExp(`is damaged: table message \\(tree \\d+\\) page ${page}: the page cannot be read`));
        const lost = lostRowIds(result.stderr, 'message');
        expect(lost).toHaveLength(cells);
        expect(result.stderr).toMatch(new RegExp(`textkeeper: the database is damaged; everything readable was exported, ${cells} rows could not be read \\(see above\\)\\.$`, 'm'));
        expect(result.stderr).not.toMatch(/skipped the conversation|\n\s+at /);
        expect(exportedMessages(result.stdout)).toBe(sound - shownAmong(base, lost));
        expect(sha256(db)).toBe(before);

        // Unchecked, the rows a damaged page hid are still said to be missing, though not named.
        const unchecked = await runCli(['export', '--db', db, '--out', join(dir, `out-leaf-${fill}-unchecked`), '--no-check', '--quiet']);
        expect(unchecked.code, unchecked.stderr).toBe(3);
        expect(unchecked.stderr).toMatch(/: a damaged page stopped reading it; the rows on it are not in the archive \(without --no-check, the check would name them\)$/m);
        expect(unchecked.stderr).toMatch(/^textkeeper: the database is damaged; everything readable was exported, an unknown number of rows could not be read \(see above\)\.$/m);
        expect(exportedMessages(unchecked.stdout)).toBe(exportedMessages(result.stdout));

        if (fill === 'zeros') {
          // The header of every transcript, HTML page and JSON file says so too, and every NDJSON line and CSV row.
          const line = `Damaged: the database check of ${db} found damage; a row it could not read is not in this file (the export named each)`;
          const out = join(dir, 'out-leaf-files');
          const files = await runCli(['export', '--db', db, '--out', out, '--format', 'txt,html,json,ndjson,csv', '--quiet']);
          expect(files.code, files.stderr).toBe(3);
          const soundOut = join(dir, 'out-sound-files');
          expect((await runCli(['export', '--db', base, '--out', soundOut, '--format', 'txt,html,json,ndjson,csv', '--quiet'])).code).toBe(0);
          const stems = readdirSync(out).filter((name) => name.endsWith('.txt')).map((name) => name.slice(0, -4));
          expect(stems.length).toBeGreaterThan(1);
          const pages = readdirSync(join(out, 'conversations'), { recursive: true }).map(String).filter((name) => name.endsWith('.html'));
          expect(pages.length).toBeGreaterThanOrEqual(stems.length);
          for (const stem of stems) {
            const header = readFileSync(join(out, `${stem}.txt`), 'utf8').split('\n\n')[0]!;
            expect(header.split('\n').at(-1), stem).toBe(line);
            const file = JSON.parse(readFileSync(join(out, `${stem}.json`), 'utf8'));
            expect(file.damagedSources, stem).toEqual([db]);
            expect(schemaValidators().conversation(file), stem).toBe('');
            expect(readFileSync(join(soundOut, `${stem}.txt`), 'utf8'), stem).not.toContain('Damaged:');
            expect(JSON.parse(readFileSync(join(soundOut, `${stem}.json`), 'utf8')).damagedSources, stem).toBeUndefined();
            const rows = parse(readFileSync(join(out, `${stem}.csv`)), { bom: true, columns: true }) as Record<string, string>[];
            expect(new Set(rows.map((row) => row.damaged_sources)), stem).toEqual(new Set([db]));
            const soundRows = parse(readFileSync(join(soundOut, `${stem}.csv`)), { bom: true, columns: true }) as Record<string, string>[];
            expect(new Set(soundRows.map((row) => row.damaged_sources)), stem).toEqual(new Set(['']));
          }
          const lines = readNdjson(join(out, 'messages.ndjson'));
          expect(lines.length).toBe(exportedMessages(files.stdout));
          const validate = schemaValidators();
          for (const line of lines) {
            expect((line as { damagedSources?: string[] }).damagedSources).toEqual([db]);
            expect(validate.message(line)).toBe('');
          }
          expect(readNdjson(join(soundOut, 'messages.ndjson')).filter((line) => 'damagedSources' in line)).toEqual([]);
          for (const page of pages) {
            expect(/<header class="thread-head">[^]*?<\/header>/.exec(readFileSync(join(out, 'conversations', page), 'utf8'))![0], page).toContain(`<p class="range damaged">${line}</p>`);
            expect(readFileSync(join(soundOut, 'conversations', page), 'utf8'), page).not.toContain('Damaged:');
          }
        }

        if (fill === 'zeros') {
          // Once the database is restored, the next run into the archive writes every file again without it;
          // a run from the same damaged database keeps them.
          const restored = spoiledCopy(base, dir, 'leaf-restored');
          overwrite(restored, page, fill);
          const out = join(dir, 'out-leaf-restored');
          const run = () => runCli(['export', '--db', restored, '--out', out, '--format', 'txt,json']);
          expect((await run()).code).toBe(3);
          const again = await run();
          expect(again.stdout).toMatch(/\b(\d+) conversations unchanged since the last run/);
          const damaged = () => readdirSync(out).filter((name) => /\.(txt|json)$/.test(name) && /Damaged:|damagedSources/.test(readFileSync(join(out, name), 'utf8')));
          expect(damaged().length).toBe(readdirSync(out).filter((name) => /\.(txt|json)$/.test(name)).length);
          copyFileSync(base, restored);
          const sound = await run();
          expect(sound.code, sound.stderr).toBe(0);
          expect(damaged()).toEqual([]);
        }

        if (pdfToolsPresent && fill === 'zeros') {
          // A PDF, as handed over, says on its cover that its source was damaged.
          const out = join(dir, 'out-leaf-pdf');
          const pdf = await runCli(['export', '--db', db, '--out', out, '--format', 'pdf', '--quiet']);
          expect(pdf.code, pdf.stderr).toBe(3);
          const file = readdirSync(out).find((name) => name.endsWith('.pdf'))!;
          expect(squash(pdfText(join(out, file), { first: 1, last: 1 }))).toContain(squash('Damaged: the database check found damage; a row it could not read is not in this file (the export named each)'));
          const soundOut = join(dir, 'out-sound-pdf');
          await runCli(['export', '--db', base, '--out', soundOut, '--format', 'pdf', '--quiet']);
          expect(pdfText(join(soundOut, file), { first: 1, last: 1 })).not.toContain('Damaged:');
        }

        for (const command of ['list', 'stats']) {
          const read = await runCli([command, '--db', db]);
          expect(read.code, read.stderr).toBe(3);
          expect(read.stderr).toMatch(new RegExp(`^textkeeper: the database is damaged; ${cells} rows could not be read \\(see above\\)\\.$`, 'm'));
        }
      });
    }

    it('the first page of the message table: its rows are found on its other pages, none is lost', async () => {
      const db = spoiledCopy(base, dir, 'root');
      const { page } = pagesOf(db, 'message', 'internal')[0]!;
      overwrite(db, page, 'zeros');
      const before = sha256(db);
      const result = await runCli(['export', '--db', db, '--out', join(dir, 'out-root')]);
      expect(result.code, result.stderr).toBe(3);
      expect(result.stderr).toMatch(/is damaged: table message: its first page cannot be read; (\d+) of its rows were found on \d+ of its pages no longer linked to it, and are read from there/);
      expect(result.stderr).toMatch(/^textkeeper: the database is damaged; everything readable was exported, no row was lost \(see above\)\.$/m);
      expect(exportedMessages(result.stdout)).toBe(sound);
      expect(sha256(db)).toBe(before);
    });

    // 8,000 messages make the message table's b-tree three pages deep: a page between its first page and its
    // leaves links a third of its rows.
    describe('a page between the first page of the message table and its rows', () => {
      let deep = '';
      let sound = 0;
      beforeAll(async () => {
        deep = await makeBase(join(dir, 'deep'), 8000);
        sound = exportedMessages((await runCli(['export', '--db', deep, '--out', join(dir, 'out-deep'), '--quiet'])).stdout);
      });

      it('the rows below it are found on the pages it linked, none is lost', async () => {
        const db = spoiledCopy(deep, dir, 'branch');
        const branch = branchPage(db, 'message');
        overwrite(db, branch, 'zeros');
        const before = sha256(db);
        const result = await runCli(['export', '--db', db, '--out', join(dir, 'out-branch'), '--quiet']);
        expect(result.code, result.stderr).toBe(3);
        expect(result.stderr).toMatch(new RegExp(`is damaged: table message: page ${branch} of its b-tree, linking part of its rows, cannot be read; 8000 of its rows were found on \\d+ of its pages no longer linked to it, and are read from there`));
        expect(result.stderr).toMatch(/^textkeeper: the database is damaged; everything readable was exported, no row was lost \(see above\)\.$/m);
        expect(exportedMessages(result.stdout)).toBe(sound);
        expect(sha256(db)).toBe(before);
      });

      // A page that is still an interior page by its type but whose cell count no longer fits it: SQLite cannot read it.
      it('one whose cell count is spoiled is as lost, and its rows found the same way', async () => {
        const db = spoiledCopy(deep, dir, 'branch-cells');
        const branch = branchPage(db, 'message');
        patchPage(db, branch, (bytes, at) => bytes.writeUInt16BE(0xffff, at + 3));
        const result = await runCli(['export', '--db', db, '--out', join(dir, 'out-branch-cells'), '--quiet']);
        expect(result.code, result.stderr).toBe(3);
        expect(result.stderr).toMatch(new RegExp(`is damaged: table message: page ${branch} of its b-tree, linking part of its rows, cannot be read; \\d+ of its rows were found`));
        expect(result.stderr).not.toMatch(/RangeError|\n\s+at /);
        expect(exportedMessages(result.stdout)).toBeGreaterThan(sound * 0.95);
      });

      // As a chat.db copied with its -wal: SQLite reads the page from the -wal, and so must the search for lost pages.
      it('lost in the file but written anew in the -wal beside it: nothing is damaged', async () => {
        const db = spoiledCopy(deep, dir, 'branch-wal');
        const branch = branchPage(db, 'message');
        const page = readFileSync(db).subarray((branch - 1) * PAGE, branch * PAGE);
        overwrite(db, branch, 'zeros');
        writeWal(db, branch, page);
        const result = await runCli(['export', '--db', db, '--out', join(dir, 'out-branch-wal'), '--quiet']);
        expect(result.code, result.stderr).toBe(0);
        expect(result.stderr).not.toMatch(/damaged/);
        expect(exportedMessages(result.stdout)).toBe(sound);
      });
    });

    // No message is lost: a join table's rows are in its UNIQUE index too, and the messages of chats that cannot
    // be read are exported as messages without a conversation.
    it('a page of the chat, handle or attachment table, of a join table, or of an index', async () => {
      for (const name of ['chat', 'handle', 'attachment', 'message_attachment_join', 'chat_message_join', 'sqlite_autoindex_message_1']) {
        const db = spoiledCopy(base, dir, `page-${name}`);
        const { page } = pagesOf(db, name, 'leaf')[0]!;
        overwrite(db, page, 'zeros');
        const result = await runCli(['export', '--db', db, '--out', join(dir, `out-page-${name}`), '--quiet']);
        expect(result.code, `${name}: ${result.stderr}`).toBe(3);
        expect(result.stderr).toMatch(new RegExp(`is damaged: (table|index) ${name} \\(tree \\d+\\) page ${page}: `));
        expect(result.stderr).toMatch(/^textkeeper: the database is damaged; everything readable was exported, ([\d,]+ rows? could not be read|no row was lost)/m);
        expect(result.stderr).not.toMatch(/skipped the conversation|\n\s+at /);
        expect(exportedMessages(result.stdout), name).toBe(sound);
      }
    });

    it('a file cut short: what its pages hold is exported, the lost rows counted (as "at least" when they cannot all be known), exit 3', async () => {
      const db = spoiledCopy(base, dir, 'cut');
      const size = statSync(db).size;
      truncateSync(db, Math.floor(size / 2 / PAGE) * PAGE + 100);
      const before = sha256(db);
      const result = await runCli(['export', '--db', db, '--out', join(dir, 'out-cut')]);
      expect(result.code, result.stderr).toBe(3);
      expect(result.stderr).toMatch(new RegExp(`is damaged: the file is cut short: it has [\\d]+ bytes, its header says ${size} \\(\\d+ of its ${size / PAGE} pages are missing, read as empty\\)`));
      // A table whose indexes were all cut too cannot tell how many rows it lost.
      const uncounted = /more rows of its \w+ table may be lost than are listed below \(neither the table nor an index of it can be read whole to count them\)/.test(result.stderr);
      expect(result.stderr).toMatch(new RegExp(`^textkeeper: the database is damaged; everything readable was exported, ${uncounted ? 'at least ' : ''}[\\d,]+ rows could not be read \\(see above\\)\\.$`, 'm'));
      expect(exportedMessages(result.stdout)).toBeGreaterThan(0);
      expect(exportedMessages(result.stdout)).toBeLessThan(sound);
      expect(sha256(db)).toBe(before);

      // Cut within its schema: nothing can be read.
      truncateSync(db, PAGE + 10);
      expectOneLine(await runCli(['export', '--db', db, '--out', join(dir, 'out-cut-short')]), 1, /chat\.db is damaged or not a database \(database disk image is malformed\)\.$/);
    });
  });

  it('a -wal of another database beside it is named as such, not the database: one line, exit 1, nothing changed', async () => {
    const db = spoiledCopy(base, dir, 'foreign-wal');
    const other = new Database(join(dir, 'other.db'));
    other.pragma('journal_mode = WAL');
    other.pragma('wal_autocheckpoint = 0');
    other.exec('CREATE TABLE notes (text); INSERT INTO notes VALUES (1), (2);');
    // Copied while the other database is open: closing it empties its -wal into it.
    copyFileSync(join(dir, 'other.db-wal'), `${db}-wal`);
    other.close();
    const before = [sha256(db), sha256(`${db}-wal`)];
    const result = await runCli(['export', '--db', db, '--out', join(dir, 'out-foreign-wal')]);
    expectOneLine(result, 1, /chat\.db-wal does not belong to .*chat\.db: read with it, the database is a SQLite database but not a Messages database \(no message, chat, handle, chat_message_join table\); read alone, it is a Messages database\. Move the -wal away/);
    expect([sha256(db), sha256(`${db}-wal`)]).toEqual(before);
  });

  it('a -wal copied at another time than the database beside it is named as such, not as damage of the database: one line, exit 1, nothing written', async () => {
    // Messages at work on the Mac: its newest messages are in the -wal until a checkpoint writes them into chat.db.
    const { path: live, db: messages, add } = liveMessages(base, dir, 'wal-live');
    add(20, 'first');
    // chat.db copied alone, then its -wal copied later, after a checkpoint and more messages.
    const folder = join(dir, 'wal-apart');
    mkdirSync(folder);
    const db = join(folder, 'chat.db');
    copyFileSync(live, db);
    messages.pragma('wal_checkpoint(TRUNCATE)');
    add(85, 'later');
    copyFileSync(`${live}-wal`, `${db}-wal`);
    messages.close();
    const before = [sha256(db), sha256(`${db}-wal`)];
    const out = join(dir, 'out-wal-apart');
    const result = await runCli(['export', '--db', db, '--out', out]);
    expectOneLine(result, 1, /chat\.db-wal does not match .*chat\.db \(copied at another time\?\): read with it, the database is damaged; read alone, it is sound\. Copy chat\.db and chat\.db-wal together while Messages is closed, or move the -wal away to read the database as it was last saved\.$/);
    expect(existsSync(out)).toBe(false);
    expect([sha256(db), sha256(`${db}-wal`)]).toEqual(before);
    // As the line says: without the -wal, the database as last saved is exported whole.
    renameSync(`${db}-wal`, join(dir, 'moved-away-wal'));
    const alone = await runCli(['export', '--db', db, '--out', out]);
    expect(alone.code, alone.stderr).toBe(0);
    expect(alone.stderr).not.toMatch(/damaged/);
  });

  it('a damaged page of a backup\'s Manifest.db: the files its rows named are found by their names; exit 3', async () => {
    const backup = join(dir, 'backup');
    await writeBackup({ chatDb: base, attachmentsDir: join(base, '..', 'Attachments'), outDir: backup, seed: 3 });
    const counts = (stdout: string) => /, ([\d,]+ attachments? \([\d,]+ missing\))/.exec(stdout)?.[1];
    const sound = await runCli(['export', '--backup', backup, '--out', join(dir, 'out-backup'), '--quiet']);
    expect(sound.code, sound.stderr).toBe(0);
    // The first page of the Files table holding a file's row (sms.db's, or an attachment's).
    for (const { page } of pagesOf(join(backup, 'Manifest.db'), 'Files', 'leaf')) {
      const spoiled = join(dir, `backup-${page}`);
      cpSync(backup, spoiled, { recursive: true });
      overwrite(join(spoiled, 'Manifest.db'), page, 'zeros');
      const result = await runCli(['export', '--backup', spoiled, '--out', join(dir, `out-backup-${page}`), '--quiet']);
      if (!/its file was found by its name/.test(result.stderr)) continue;
      expect(result.code, result.stderr).toBe(3);
      expect(result.stderr).toMatch(/^warning: iPhone backup: .* is damaged: its Manifest\.db: Library\/SMS\/.+: its row cannot be read \(database disk image is malformed\); its file was found by its name$/m);
      expect(counts(result.stdout)).toBe(counts(sound.stdout));
      expect(exportedMessages(result.stdout)).toBe(exportedMessages(sound.stdout));
      return;
    }
    throw new Error('no page of Manifest.db held a file’s row');
  });

  it('an attachment whose file name a damaged page left a number: its conversation is exported, with a note; exit 0', async () => {
    const db = spoiledCopy(base, dir, 'number-name', (d) => {
      // A column without a type keeps a number as stored, as a damaged record can.
      d.exec('ALTER TABLE attachment RENAME COLUMN filename TO filename_as_stored; ALTER TABLE attachment ADD COLUMN filename; UPDATE attachment SET filename = filename_as_stored');
      d.prepare('UPDATE attachment SET filename = ? WHERE ROWID = (SELECT attachment_id FROM message_attachment_join ORDER BY ROWID LIMIT 1)').run(9104673612189819);
    });
    const result = await runCli(['export', '--db', db, '--out', join(dir, 'out-number-name'), '--quiet']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/^warning: message [\w-]+: attachment\.filename was stored as a number instead of text\.$/m);
    expect(result.stderr).not.toMatch(/skipped the conversation/);
  });

  it('an attachment whose record runs on into a damaged page is exported with what can be read, and a note; exit 3', async () => {
    const overflowPages = (d: Database.Database) => d.prepare("SELECT pageno FROM dbstat WHERE name = 'attachment' AND pagetype = 'overflow'").pluck().all() as number[];
    let added: number[] = [];
    let chat = '';
    const db = spoiledCopy(base, dir, 'attachment-overflow', (d) => {
      const before = new Set(overflowPages(d));
      chat = addAttachment(d, { transfer_name: 'kept.pdf', attribution_info: Buffer.alloc(20_000, 7) });
      added = overflowPages(d).filter((page) => !before.has(page));
    });
    patchPage(db, Math.min(...added), (bytes, at) => bytes.writeUInt32BE(999_999, at));
    const result = await runCli(['export', '--db', db, '--out', join(dir, 'out-attachment-overflow'), '--chat', chat, '--quiet']);
    expect(result.code, result.stderr).toBe(3);
    expect(result.stderr).toMatch(/^warning: message [\w-]+: Part of an attachment's record could not be read from the damaged database \(attributionInfo[^)]*\); it is shown without it\.$/m);
    expect(result.stderr).not.toMatch(/skipped the conversation/);
  });
});
