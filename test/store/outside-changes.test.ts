import { cpSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../support/cli.js';
import { filesOf, generateHistory, type History } from './device.js';

let history: History;

beforeAll(async () => {
  history = await generateHistory(240, 307);
});

async function exportInto(out: string, formats: string, device = history.dir, extra: string[] = []) {
  const result = await runCli(['export', '--db', join(device, 'chat.db'), '--out', out, '--format', formats, '--no-progress', ...extra]);
  expect(result.code).toBe(0);
  return result;
}

/** A photo's copy in the archive, by its path there. */
const aPhotoCopy = (out: string) => filesOf(join(out, 'attachments')).map((p) => `attachments/${p}`).find((p) => p.endsWith('.jpeg') || p.endsWith('.png'))!;

const STORE_CHANGED = "warning: textkeeper.sqlite was changed since the last export, not by textkeeper: this export read every conversation again from its sources, and its record of this run says so (restore the folder from a backup if no one meant to change it: what only the archive kept is as the store was found)";
const warnings = (stderr: string) => stderr.split('\n').filter((line) => line.startsWith('warning: ')).sort();
/** What verify finds wrong (its history lines, what earlier runs found, are the last test's). */
const verifyLines = async (out: string) => (await runCli(['verify', out])).stdout.trim().split('\n').filter((line) => !line.startsWith('history: ')).sort();

/**
 * Removes files HTML made of attachments; then a run without HTML says which run will make them, a run with it makes
 * each again with the same bytes, verify finds the folder intact, and the run after keeps its pages.
 */
async function expectMadeAgain(out: string, removed: string[], extra: string[] = []) {
  const bytes = new Map(removed.map((p) => [p, readFileSync(join(out, p))]));
  for (const path of removed) rmSync(join(out, path));
  const text = await exportInto(out, 'txt', history.dir, extra);
  expect(warnings(text.stderr)).toEqual(removed.map((p) => `warning: ${p} was removed since the last export, not by textkeeper: left as it is, and the archive's record keeps it as textkeeper wrote it (verify reports it until an HTML export makes it again)`).sort());
  expect(text.stdout).toMatch(/\n {2}\d+ conversations unchanged since the last run: their files were kept/);

  const html = await exportInto(out, 'txt,html', history.dir, extra);
  expect(warnings(html.stderr)).toEqual(removed.map((p) => `warning: ${p} was removed since the last export, not by textkeeper: this export wrote it again`).sort());
  for (const [path, was] of bytes) expect(readFileSync(join(out, path)), path).toEqual(was);
  expect(await verifyLines(out)).toEqual([expect.stringMatching(/^Intact: /)]);
  expect((await exportInto(out, 'txt,html', history.dir, extra)).stdout).toMatch(/\n {2}\d+ conversations unchanged since the last run: their files were kept/);
}

describe('an export never seals as its own what changed in the folder since the last one, not by textkeeper', () => {
  it('writes a changed transcript or page again, copies a changed copy again from the device, says each change, and leaves a file added for verify to report', async () => {
    const out = join(tempDir('outside'), 'archive');
    await exportInto(out, 'txt,html');
    const transcript = readdirSync(out).find((f) => f.endsWith('.txt'))!;
    const written = readFileSync(join(out, transcript), 'utf8');
    const page = filesOf(join(out, 'conversations')).map((p) => `conversations/${p}`).find((p) => p.endsWith('.html'))!;
    // One no other name shares (see same-bytes.test.ts: changed in place, a hard link changes every name).
    const copy = filesOf(join(out, 'attachments')).map((p) => `attachments/${p}`).find((p) => /\.(jpeg|png)$/.test(p) && statSync(join(out, p)).nlink === 1)!;
    const gone = readdirSync(out).filter((f) => f.endsWith('.txt'))[1]!;
    writeFileSync(join(out, transcript), `${written}edited\n`);
    writeFileSync(join(out, page), `${readFileSync(join(out, page), 'utf8')}<!-- edited -->`);
    const bytes = readFileSync(join(out, copy));
    const originals = filesOf(join(history.dir, 'Attachments')).map((f) => join(history.dir, 'Attachments', f)).filter((f) => readFileSync(f).equals(bytes));
    const changed = Buffer.from(bytes);
    changed[changed.length - 1] ^= 1;
    writeFileSync(join(out, copy), changed);
    writeFileSync(join(out, 'notes.txt'), 'mine\n');
    rmSync(join(out, gone));

    // A run without HTML can write the transcripts only.
    const first = await exportInto(out, 'txt');
    const restored = `warning: ${copy} was changed since the last export, not by textkeeper: its bytes were not those of the SHA-256 its folder names; this export copied the original again from `;
    const said = warnings(first.stderr);
    expect(originals).toContain(said.find((line) => line.startsWith(restored))?.slice(restored.length));
    expect(said.filter((line) => !line.startsWith(restored))).toEqual([
      `warning: ${gone} was removed since the last export, not by textkeeper: this export wrote it again`,
      `warning: ${page} was changed since the last export, not by textkeeper: left as it is, and the archive's record keeps it as textkeeper wrote it (verify reports it until an export with its format writes it again)`,
      `warning: ${transcript} was changed since the last export, not by textkeeper: this export wrote it again`,
      'warning: notes.txt was added since the last export, not by textkeeper: it is not part of the archive (verify reports it)',
    ].sort());
    expect(first.stdout).toMatch(/, 5 warnings in /);
    expect(readFileSync(join(out, transcript), 'utf8').replace(/^Exported .*$/m, '')).toBe(written.replace(/^Exported .*$/m, ''));
    expect(readFileSync(join(out, copy))).toEqual(bytes);
    expect(await verifyLines(out)).toEqual([`altered: ${page}`, 'unexpected: notes.txt']);

    const second = await exportInto(out, 'txt,html');
    expect(warnings(second.stderr)).toEqual([
      `warning: ${page} was changed since the last export, not by textkeeper: this export wrote it again`,
      'warning: notes.txt was added since the last export, not by textkeeper: it is not part of the archive (verify reports it)',
    ].sort());
    expect(await verifyLines(out)).toEqual(['unexpected: notes.txt']);
  });

  it('finds a transcript or page edited with its size and time kept, writes it again, and seals what it wrote', async () => {
    const out = join(tempDir('outside-in-place'), 'archive');
    await exportInto(out, 'txt,html');
    const transcript = readdirSync(out).find((f) => f.endsWith('.txt'))!;
    const page = filesOf(join(out, 'conversations')).map((p) => `conversations/${p}`).find((p) => p.endsWith('.html'))!;
    const written = readFileSync(join(out, transcript), 'utf8');
    // Times of whole seconds, which a run takes as the files' own (same bytes), so that the edit can give them back exactly.
    const time = Math.floor(statSync(join(out, transcript)).mtimeMs / 1000) - 60;
    for (const path of [transcript, page]) utimesSync(join(out, path), time, time);
    expect(warnings((await exportInto(out, 'txt,html')).stderr)).toEqual([]);
    const sealed = readFileSync(join(out, 'SHA256SUMS'), 'utf8');
    for (const path of [transcript, page]) {
      const bytes = readFileSync(join(out, path));
      const at = bytes.lastIndexOf('e');
      bytes[at] = 'E'.charCodeAt(0);
      writeFileSync(join(out, path), bytes);
      utimesSync(join(out, path), time, time);
    }
    const sumOf = (path: string) => `${createHash('sha256').update(readFileSync(join(out, path))).digest('hex')}  ${path}`;
    const forged = [transcript, page].map(sumOf);
    for (const line of forged) expect(sealed).not.toContain(line);

    const again = await exportInto(out, 'txt,html');
    expect(warnings(again.stderr)).toEqual([
      `warning: ${page} was changed since the last export, not by textkeeper: this export wrote it again`,
      `warning: ${transcript} was changed since the last export, not by textkeeper: this export wrote it again`,
    ].sort());
    expect(readFileSync(join(out, transcript), 'utf8').replace(/^Exported .*$/m, '')).toBe(written.replace(/^Exported .*$/m, ''));
    // SHA256SUMS lists the files as this run wrote them, never the edited bytes.
    const sums = readFileSync(join(out, 'SHA256SUMS'), 'utf8').split('\n');
    expect(sums).toEqual(expect.arrayContaining([sumOf(transcript), sumOf(page)]));
    for (const line of forged) expect(sums).not.toContain(line);
    expect(await verifyLines(out)).toEqual([expect.stringMatching(/^Intact: /)]);
  });

  it('copies removed copies of attachments again from the device that still has them, and makes their thumbnails again', async () => {
    const out = join(tempDir('outside-recopied'), 'archive');
    await exportInto(out, 'txt,html');
    const copy = aPhotoCopy(out);
    const bytes = readFileSync(join(out, copy));
    const removed = ['attachments', 'thumbs'].flatMap((folder) => filesOf(join(out, folder)).map((p) => `${folder}/${p}`));
    expect(removed.filter((p) => p.startsWith('thumbs/')).length).toBeGreaterThan(0);
    rmSync(join(out, 'attachments'), { recursive: true });
    rmSync(join(out, 'thumbs'), { recursive: true });

    const again = await exportInto(out, 'txt,html');
    expect(warnings(again.stderr)).toEqual(removed.map((p) => `warning: ${p} was removed since the last export, not by textkeeper: this export wrote it again`).sort());
    expect(readFileSync(join(out, copy))).toEqual(bytes);
    expect(await verifyLines(out)).toEqual([expect.stringMatching(/^Intact: /)]);
  });

  it('makes removed thumbnails, converted pictures and playable audio again from the copies still there, and then keeps its pages', async () => {
    const out = join(tempDir('outside-made'), 'archive');
    await exportInto(out, 'txt,html');
    const sha256Of = (path: string) => createHash('sha256').update(readFileSync(join(out, path))).digest('hex');
    const made = filesOf(join(out, 'attachments')).map((p) => `attachments/${p}`).filter((p) => sha256Of(p) !== p.split('/')[2]);
    const thumbs = filesOf(join(out, 'thumbs')).map((p) => `thumbs/${p}`);
    expect(made.some((p) => p.endsWith('.wav') || p.endsWith('.m4a'))).toBe(true);
    expect(thumbs.length).toBeGreaterThan(0);
    await expectMadeAgain(out, [...made, ...thumbs]);
  });

  it('makes removed thumbnails, converted pictures and playable audio of --attachments link again from the device files still there', async () => {
    const out = join(tempDir('outside-linked'), 'archive');
    const link = ['--attachments', 'link'];
    await exportInto(out, 'txt,html', history.dir, link);
    const made = filesOf(join(out, 'attachments')).map((p) => `attachments/${p}`);
    const thumbs = filesOf(join(out, 'thumbs')).map((p) => `thumbs/${p}`);
    expect(made.some((p) => p.endsWith('.wav') || p.endsWith('.m4a'))).toBe(true);
    expect(thumbs.length).toBeGreaterThan(0);
    await expectMadeAgain(out, [...made, ...thumbs], link);
  });

  it('keeps a removed copy of an attachment the device no longer has in the record, for verify to report missing at every run until it is restored', async () => {
    const out = join(tempDir('outside-removed'), 'archive');
    await exportInto(out, 'txt,html');
    const copy = aPhotoCopy(out);
    const bytes = readFileSync(join(out, copy));
    rmSync(join(out, copy));
    const device = tempDir('outside-removed-device');
    cpSync(history.dir, device, { recursive: true });
    const sha256 = copy.split('/')[2]!;
    const originals = filesOf(join(device, 'Attachments')).filter((f) => createHash('sha256').update(readFileSync(join(device, 'Attachments', f))).digest('hex') === sha256);
    expect(originals.length).toBeGreaterThan(0);
    for (const original of originals) rmSync(join(device, 'Attachments', original));

    const first = await exportInto(out, 'txt,html', device);
    expect(warnings(first.stderr)).toEqual([
      `warning: ${copy} was removed since the last export, not by textkeeper: left as it is, and the archive's record keeps it as textkeeper wrote it (verify reports it until it is restored from a backup)`,
    ]);
    expect(await verifyLines(out)).toEqual([`missing: ${copy}`]);
    // Nothing could make it again: the next run keeps every file, the pages too.
    expect((await exportInto(out, 'txt,html', device)).stdout).toMatch(/\n {2}\d+ conversations unchanged since the last run: their files were kept/);
    expect(await verifyLines(out)).toEqual([`missing: ${copy}`]);

    writeFileSync(join(out, copy), bytes);
    await exportInto(out, 'txt,html', device);
    expect(await verifyLines(out)).toEqual([expect.stringMatching(/^Intact: /)]);
  });

  it('keeps a removed file in the record through runs that do not write it (without its format, or --chat another conversation), until one does', async () => {
    const out = join(tempDir('outside-removed-pdf'), 'archive');
    await exportInto(out, 'txt,pdf');
    const [pdf, other] = readdirSync(out).filter((f) => f.endsWith('.pdf'));
    rmSync(join(out, pdf!));
    const kept = `warning: ${pdf} was removed since the last export, not by textkeeper: left as it is, and the archive's record keeps it as textkeeper wrote it (verify reports it until an export with its format writes it again)`;
    expect(await verifyLines(out)).toEqual([`missing: ${pdf}`]);

    expect(warnings((await exportInto(out, 'txt')).stderr)).toEqual([kept]);
    expect(await verifyLines(out)).toEqual([`missing: ${pdf}`]);
    expect(warnings((await exportInto(out, 'txt')).stderr)).toEqual([kept]);
    const chosen = await runCli(['export', '--db', join(history.dir, 'chat.db'), '--out', out, '--format', 'pdf', '--chat', other!.replace(/\.pdf$/, ''), '--exact', '--quiet']);
    expect(warnings(chosen.stderr)).toEqual([kept]);
    expect(await verifyLines(out)).toEqual([`missing: ${pdf}`]);

    expect(warnings((await exportInto(out, 'txt,pdf')).stderr)).toEqual([`warning: ${pdf} was removed since the last export, not by textkeeper: this export wrote it again`]);
    expect(await verifyLines(out)).toEqual([expect.stringMatching(/^Intact: /)]);
  });

  it('keeps a removed HTML page past the first in the record through a run whose --chat chooses another conversation', async () => {
    // A conversation of over 1,000 messages: pages past p1.html.
    const long = await generateHistory(3000, 311, 3);
    const out = join(tempDir('outside-removed-page'), 'archive');
    const run = (...extra: string[]) => runCli(['export', '--db', join(long.dir, 'chat.db'), '--out', out, '--format', 'html', '--attachments', 'none', '--quiet', ...extra]);
    expect((await run()).code).toBe(0);
    const page = `conversations/${filesOf(join(out, 'conversations')).find((p) => p.endsWith('/p2.html'))!}`;
    const other = readdirSync(join(out, 'conversations')).find((folder) => folder !== page.split('/')[1])!;
    rmSync(join(out, page));

    const chosen = await run('--chat', other, '--exact');
    expect(chosen.code).toBe(0);
    expect(warnings(chosen.stderr)).toEqual([`warning: ${page} was removed since the last export, not by textkeeper: left as it is, and the archive's record keeps it as textkeeper wrote it (verify reports it until an export with its format writes it again)`]);
    expect(await verifyLines(out)).toEqual([`missing: ${page}`]);
    expect(warnings((await run()).stderr)).toEqual([`warning: ${page} was removed since the last export, not by textkeeper: this export wrote it again`]);
    expect(await verifyLines(out)).toEqual([expect.stringMatching(/^Intact: /)]);
  });

  it('drops from the record a removed file the run no longer writes (bates.csv, a run with PDF but no --bates)', async () => {
    const out = join(tempDir('outside-retired'), 'archive');
    const bates = await runCli(['export', '--db', join(history.dir, 'chat.db'), '--out', out, '--format', 'txt,pdf', '--bates', 'X', '--quiet']);
    expect(bates.code).toBe(0);
    rmSync(join(out, 'bates.csv'));
    expect(warnings((await exportInto(out, 'txt')).stderr)).toEqual([expect.stringMatching(/^warning: bates\.csv was removed .*: left as it is/)]);
    expect(await verifyLines(out)).toEqual(['missing: bates.csv']);
    expect(warnings((await exportInto(out, 'pdf')).stderr)).toEqual(['warning: bates.csv was removed since the last export, not by textkeeper: no longer listed']);
    expect(await verifyLines(out)).toEqual([expect.stringMatching(/^Intact: /)]);
  });

  it('says a store changed since the last export, not by textkeeper, rather than seal it silently', async () => {
    const out = join(tempDir('outside-store'), 'archive');
    await exportInto(out, 'txt');
    const store = new Database(join(out, 'textkeeper.sqlite'));
    store.prepare("UPDATE messages SET body = replace(body, '\"text\":\"', '\"text\":\"forged ') WHERE rowid = (SELECT min(rowid) FROM messages)").run();
    store.close();
    expect(await verifyLines(out)).toEqual(['altered: textkeeper.sqlite']);

    const next = await exportInto(out, 'txt');
    expect(warnings(next.stderr)).toEqual([
      STORE_CHANGED,
    ]);
    expect(next.stdout).toMatch(/, 1 warning in /);
    expect(warnings((await exportInto(out, 'txt')).stderr)).toEqual([]);
  });

  it('reads every conversation again from the sources after another program changed the store, and keeps that in the run’s record', async () => {
    const out = join(tempDir('outside-store-laundered'), 'archive');
    await exportInto(out, 'txt,html,json');
    const store = new Database(join(out, 'textkeeper.sqlite'));
    const [deleted, moved] = store.prepare("SELECT guid, date FROM messages WHERE body LIKE '%\"text\":%' ORDER BY date LIMIT 2").all() as { guid: string; date: number }[];
    const stored = () => store.prepare('SELECT guid, date FROM messages WHERE guid IN (?, ?) ORDER BY date').all(deleted!.guid, moved!.guid);
    const before = stored();
    const messages = store.prepare('SELECT count(*) FROM messages').pluck().get();
    store.prepare('DELETE FROM messages WHERE guid = ?').run(deleted!.guid);
    store.prepare('UPDATE messages SET date = date + 86400000 WHERE guid = ?').run(moved!.guid);
    store.close();
    // And files of the folder: a transcript changed, another removed, a file added.
    const [transcript, gone] = readdirSync(out).filter((f) => f.endsWith('.txt'));
    writeFileSync(join(out, transcript!), 'edited\n');
    rmSync(join(out, gone!));
    writeFileSync(join(out, 'notes.txt'), 'mine\n');

    const next = await exportInto(out, 'txt,html,json');
    // The message deleted is back, the date moved is the source's again: both from the unchanged device.
    const read = new Database(join(out, 'textkeeper.sqlite'), { readonly: true });
    expect(read.prepare('SELECT guid, date FROM messages WHERE guid IN (?, ?) ORDER BY date').all(deleted!.guid, moved!.guid)).toEqual(before);
    expect(read.prepare('SELECT count(*) FROM messages').pluck().get()).toBe(messages);
    const counts = read.prepare('SELECT counts FROM runs ORDER BY id').pluck().all() as string[];
    read.close();
    expect(next.stdout).toMatch(/since the last run: 1 message added, 1 changed, 0 newly not on the device/);
    expect(warnings(next.stderr)).toEqual([
      STORE_CHANGED,
      `warning: ${gone} was removed since the last export, not by textkeeper: this export wrote it again`,
      `warning: ${transcript} was changed since the last export, not by textkeeper: this export wrote it again`,
      'warning: notes.txt was added since the last export, not by textkeeper: it is not part of the archive (verify reports it)',
    ].sort());
    expect(JSON.parse(counts[1]!)).toMatchObject({ storeAltered: 1, changedFiles: 1, removedFiles: 1, addedFiles: 1 });
    const json = readdirSync(out).filter((f) => f.endsWith('.json')).flatMap((f) => (JSON.parse(readFileSync(join(out, f), 'utf8')) as { messages: { guid: string; date: string }[] }).messages);
    expect(json.filter((m) => m.guid === deleted!.guid || m.guid === moved!.guid).map((m) => Date.parse(m.date))).toEqual(before.map((m) => (m as { date: number }).date));

    // Said for good: in the Runs of index.html, and by verify as the archive's history (it is intact).
    const found = [
      'found textkeeper.sqlite changed by another program since the run before: every conversation read again from the sources',
      'found 1 file changed, 1 removed, 1 added by another program since the run before',
    ];
    const runs = readFileSync(join(out, 'index.html'), 'utf8').match(/<section class="runs">[^]*?<\/section>/)![0];
    for (const line of found) expect(runs).toContain(`<strong class="found">${line}</strong>`);
    rmSync(join(out, 'notes.txt'));
    expect(warnings((await exportInto(out, 'txt,html,json')).stderr)).toEqual([]);
    const verified = await runCli(['verify', out]);
    expect(verified.code).toBe(0);
    const began = (verified.stdout.match(/^history: the export begun (\S+) /m) ?? [])[1];
    expect(verified.stdout.trim().split('\n')).toEqual([...found.map((line) => `history: the export begun ${began} ${line}`), expect.stringMatching(/^Intact: /)]);
  });

  it('leaves them out of the seal of a run refused once its sources are read, in its one line', async () => {
    const out = join(tempDir('outside-refused'), 'archive');
    const device = join(tempDir('outside-refused-device'), 'device');
    cpSync(history.dir, device, { recursive: true });
    const exportFrom = (...args: string[]) => runCli(['export', '--db', join(device, 'chat.db'), '--out', out, '--no-progress', ...args]);
    expect((await exportFrom('--format', 'txt,html')).code).toBe(0);
    const transcript = readdirSync(out).find((f) => f.endsWith('.txt'))!;
    writeFileSync(join(out, transcript), 'edited\n');
    writeFileSync(join(out, 'notes.txt'), 'mine\n');
    // The device lost a message: a txt run would say the HTML no longer shows all, were it not refused.
    const db = new Database(join(device, 'chat.db'));
    const gone = db.prepare('SELECT MIN(message_id) FROM chat_message_join').pluck().get();
    db.prepare('DELETE FROM chat_message_join WHERE message_id = ?').run(gone);
    db.prepare('DELETE FROM message WHERE ROWID = ?').run(gone);
    db.close();
    const refused = await exportFrom('--format', 'txt', '--chat', 'nobody at all', '--exact', '--quiet');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^textkeeper: No conversation matches --chat nobody at all[^\n]*\n$/);
    expect(await verifyLines(out)).toEqual([`altered: ${transcript}`, 'unexpected: notes.txt']);
    expect(warnings((await exportFrom('--format', 'txt')).stderr)).toHaveLength(2);
  });

  it('takes a folder copied without its files’ times as it is: nothing said, nothing written again', async () => {
    const out = join(tempDir('outside-copied'), 'archive');
    await exportInto(out, 'txt,html');
    const copied = join(tempDir('outside-copy'), 'archive');
    cpSync(out, copied, { recursive: true });
    const later = new Date(Date.now() + 60_000);
    for (const file of filesOf(copied)) utimesSync(join(copied, file), later, later);
    const result = await exportInto(copied, 'txt,html');
    expect(warnings(result.stderr)).toEqual([]);
    expect(result.stdout).toMatch(/^ {2}\d+ conversations unchanged since the last run/m);
    expect((await runCli(['verify', copied])).code).toBe(0);
  });
});
