// A Live Photo as Messages on a Mac keeps it: one attachment row for the still (IMG_2003.HEIC) and, in the same
// folder, the movie (IMG_2003.MOV), which no row names. The archive kept the still alone, and no format mentioned
// the movie: after the Mac was replaced, the motion of every Live Photo was gone, silently (media review, defect 2).
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { writeBackup } from '../../src/generate/backup.js';
import { generateChatDb } from '../../src/generate/index.js';
import { pdfText, pdfToolsPresent } from '../pdf/pdf-tools.js';
import { addAttachment, addMessage, fileOf, SECOND, NORMAL_DATE, smallChat } from '../robust/support.js';
import { ROOT, runCli, tempDir } from '../support/cli.js';

const ASSETS = join(ROOT, 'src', 'generate', 'assets');
const FOLDER = '50/00/LIVE-2003';

/** A small database with a Live Photo (its still's row, and both files in its folder) in its first one-to-one chat. */
async function livePhoto(label: string): Promise<{ dir: string; db: string; chat: string; folder: string }> {
  const { dir, db, chat } = await smallChat(label, (d) => {
    addAttachment(d, { guid: 'LIVE-2003', filename: `~/Library/Messages/Attachments/${FOLDER}/IMG_2003.HEIC`, mime_type: 'image/heic', uti: 'public.heic', transfer_name: 'IMG_2003.HEIC' });
  });
  const folder = join(db, '..', 'Attachments', ...FOLDER.split('/'));
  mkdirSync(folder, { recursive: true });
  copyFileSync(join(ASSETS, 'photo.heic'), join(folder, 'IMG_2003.HEIC'));
  copyFileSync(join(ASSETS, 'clip.mov'), join(folder, 'IMG_2003.MOV'));
  return { dir, db, chat, folder };
}

/** Exports the chat (every conversation, with none) into `out`: the run must succeed, and say nothing on stderr. */
async function exported(db: string, chat: string | undefined, out: string, formats: string, extra: string[] = []): Promise<string> {
  const chosen = chat === undefined ? [] : ['--chat', chat, '--exact'];
  const result = await runCli(['export', '--db', db, '--out', out, '--format', formats, ...chosen, '--timezone', 'UTC', '--quiet', ...extra]);
  expect(result.code, result.stderr).toBe(0);
  expect(result.stderr).toBe('');
  return result.stdout;
}

/** Every transcript of the folder. */
const transcripts = (out: string) => readdirSync(out).filter((f) => f.endsWith('.txt')).map((f) => readFileSync(join(out, f), 'utf8')).join('\n');

/** The archive's copy of the movie the txt names, checked to hold the movie's bytes. */
function movieCopy(out: string): string {
  const copy = /\n {2}\[Live Photo, its movie: IMG_2003\.MOV \(video\/quicktime, 17 KB\) — in this archive as (attachments\/[0-9a-f]{2}\/[0-9a-f]{64}\/IMG_2003\.MOV)\]\n/.exec(transcripts(out))?.[1];
  expect(copy, transcripts(out)).toBeDefined();
  expect(readFileSync(join(out, copy!)).equals(readFileSync(join(ASSETS, 'clip.mov')))).toBe(true);
  return copy!;
}

describe('a Live Photo', () => {
  it('keeps its movie beside the still: copied, counted, verified, and shown in txt, HTML, PDF, JSON and CSV', async () => {
    const { dir, db, chat } = await livePhoto('live-photo');
    const out = join(dir, 'out');
    const stdout = await exported(db, chat, out, 'txt,html,pdf,json,csv');
    expect(stdout).toMatch(/ attachments \(1 of them a Live Photo's movie; \d+ missing\)/);
    const txt = fileOf(out, '.txt');
    expect(txt).toMatch(/\[Attachment: IMG_2003\.HEIC \(image\/heic, 2\.7 KB\) — in this archive as attachments\/.*\/IMG_2003\.HEIC\]\n {2}\[Live Photo, its movie: IMG_2003\.MOV/);
    const copy = movieCopy(out);
    expect(readFileSync(join(out, 'SHA256SUMS'), 'utf8')).toContain(`  ${copy}\n`);
    expect((await runCli(['verify', out, '--no-progress'])).code).toBe(0);

    const page = fileOf(join(out, 'conversations'), '.html');
    expect(page).toContain(`<details class="live"><summary>Live Photo: its movie</summary><video controls preload="metadata" src="../../${copy}" title="IMG_2003.MOV"></video>`);
    const still = (JSON.parse(fileOf(out, '.json')) as { messages: { parts: { attachment?: { fileName: string; livePhoto?: object } }[] }[] }).messages
      .flatMap((m) => m.parts).find((p) => p.attachment?.fileName === 'IMG_2003.HEIC')!.attachment!;
    expect(still.livePhoto).toMatchObject({ guid: 'LIVE-2003:movie', fileName: 'IMG_2003.MOV', kind: 'video', mimeType: 'video/quicktime', missing: false, path: copy, size: 17474 });
    expect(fileOf(out, '.csv')).toMatch(new RegExp(`IMG_2003\\.HEIC \\(attachments/[^)]*\\) — Live Photo, its movie IMG_2003\\.MOV\nIMG_2003\\.MOV \\(${copy}\\)`));
    if (pdfToolsPresent) {
      const pdf = readdirSync(out).find((f) => f.endsWith('.pdf'))!;
      expect(pdfText(join(out, pdf)).replace(/\s+/g, ' ')).toContain('IMG_2003.HEIC · Live Photo, its movie IMG_2003.MOV');
    }
  });

  it('keeps its movie once the device has lost it, without counting the message as changed', async () => {
    const { dir, db, chat, folder } = await livePhoto('live-photo-lost');
    const out = join(dir, 'out');
    await exported(db, chat, out, 'txt');
    rmSync(join(folder, 'IMG_2003.MOV'));
    const d = new Database(db);
    addMessage(d, { text: 'a later message', date: NORMAL_DATE + 60n * SECOND });
    d.close();
    const stdout = await exported(db, chat, out, 'txt');
    expect(stdout).toContain('since the last run: 1 message added, 0 changed');
    movieCopy(out);
    expect((await runCli(['verify', out, '--no-progress'])).code).toBe(0);
  });

  it('says its movie is left out when --max-attachment-size leaves it out, and counts it so', async () => {
    const { dir, db, chat } = await livePhoto('live-photo-limit');
    const out = join(dir, 'out');
    const stdout = await exported(db, chat, out, 'txt,csv', ['--max-attachment-size', '10KB']);
    expect(stdout).toMatch(/\(1 of them a Live Photo's movie; \d+ missing, \d+ not copied: over --max-attachment-size\)/);
    expect(fileOf(out, '.txt')).toContain('  [Live Photo, its movie: IMG_2003.MOV (video/quicktime, 17 KB) — 17 KB, over --max-attachment-size 10 KB, not copied (');
    expect(fileOf(out, '.csv')).toContain('— Live Photo, its movie IMG_2003.MOV (not included: 17 KB, over --max-attachment-size 10 KB, not copied (');
  });

  it('of an archive an older textkeeper made is kept by the next run, which reads its conversation again', async () => {
    const { dir, db, folder } = await livePhoto('live-photo-upgrade');
    const out = join(dir, 'out');
    rmSync(join(folder, 'IMG_2003.MOV'));
    // Whole runs: one with --chat leaves what it read to be read again by the next.
    await exported(db, undefined, out, 'txt');
    // The store as a textkeeper that did not look for Live Photos' movies left it (here the movie was not there).
    const path = join(out, 'textkeeper.sqlite');
    const store = new Database(path);
    store.exec('DELETE FROM migrations WHERE version >= 15; PRAGMA user_version = 14;');
    store.close();
    const sums = join(out, 'SHA256SUMS');
    writeFileSync(sums, readFileSync(sums, 'utf8').replace(/^[0-9a-f]{64}(?= {2}textkeeper\.sqlite$)/m, createHash('sha256').update(readFileSync(path)).digest('hex')));
    copyFileSync(join(ASSETS, 'clip.mov'), join(folder, 'IMG_2003.MOV'));
    // No message added or changed: the movie was there all along.
    expect(await exported(db, undefined, out, 'txt')).not.toMatch(/^ {2}since the last run: /m);
    movieCopy(out);
    expect((await runCli(['verify', out, '--no-progress'])).code).toBe(0);
  });
});

describe('Live Photos made by the generator', () => {
  it('lie beside their stills without changing the database, and are kept from a Mac and from plain and encrypted iPhone backups', async () => {
    const dir = tempDir('live-photos-generated');
    const summary = await generateChatDb({ path: join(dir, 'mac', 'chat.db'), messages: 300, seed: 3, livePhotos: true });
    await generateChatDb({ path: join(dir, 'still', 'chat.db'), messages: 300, seed: 3 });
    expect(readFileSync(join(dir, 'mac', 'chat.db')).equals(readFileSync(join(dir, 'still', 'chat.db')))).toBe(true);
    expect(summary.livePhotos).toBeGreaterThan(0);
    const base = { chatDb: join(dir, 'mac', 'chat.db'), attachmentsDir: join(dir, 'mac', 'Attachments'), seed: 3 };
    await writeBackup({ ...base, outDir: join(dir, 'plain') });
    await writeBackup({ ...base, outDir: join(dir, 'encrypted'), encryption: { password: 'pw', dpIterations: 1000, iterations: 10 } });
    writeFileSync(join(dir, 'password'), 'pw\n');
    const movies = summary.livePhotos === 1 ? "1 of them a Live Photo's movie" : `${summary.livePhotos} of them Live Photos' movies`;
    for (const source of [['--db', base.chatDb], ['--backup', join(dir, 'plain')], ['--backup', join(dir, 'encrypted'), '--password-file', join(dir, 'password')]]) {
      const out = join(dir, `out-${source[1]!.split('/').at(-1)}`);
      const result = await runCli(['export', ...source, '--out', out, '--format', 'txt', '--no-progress']);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain(`(${movies}; `);
      const kept = transcripts(out).match(/ {2}\[Live Photo, its movie: IMG_\d+\.MOV \(video\/quicktime, 17 KB\) — in this archive as attachments\//g);
      expect(kept).toHaveLength(summary.livePhotos);
    }
  });
});
