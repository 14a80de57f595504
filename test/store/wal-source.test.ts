// A chat.db read with the -wal beside it (a Mac's live database nearly always has one): what was read is both
// files, so every place that names the database's SHA-256 names the -wal's too, as `sha256sum` gives them.
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeBackup } from '../../src/generate/backup.js';
import { generateChatDb } from '../../src/generate/index.js';
import { runCli, tempDir } from '../support/cli.js';
import { addMessage } from '../robust/support.js';
import { pdfInfo, pdfText, pdfToolsPresent } from '../pdf/pdf-tools.js';
import { schemaValidators } from '../data/support.js';

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
const pdfsOf = (out: string) => readdirSync(out).filter((f) => f.endsWith('.pdf')).map((f) => join(out, f));
/** Every file of the folder ending so, one after the other. */
const allOf = (out: string, ext: string) => readdirSync(out).filter((f) => f.endsWith(ext)).map((f) => readFileSync(join(out, f), 'utf8')).join('\n');
/** The PDFs' covers without their spaces and line breaks: a long path is broken across lines where it must. */
const covers = (out: string) => pdfsOf(out).map((pdf) => squeezed(pdfText(pdf, { first: 1, last: 1 }))).join('\n');
const squeezed = (text: string) => text.replace(/\s+/g, '');

/** The sources the store's runs recorded, the first run first. */
function runSources(out: string): { id?: string; sha256?: string; walSha256?: string; check?: string }[][] {
  const store = new Database(join(out, 'textkeeper.sqlite'), { readonly: true });
  try {
    return (store.prepare('SELECT sources FROM runs ORDER BY id').pluck().all() as string[]).map((json) => JSON.parse(json));
  } finally {
    store.close();
  }
}

/** A copy of `base` as a Mac whose Messages is at work: what it writes stays in the -wal until a checkpoint writes it into the database. */
function liveCopy(base: string, folder: string): Database.Database {
  mkdirSync(folder, { recursive: true });
  copyFileSync(base, join(folder, 'live.db'));
  const db = new Database(join(folder, 'live.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('wal_autocheckpoint = 0');
  return db;
}

/** The live database copied into `folder` as a user copies a Mac's chat.db: with its -wal when it holds anything. */
function copied(live: Database.Database, folder: string): string {
  const copy = join(folder, 'chat.db');
  mkdirSync(folder, { recursive: true });
  copyFileSync(live.name, copy);
  if (statSync(`${live.name}-wal`).size > 0) copyFileSync(`${live.name}-wal`, `${copy}-wal`);
  return copy;
}

describe.skipIf(!pdfToolsPresent)('a database read with its -wal', () => {
  const dir = tempDir('wal-source');
  const base = join(dir, 'base', 'chat.db');
  const out = join(dir, 'archive');
  let live: Database.Database;
  let db = '';
  let chat = '';
  let hashes: { db: string; wal: string };

  beforeAll(async () => {
    await generateChatDb({ path: base, messages: 120, seed: 23, conversations: 3 });
    live = liveCopy(base, join(dir, 'mac'));
    chat = addMessage(live, { text: 'written to the -wal only' }, 'WAL-ONLY').chat;
    db = copied(live, join(dir, 'copied'));
    hashes = { db: sha256(db), wal: sha256(`${db}-wal`) };
  });
  afterAll(() => live.close());

  it('names the -wal with its SHA-256 on the cover, in the metadata and in the store, beside the database', async () => {
    const result = await runCli(['export', '--db', db, '--out', out, '--format', 'pdf,txt', '--chat', chat, '--no-progress']);
    expect(result.code, result.stderr).toBe(0);
    expect(covers(out)).toContain(squeezed(`SHA-256: ${hashes.db} Read with its -wal: ${db}-wal SHA-256: ${hashes.wal}`));
    expect(pdfInfo(pdfsOf(out)[0]!).Subject).toContain(`SHA-256: ${hashes.db}; Read with its -wal: ${db}-wal; SHA-256: ${hashes.wal}`);
    // What only the -wal held was read.
    expect(allOf(out, '.txt')).toContain('written to the -wal only');
    expect(runSources(out)).toEqual([[expect.objectContaining({ id: 'chat.db', sha256: hashes.db, walSha256: hashes.wal, check: 'sound with its -wal' })]]);
  });

  it('names it in the sources an archive read as a source recorded', async () => {
    const through = join(dir, 'through');
    const result = await runCli(['export', '--archive', out, '--out', through, '--format', 'pdf,txt', '--no-progress']);
    expect(result.code, result.stderr).toBe(0);
    expect(covers(through)).toContain(squeezed(`SHA-256: ${hashes.db} Read with its -wal SHA-256: ${hashes.wal} As read`));
    expect(allOf(through, '.txt')).toContain(`which had them from chat.db at ${db} (SHA-256 ${hashes.db} and its -wal's SHA-256 ${hashes.wal}, as read `);
  });

  it('names it for the run that first read a message the database no longer has; read alone later, the database is the same source, without a -wal', async () => {
    // Messages deleted the message, wrote another, and a checkpoint emptied the -wal into chat.db.
    live.prepare("DELETE FROM message WHERE guid = 'WAL-ONLY'").run();
    addMessage(live, { text: 'written later' }, 'LATER');
    live.pragma('wal_checkpoint(TRUNCATE)');
    const later = copied(live, join(dir, 'later'));
    // A run that reads the device whole decides which messages it lost.
    const result = await runCli(['export', '--db', later, '--out', out, '--format', 'pdf,txt,json,html', '--no-progress']);
    expect(result.code, result.stderr).toBe(0);
    const [first, second] = runSources(out);
    expect(second).toEqual([expect.objectContaining({ id: first![0]!.id, sha256: sha256(later), check: 'sound' })]);
    expect(second![0]).not.toHaveProperty('walSha256');
    expect(covers(out)).not.toContain('Readwithits-wal');
    const firstRun = `chat.db at ${db} (SHA-256 ${hashes.db} and its -wal's SHA-256 ${hashes.wal})`;
    expect(covers(out)).toContain(squeezed(firstRun));
    const text = allOf(out, '.txt');
    expect(text).toMatch(/written to the -wal only.*\n.*not on the device since/);
    expect(text).toContain(firstRun);
    // The index's Runs: the first read the -wal, the second none.
    expect(readFileSync(join(out, 'index.html'), 'utf8').match(/its -wal's SHA-256 \w+/g)).toEqual([`its -wal's SHA-256 ${hashes.wal}`]);
    const kept = readdirSync(out).filter((f) => f.endsWith('.json')).map((f) => JSON.parse(readFileSync(join(out, f), 'utf8'))).find((j) => j.conversation.keptOnly);
    expect(kept.conversation.keptOnly.runs[0].sources).toEqual([expect.objectContaining({ sha256: hashes.db, walSha256: hashes.wal })]);
    expect(schemaValidators().conversation(kept)).toBe('');
  });

  it('names the sms.db-wal an iPhone backup stored, as stored', async () => {
    const backup = join(dir, 'backup');
    await writeBackup({ chatDb: base, outDir: backup, seed: 5 });
    const stored = (relativePath: string) => {
      const id = createHash('sha1').update(`HomeDomain-${relativePath}`).digest('hex');
      return { id, path: join(backup, id.slice(0, 2), id) };
    };
    const sms = stored('Library/SMS/sms.db');
    const wal = stored('Library/SMS/sms.db-wal');
    // The phone's Messages at work when it was backed up: its newest message in the -wal.
    const phone = liveCopy(sms.path, join(dir, 'phone'));
    addMessage(phone, { text: 'written to the phone\'s -wal only' }, 'PHONE-WAL-ONLY');
    copyFileSync(phone.name, sms.path);
    mkdirSync(join(wal.path, '..'), { recursive: true });
    copyFileSync(`${phone.name}-wal`, wal.path);
    phone.close();
    const manifest = new Database(join(backup, 'Manifest.db'));
    manifest.prepare('INSERT INTO Files VALUES (?, ?, ?, 1, NULL)').run(wal.id, 'HomeDomain', 'Library/SMS/sms.db-wal');
    manifest.close();
    const fromBackup = join(dir, 'from-backup');
    const result = await runCli(['export', '--backup', backup, '--out', fromBackup, '--format', 'pdf,txt', '--no-progress']);
    expect(result.code, result.stderr).toBe(0);
    expect(allOf(fromBackup, '.txt')).toContain('written to the phone\'s -wal only');
    expect(covers(fromBackup)).toContain(squeezed(`SHA-256: ${sha256(sms.path)} Read with its -wal: ${wal.path} SHA-256: ${sha256(wal.path)}`));
    expect(runSources(fromBackup)[0]).toEqual([expect.objectContaining({ sha256: sha256(sms.path), walSha256: sha256(wal.path) })]);
  });
});
