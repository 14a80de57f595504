// A photo a conversation's source lacked when the archive read it (offloaded to iCloud by "Optimize Mac Storage",
// or not in an iPhone backup) and that is there at a later run (Messages downloaded it since) is archived by that
// run, though none of the conversation's rows changed: only the files the archive has as missing are looked at.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeBackup } from '../../src/generate/backup.js';
import { generateChatDb } from '../../src/generate/index.js';
import { runCli, tempDir } from '../support/cli.js';

const dir = tempDir('downloaded-later');
const mac = join(dir, 'mac');
/** The generator leaves two pictures without their file, as Messages leaves those it offloaded: this one is downloaded later. */
const PHOTO = 'Café menu 🍰.jpg';
let stored: string;

/** The photo's file in its place, as Messages puts it when it downloads one (and marks its row as transferred); gives its SHA-256. */
async function download(): Promise<string> {
  const bytes = await sharp({ create: { width: 48, height: 32, channels: 3, background: '#c0ffee' } }).jpeg().toBuffer();
  mkdirSync(dirname(photoFile()), { recursive: true });
  writeFileSync(photoFile(), bytes);
  const db = new Database(join(mac, 'chat.db'));
  db.prepare('UPDATE attachment SET transfer_state = 5 WHERE filename = ?').run(stored);
  db.close();
  return createHash('sha256').update(bytes).digest('hex');
}

/** Where the photo is on the Mac (the folder holding chat.db stands for ~/Library/Messages). */
const photoFile = () => join(mac, stored.replace('~/Library/Messages/', ''));

/** Every file of an extension in a folder (and below), joined. */
function textOf(folder: string, extension: string): string {
  return readdirSync(folder, { recursive: true }).map(String).filter((f) => f.endsWith(extension)).map((f) => readFileSync(join(folder, f), 'utf8')).join('\n');
}

/** The transcript's line for the photo. */
const photoLine = (out: string) => textOf(out, '.txt').split('\n').find((line) => line.includes(`[Attachment: ${PHOTO}`))!;

async function exportInto(out: string, source: string[], extra: string[] = []) {
  const result = await runCli(['export', ...source, '--out', out, '--format', 'txt,html,json', '--no-progress', ...extra]);
  expect(result.code, result.stderr).toBe(0);
  return result.stdout;
}

beforeAll(async () => {
  await generateChatDb({ path: join(mac, 'chat.db'), messages: 300, seed: 3 });
  const db = new Database(join(mac, 'chat.db'), { readonly: true });
  stored = db.prepare("SELECT filename FROM attachment WHERE transfer_name = ? AND transfer_state = 0").pluck().get(PHOTO) as string;
  db.close();
  expect(stored).toMatch(/^~\/Library\/Messages\/Attachments\//);
});

describe('a photo downloaded from iCloud after the conversation was archived', () => {
  it('is copied into the archive by the next run, every format showing it, and the run after finds nothing to do', async () => {
    const out = join(dir, 'archive');
    const source = ['--db', join(mac, 'chat.db')];
    const first = await exportInto(out, source);
    expect(first).toMatch(/ attachments \(2 missing\)/);
    expect(photoLine(out)).toContain('— missing — not on this computer');

    const sha256 = await download();
    const second = await exportInto(out, source);
    expect(second).toContain('  since the last run: 0 messages added, 1 changed, 0 newly not on the device (kept by this archive)\n');
    expect(second).toMatch(/ attachments \(1 missing\)/);
    const copy = `attachments/${sha256.slice(0, 2)}/${sha256}/${PHOTO}`;
    expect(photoLine(out)).toContain(`— in this archive as ${copy}]`);
    expect(createHash('sha256').update(readFileSync(join(out, copy))).digest('hex')).toBe(sha256);
    expect(textOf(out, '.json').includes(`"missing":false,"mimeType":"image/jpeg","uti":"public.jpeg","kind":"image","size":`)).toBe(true);
    expect(textOf(out, '.json').includes(`"path":"${copy}"`)).toBe(true);
    const pages = textOf(join(out, 'conversations'), '.html');
    expect(pages).toContain(`/attachments/${sha256.slice(0, 2)}/${sha256}/`);
    expect(pages.match(/not on this computer/g)).toHaveLength(1);

    const third = await exportInto(out, source);
    expect(third).toMatch(/^ {2}\d+ conversations unchanged since the last run: their files were kept$/m);
    // The one still missing is said, as the files kept counted it.
    expect(third).toMatch(/^Exported \d+ conversations, [\d,]+ messages, [\d,]+ attachments \(1 missing\), 0 warnings in /m);
    expect(third).not.toMatch(/^ {2}since the last run: /m);
    expect((await runCli(['verify', out])).code).toBe(0);
  });

  it('is found by a run that chose the conversation with --chat too', async () => {
    rmSync(photoFile());
    const out = join(dir, 'chosen');
    const source = ['--db', join(mac, 'chat.db')];
    await exportInto(out, source);
    const file = readdirSync(out).find((f) => f.endsWith('.txt') && readFileSync(join(out, f), 'utf8').includes(`[Attachment: ${PHOTO}`))!;
    await download();
    const chosen = await exportInto(out, source, ['--chat', file.replace(/\.txt$/, ''), '--exact', '--quiet']);
    expect(chosen).toContain('1 changed');
    expect(photoLine(out)).toContain('— in this archive as attachments/');
  });

  it('is found in an archive a textkeeper that did not note missing files made (store version 15)', async () => {
    rmSync(photoFile());
    const out = join(dir, 'older');
    const source = ['--db', join(mac, 'chat.db')];
    await exportInto(out, source);
    const store = new Database(join(out, 'textkeeper.sqlite'));
    store.exec('ALTER TABLE source_marks DROP COLUMN missing; ALTER TABLE rendered DROP COLUMN counts; DELETE FROM migrations WHERE version > 15; PRAGMA user_version = 15');
    store.close();
    await download();
    expect(await exportInto(out, source)).toContain('1 changed');
    expect(photoLine(out)).toContain('— in this archive as attachments/');
  });

  it('is found in an iPhone backup made again in the same folder', async () => {
    rmSync(photoFile());
    const backup = join(dir, 'backup');
    const made = () => writeBackup({ chatDb: join(mac, 'chat.db'), attachmentsDir: join(mac, 'Attachments'), seed: 3, outDir: backup });
    await made();
    const out = join(dir, 'from-backup');
    const first = await exportInto(out, ['--backup', backup]);
    expect(first).toMatch(/ attachments \(2 missing\)/);
    expect(photoLine(out)).toContain('— missing — not in the backup');
    await download();
    rmSync(backup, { recursive: true });
    await made();
    const second = await exportInto(out, ['--backup', backup]);
    expect(second).toContain('1 changed');
    expect(photoLine(out)).toContain('— in this archive as attachments/');
  });
});
