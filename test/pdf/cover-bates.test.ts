import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, copyFileSync, existsSync, openSync, readdirSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, test } from 'vitest';
import { writeBackup } from '../../src/generate/backup.js';
import { generateChatDb } from '../../src/generate/index.js';
import { ROOT, runCli, tempDir } from '../support/cli.js';
import { writeContacts } from '../../src/generate/contacts.js';
import { pdfInfo, pdfText, pdfToolsPresent, pdfXmp, qpdfCheck, savePng, squash, structureText, structureTree } from './pdf-tools.js';

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
const pdfsOf = (out: string) => readdirSync(out).filter((f) => f.endsWith('.pdf')).sort();

/** The Bates number printed on each page of a PDF, in page order. */
function stampsOf(file: string, prefix: string): string[] {
  const pages = Number(pdfInfo(file).Pages);
  return Array.from({ length: pages }, (_, i) => {
    const found = pdfText(file, { first: i + 1, last: i + 1 }).match(new RegExp(`${prefix}-\\d+`, 'g')) ?? [];
    expect(found, `page ${i + 1} of ${file}`).toHaveLength(1);
    return found[0]!;
  });
}

/** Five more messages in the database's chat `chatGuid`, sent before its first (copies of it, with GUIDs of their own). */
function addEarlierMessages(db: string, chatGuid: string): void {
  const sql = new Database(db);
  const chat = sql.prepare('SELECT ROWID FROM chat WHERE guid = ?').pluck().get(chatGuid) as number;
  const { ROWID: _rowId, ...columns } = sql.prepare(`SELECT m.* FROM message m JOIN chat_message_join j ON j.message_id = m.ROWID
    WHERE j.chat_id = ? AND m.associated_message_type = 0 AND m.text IS NOT NULL ORDER BY m.date LIMIT 1`).get(chat) as Record<string, unknown>;
  for (let i = 1; i <= 5; i++) {
    const date = (columns.date as number) - i * 1000e9;
    const row = { ...columns, guid: `EARLIER-${i}-${chatGuid}`, date, text: `inserted early message ${i}` };
    const names = Object.keys(row);
    const { lastInsertRowid } = sql.prepare(`INSERT INTO message (${names.join(', ')}) VALUES (${names.map(() => '?').join(', ')})`).run(...Object.values(row));
    sql.prepare('INSERT INTO chat_message_join (chat_id, message_id, message_date) VALUES (?, ?, ?)').run(chat, lastInsertRowid, date);
  }
  sql.close();
}

/** Damages the page of a store that holds the root of one of its indexes, as a failing disk could. */
function damageIndex(store: string, index: string): void {
  const sql = new Database(store);
  const root = sql.prepare('SELECT rootpage FROM sqlite_master WHERE name = ?').pluck().get(index) as number;
  const size = sql.pragma('page_size', { simple: true }) as number;
  sql.close();
  const fd = openSync(store, 'r+');
  writeSync(fd, Buffer.alloc(size, 0xff), 0, size, (root - 1) * size);
  closeSync(fd);
}

describe.skipIf(!pdfToolsPresent)('PDF cover page, Bates numbers and checksums', () => {
  const dir = tempDir('cover');
  const db = join(dir, 'chat.db');

  beforeAll(async () => {
    await generateChatDb({ path: db, messages: 160, seed: 8, conversations: 3 });
  });

  test('the cover states the source with its SHA-256; pages are numbered across PDFs by title; bates.csv and SHA256SUMS agree', async () => {
    const out = join(dir, 'bates');
    const result = await runCli(['export', '--db', db, '--out', out, '--format', 'pdf', '--no-progress', '--timezone', 'Europe/Berlin',
      '--since', '2015-01-01', '--bates', 'SMITH:41', '--bates-digits', '5']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const files = pdfsOf(out);
    expect(files.length).toBeGreaterThan(1);

    const hash = sha256(db);
    for (const file of files) {
      const path = join(out, file);
      expect(qpdfCheck(path).ok).toBe(true);
      const cover = pdfText(path, { first: 1, last: 1 });
      expect(cover).toContain('Conversation record');
      expect(cover).toContain(`SHA-256: ${hash}`);
      expect(cover).toContain('Mac Messages database');
      expect(cover).toContain(db);
      expect(cover).toContain('Europe/Berlin');
      expect(cover).toContain('--since 2015-01-01');
      expect(cover).toMatch(/by textkeeper \d+\.\d+\.\d+/);
      expect(cover).toMatch(/Attachments\s+\d+/);
      const subject = pdfInfo(path).Subject ?? '';
      expect(subject).toContain(hash);
    }
    savePng(join(out, files[0]!), 'pdf-cover', 1);

    // In order of conversation title, every page's number follows the one before, from 41.
    const byTitle = [...files].sort((a, b) => pdfInfo(join(out, a)).Title!.localeCompare(pdfInfo(join(out, b)).Title!) || a.localeCompare(b));
    const stamps = byTitle.flatMap((file) => stampsOf(join(out, file), 'SMITH'));
    expect(stamps).toEqual(stamps.map((_, i) => `SMITH-${String(41 + i).padStart(5, '0')}`));

    const csv = readFileSync(join(out, 'bates.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('file,first,last');
    const expectedRows = byTitle.map((file) => {
      const own = stampsOf(join(out, file), 'SMITH');
      return `${file},${own[0]},${own.at(-1)}`;
    });
    expect(csv.slice(1)).toEqual(expectedRows);

    const sums = readFileSync(join(out, 'SHA256SUMS'), 'utf8').trim().split('\n');
    for (const file of [...files, 'bates.csv']) expect(sums).toContain(`${sha256(join(out, file))}  ${file}`);
    expect(execFileSync('sha256sum', ['-c', 'SHA256SUMS'], { cwd: out, encoding: 'utf8' })).toContain(': OK');
  });

  test('bates.csv takes --csv-formulas quote: a file named for a phone number is not read as a formula', async () => {
    const out = join(dir, 'bates-quoted');
    const result = await runCli(['export', '--db', db, '--out', out, '--format', 'pdf', '--no-progress', '--no-cover', '--bates', 'CASE', '--csv-formulas', 'quote']);
    expect(result.stderr).toBe('');
    const files = readFileSync(join(out, 'bates.csv'), 'utf8').trim().split('\n').slice(1).map((row) => row.split(',')[0]!);
    expect(files.filter((file) => file.startsWith("'+")).length, 'some PDFs are named for phone numbers').toBeGreaterThan(0);
    expect(files.filter((file) => /^[=+\-@]/.test(file))).toEqual([]);
    const refused = await runCli(['export', '--db', db, '--out', join(dir, 'no-csv'), '--format', 'pdf', '--csv-formulas', 'quote']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('--csv-formulas is for CSV files');
  });

  test('the cover names the selection as it could be typed again: a quoted --chat value and --exact', async () => {
    const out = join(dir, 'chosen');
    const result = await runCli(['export', '--db', db, '--out', out, '--format', 'pdf', '--no-progress', '--chat', 'iMessage;-;+15555550100', '--exact']);
    expect(result.code, result.stderr).toBe(0);
    const cover = pdfText(join(out, pdfsOf(out)[0]!), { first: 1, last: 1 });
    expect(cover).toMatch(/Selection\s+--chat 'iMessage;-;\+15555550100'\s+--exact\s/);
  });

  test('--no-cover starts with the messages; without --bates nothing is stamped', async () => {
    const out = join(dir, 'plain');
    const result = await runCli(['export', '--db', db, '--out', out, '--format', 'pdf', '--no-progress', '--no-cover']);
    expect(result.code).toBe(0);
    expect(existsSync(join(out, 'bates.csv'))).toBe(false);
    for (const file of pdfsOf(out)) {
      const text = pdfText(join(out, file));
      expect(text).not.toContain('Conversation record');
      expect(text).not.toMatch(/-\d{6}\b/);
      expect(text).not.toContain('Selection');
    }
  });

  test('--since and --until: the cover says messages outside them are not in the file; without a cover, the first page does, under the title as its heading', async () => {
    const said = squash('--since 2015-01-01 --until 2030-12-31 (messages outside it are not in this file)');
    for (const cover of [[], ['--no-cover']]) {
      const out = join(dir, `selection${cover.join('')}`);
      const result = await runCli(['export', '--db', db, '--out', out, '--format', 'pdf', '--no-progress', '--since', '2015-01-01', '--until', '2030-12-31', ...cover]);
      expect(result.code).toBe(0);
      for (const file of pdfsOf(out)) {
        const path = join(out, file);
        const first = squash(pdfText(path, { first: 1, last: 1 }));
        expect(first).toContain(cover.length ? `Selection:${said}` : `Selection${said}`);
        expect(pdfInfo(path).Subject).toContain('Selection: --since 2015-01-01 --until 2030-12-31 (messages outside it are not in this file)');
      }
      const first = join(out, pdfsOf(out)[0]!);
      // The title is the one H1, before the Selection line: on the cover, or as the first page's header without one.
      const [document] = structureTree(first);
      expect(document!.kids.map((kid) => kid.role).slice(0, 2)).toEqual(cover.length ? ['H1', 'P'] : ['P', 'H1']);
      expect(structureText(first)).toContain(`  H1 (block)\n    "${pdfInfo(first).Title}"\n`);
      savePng(first, `pdf-selection${cover.join('')}`, 1);
    }
  });

  test('the attachment count says how many files are not in the PDF, in the words of their pages', async () => {
    const out = join(dir, 'absent');
    const sample = join(ROOT, 'sample-data');
    const result = await runCli(['export', '--db', join(sample, 'chat.db'), '--contacts', join(sample, 'contacts.vcf'), '--chat', 'Mom', '--out', out,
      '--format', 'pdf', '--no-progress', '--max-attachment-size', '20KB']);
    expect(result.code).toBe(0);
    const path = join(out, 'Mom.pdf');
    const pages = squash(pdfText(path));
    const count = (said: string) => pages.split(squash(said)).length - 1;
    const [missing, withheld] = [count('Missing: the file is not on this computer'), count('Not included:')];
    expect([missing, withheld]).toEqual([1, 7]);
    // Its two sticker reactions' files are among the attachments, as in the run's summary.
    const said = '82 (1 missing: not on this computer; 7 not included)';
    expect(squash(pdfText(path, { first: 1, last: 1 }))).toContain(squash(`Attachments${said}`));
    expect(pdfInfo(path).Subject).toContain(`Attachments: ${said}`);
  });

  test('a --chat run with --bates into a folder holding other PDFs is refused; a run without --bates drops bates.csv', async () => {
    const out = join(dir, 'bates-then-chat');
    const first = await runCli(['export', '--db', db, '--out', out, '--format', 'pdf', '--no-progress', '--bates', 'CASE']);
    expect(first.code).toBe(0);
    const before = pdfsOf(out).map((file) => sha256(join(out, file)));
    const [chosen] = JSON.parse((await runCli(['list', '--db', db, '--json'])).stdout) as { id: string }[];
    const partial = await runCli(['export', '--db', db, '--out', out, '--format', 'pdf', '--no-progress', '--chat', chosen!.id, '--bates', 'CASE']);
    expect(partial.code).toBe(1);
    expect(partial.stderr).toMatch(/^textkeeper: --bates numbers every PDF .* this run would not write \d+ of them/m);
    expect(pdfsOf(out).map((file) => sha256(join(out, file)))).toEqual(before);

    const unstamped = await runCli(['export', '--db', db, '--out', out, '--format', 'pdf', '--no-progress']);
    expect(unstamped.code).toBe(0);
    expect(existsSync(join(out, 'bates.csv'))).toBe(false);
    expect((await runCli(['verify', out])).code).toBe(0);
  });

  test('a Bates number once produced names one page: a run that would give one to another page is refused before it writes', async () => {
    const out = join(dir, 'bates-production');
    const device = join(tempDir('bates-device'), 'chat.db');
    copyFileSync(db, device);
    const exportPdf = (bates: string) => runCli(['export', '--db', device, '--attachments-root', dir, '--out', out, '--format', 'pdf', '--no-progress', '--bates', bates]);
    expect((await exportPdf('CASE')).code).toBe(0);
    const produced = () => readFileSync(join(out, 'bates.csv'), 'utf8');
    const rows = produced().trim().split('\n').slice(1).map((row) => row.split(','));
    expect(rows.length).toBeGreaterThan(1);
    const before = produced();
    // Run again with nothing changed, the numbers stay on their pages.
    const again = await exportPdf('CASE');
    expect(again.code, again.stderr).toBe(0);
    expect(produced()).toBe(before);
    const hashes = pdfsOf(out).map((file) => sha256(join(out, file)));

    // The second PDF's conversation gets older messages: its pages, and every page after, would take other numbers.
    const [file, first] = rows[1]!;
    const later = Number(rows.at(-1)![2]!.slice('CASE-'.length)) + 1;
    const conversations = JSON.parse((await runCli(['list', '--db', db, '--json'])).stdout) as { id: string; title: string }[];
    addEarlierMessages(device, conversations.find((c) => `${c.title}.pdf` === file)!.id);
    const refused = await exportPdf('CASE');
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim().split('\n')).toEqual([
      `textkeeper: --bates CASE:1 would give ${first}, the first page of “${file}” in this folder's bates.csv, to another page (“${file}” changed since it was numbered): ` +
        `a Bates number, once produced, names one page. Make this production in a new folder (\`textkeeper export --archive ${out} --out NEW --format pdf --bates CASE:1\`), ` +
        `or give another prefix or a start after the last number produced (--bates CASE:${later}).`,
    ]);
    expect(produced()).toBe(before);
    expect(pdfsOf(out).map((f) => sha256(join(out, f)))).toEqual(hashes);
    expect((await runCli(['verify', out])).code).toBe(0);

    // The next production: in a folder of its own, or here with numbers none of the earlier ones can be.
    const elsewhere = await runCli(['export', '--archive', out, '--out', join(dir, 'bates-next'), '--format', 'pdf', '--no-progress', '--bates', 'CASE']);
    expect(elsewhere.code, elsewhere.stderr).toBe(0);
    const after = await exportPdf(`CASE:${later}`);
    expect(after.code, after.stderr).toBe(0);
    expect(produced().split('\n')[1]).toContain(`,CASE-${String(later).padStart(6, '0')},`);
  });

  test('a conversation the store cannot give back is refused with that reason, not as a PDF changed since it was numbered', async () => {
    const out = join(dir, 'bates-damaged-store');
    const exportPdf = () => runCli(['export', '--db', db, '--out', out, '--format', 'pdf', '--no-progress', '--bates', 'CASE']);
    expect((await exportPdf()).code).toBe(0);
    const before = readFileSync(join(out, 'bates.csv'), 'utf8');
    const [file, first, last] = before.trim().split('\n')[1]!.split(',');
    const hashes = pdfsOf(out).map((f) => sha256(join(out, f)));
    // Only reading a conversation reads this index (its messages only the archive keeps): listing them does not.
    damageIndex(join(out, 'textkeeper.sqlite'), 'messages_kept_only');
    const refused = await exportPdf();
    expect(refused.code).toBe(1);
    expect(refused.stderr).not.toContain('changed since it was numbered');
    expect(refused.stderr.trim().split('\n')).toEqual([
      `textkeeper: --bates CASE:1 cannot tell whether “${file}” keeps ${first} to ${last}, its numbers in this folder's bates.csv: ` +
        `its conversation “${file!.slice(0, -'.pdf'.length)}” could not be read from the archive's store (database disk image is malformed).`,
    ]);
    expect(readFileSync(join(out, 'bates.csv'), 'utf8')).toBe(before);
    expect(pdfsOf(out).map((f) => sha256(join(out, f)))).toEqual(hashes);
  });

  test('bates.csv is read back as written: a file name with a comma and an apostrophe that starts like a formula keeps its numbers', async () => {
    const contacts = join(dir, 'formula.vcf');
    writeFileSync(contacts, "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:=O'Brien\\, Pat\r\nTEL:+15555550101\r\nEND:VCARD\r\n");
    for (const [formulas, cell] of [['keep', `"=O'Brien, Pat.pdf"`], ['quote', `"'=O'Brien, Pat.pdf"`]] as const) {
      const out = join(dir, `bates-formula-${formulas}`);
      const exportPdf = () => runCli(['export', '--db', db, '--contacts', contacts, '--out', out, '--format', 'pdf', '--no-progress', '--bates', 'CASE', '--csv-formulas', formulas]);
      expect((await exportPdf()).code).toBe(0);
      const before = readFileSync(join(out, 'bates.csv'), 'utf8');
      expect(before.split('\n').filter((row) => row.startsWith(`${cell},CASE-`))).toHaveLength(1);
      const again = await exportPdf();
      expect(again.stderr).toBe('');
      expect(again.code).toBe(0);
      expect(readFileSync(join(out, 'bates.csv'), 'utf8')).toBe(before);
    }
  });

  // On a file system that ignores case (a Mac's, Windows'), Bates.csv is bates.csv: the index would replace the
  // conversation's CSV, and a PDF run without --bates would remove it.
  test('a conversation named Bates gets files of its own name beside bates.csv, with --bates or without', async () => {
    const contacts = join(dir, 'bates.vcf');
    writeFileSync(contacts, 'BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Bates\r\nTEL:+15555550101\r\nEND:VCARD\r\n');
    for (const bates of [['--bates', 'CASE'], []]) {
      const out = join(dir, `named-bates-${bates.length}`);
      const result = await runCli(['export', '--db', db, '--contacts', contacts, '--out', out, '--format', 'csv,pdf', '--no-progress', ...bates]);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const files = readdirSync(out).filter((f) => /^bates/i.test(f)).sort();
      expect(files).toEqual(['Bates (2).csv', 'Bates (2).pdf', ...(bates.length > 0 ? ['bates.csv'] : [])]);
      expect(readFileSync(join(out, 'Bates (2).csv'), 'utf8')).toContain('sender_name');
      expect((await runCli(['verify', out])).code).toBe(0);
    }
  });

  test('a bad --bates is one clear line', async () => {
    for (const args of [['--bates', 'has space'], ['--bates', 'X', '--bates-digits', '11']]) {
      const result = await runCli(['export', '--db', db, '--out', join(dir, 'bad'), '--format', 'pdf', ...args]);
      expect(result.code).toBe(1);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toContain('--bates');
    }
  });

  test('an iPhone backup is named with its device, iOS version and date, and hashed as its stored sms.db', async () => {
    const backup = join(dir, 'backup');
    await writeBackup({ chatDb: db, outDir: backup, seed: 3, device: { name: 'Test Phone', productVersion: '17.4', lastBackupDate: new Date('2024-03-09T22:00:00Z') } });
    // Backups store each file under the SHA-1 of its domain and path.
    const id = createHash('sha1').update('HomeDomain-Library/SMS/sms.db').digest('hex');
    const stored = join(backup, id.slice(0, 2), id);
    const out = join(dir, 'from-backup');
    const result = await runCli(['export', '--backup', backup, '--out', out, '--format', 'pdf', '--no-progress']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const cover = pdfText(join(out, pdfsOf(out)[0]!), { first: 1, last: 1 });
    // Which backup of the phone it was, as the text files say (`backed up 2024-03-09`).
    expect(cover).toContain('iPhone backup: Test Phone, iOS 17.4, backed up 2024-03-09');
    expect(cover).toContain(`SHA-256: ${sha256(stored)}`);
  });

  test('--no-cover leaves the sources (paths, devices, hashes) and the handles out of the metadata as well; with the cover they stay', async () => {
    const backup = join(dir, 'private-backup');
    await writeBackup({ chatDb: db, outDir: backup, seed: 4, device: { name: 'Private Phone', productVersion: '17.4', lastBackupDate: new Date('2024-03-09T22:00:00Z') } });
    const { vcf } = writeContacts({ chatDb: db, outDir: join(dir, 'private-contacts'), seed: 4 });
    const sql = new Database(db, { readonly: true });
    const handles = sql.prepare(`SELECT id FROM handle UNION SELECT destination_caller_id FROM message WHERE destination_caller_id <> ''
      UNION SELECT last_addressed_handle FROM chat WHERE last_addressed_handle <> ''`).pluck().all() as string[];
    sql.close();
    // What the pages show stays: a title that is a handle (no contact names it), the --since the first page states.
    const told = (title: string) => ['Private Phone', dir, sha256(db), '--chat', ...handles.filter((handle) => !title.includes(handle))];
    for (const cover of [[], ['--no-cover']]) {
      const out = join(dir, `metadata${cover.join('')}`);
      const result = await runCli(['export', '--db', db, '--backup', backup, '--contacts', vcf, '--out', out, '--format', 'pdf', '--no-progress', '--chat', 'Mom,+15555550101', '--since', '2015-01-01', ...cover]);
      expect(result.code, result.stderr).toBe(0);
      expect(pdfsOf(out)).toHaveLength(2);
      for (const file of pdfsOf(out)) {
        const path = join(out, file);
        const info = pdfInfo(path);
        const metadata = `${JSON.stringify(info)}\n${pdfXmp(path)}`;
        expect(qpdfCheck(path).ok).toBe(true);
        expect(pdfXmp(path)).toContain('<pdfaid:part>2</pdfaid:part>');
        expect(info.Subject).toMatch(/Period: .* \| Messages: \d+ \| Attachments: \d+.* \| Selection: .*--since 2015-01-01 \(messages outside it are not in this file\) \| Time zone: \S+ \| Exported: .* by textkeeper \d+\.\d+\.\d+/);
        if (cover.length) {
          expect(told(info.Title!).filter((fact) => metadata.includes(fact))).toEqual([]);
          expect(info.Subject).toMatch(/^Messages with [^|]+ \| Period: .* \| Selection: --since 2015-01-01 \(/);
        } else {
          expect(metadata).toContain(db);
          expect(metadata).toContain('--chat Mom,+15555550101');
          expect(metadata).toContain('Private Phone');
          expect(metadata).toContain(sha256(db));
          expect(handles.filter((handle) => metadata.includes(handle))).not.toEqual([]);
        }
      }
    }
  });
});
