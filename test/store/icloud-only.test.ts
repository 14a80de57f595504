// Files Messages offloaded to iCloud (Optimize Storage, Messages in iCloud) are missing from the Mac as deleted ones
// are, but their rows say so (transfer_state 0, ck_sync_state 1: Messages' own test of a purged attachment): every
// format says which are in iCloud only, and the run's summary says what to do to archive them.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateChatDb } from '../../src/generate/index.js';
import { writeBackup } from '../../src/generate/backup.js';
import { runCli, tempDir } from '../support/cli.js';
import { schemaValidators } from '../data/support.js';

const dir = tempDir('icloud-only');
const db = join(dir, 'mac', 'chat.db');
const IN_ICLOUD = 'in iCloud only, not downloaded to this computer';
let offloaded: { filename: string }[];
let gone: { filename: string }[];

/** Where Messages keeps a file on the Mac (the folder holding chat.db stands for ~/Library/Messages). */
const onMac = (stored: string) => join(dirname(db), stored.replace('~/Library/Messages/', ''));

function filesOf(folder: string, extension: string): string[] {
  return readdirSync(folder, { recursive: true }).map(String).filter((f) => f.endsWith(extension)).map((f) => readFileSync(join(folder, f), 'utf8'));
}

const occurrences = (texts: string[], what: string) => texts.reduce((sum, text) => sum + text.split(what).length - 1, 0);

async function exportInto(out: string): Promise<string> {
  const result = await runCli(['export', '--db', db, '--out', out, '--format', 'txt,html,json,csv', '--no-progress']);
  expect(result.code, result.stderr).toBe(0);
  return result.stdout;
}

beforeAll(async () => {
  await generateChatDb({ path: db, messages: 500, seed: 5, iCloudOnly: 0.5 });
  const read = new Database(db, { readonly: true });
  const missing = read.prepare('SELECT filename, ck_sync_state AS synced FROM attachment WHERE transfer_state = 0 ORDER BY ROWID').all() as { filename: string; synced: number }[];
  read.close();
  offloaded = missing.filter((a) => a.synced === 1);
  gone = missing.filter((a) => a.synced === 0);
  expect([offloaded.length, gone.length]).toEqual([2, 3]);
});

describe('attachments offloaded to iCloud', () => {
  it('are marked in every format apart from those truly missing, and the summary says how to get them', async () => {
    const out = join(dir, 'archive');
    const stdout = await exportInto(out);
    expect(stdout).toMatch(/ attachments \(5 missing\), /);
    expect(stdout).toContain('\n  2 of the 5 missing attachments are stored in iCloud only: open their conversations in Messages (or turn off Optimize Storage) to download them, then export again: the archive adds them\n');

    const txt = filesOf(out, '.txt').join('\n').split('\n');
    const lineOf = ({ filename }: { filename: string }) => txt.find((line) => line.includes(`(expected at ${onMac(filename)})]`));
    for (const file of offloaded) expect(lineOf(file)).toContain(`— missing — ${IN_ICLOUD} (expected at `);
    for (const file of gone) expect(lineOf(file)).toContain('— missing — not on this computer (expected at ');

    const pages = filesOf(join(out, 'conversations'), '.html');
    expect(occurrences(pages, `— ${IN_ICLOUD}</div>`)).toBe(2);
    expect(occurrences(pages, '— not on this computer (perhaps kept only in iCloud)</div>')).toBe(3);

    const json = readdirSync(out).filter((f) => f.endsWith('.json')).map((f) => JSON.parse(readFileSync(join(out, f), 'utf8')) as { messages: unknown[] });
    const validate = schemaValidators();
    for (const file of json) expect(validate.conversation(file)).toBe('');
    const attachments = json.flatMap((file) => JSON.stringify(file.messages).match(/"attachment":\{[^{}]*\}/g) ?? []).filter((a) => a.includes('"missing":true'));
    expect(attachments.filter((a) => a.includes('"missingReason":"icloud"'))).toHaveLength(2);
    expect(attachments).toHaveLength(5);

    const csv = filesOf(out, '.csv');
    expect(occurrences(csv, ' (missing, in iCloud only)')).toBe(2);
    expect(occurrences(csv, ' (missing)')).toBe(3);

    // Unchanged, the run keeps every file and still counts them; once Messages downloads one, the next run archives it.
    expect(await exportInto(out)).toContain('\n  2 of the 5 missing attachments are stored in iCloud only: ');
    const [first] = offloaded;
    mkdirSync(dirname(onMac(first!.filename)), { recursive: true });
    writeFileSync(onMac(first!.filename), 'downloaded from iCloud');
    const write = new Database(db);
    write.prepare('UPDATE attachment SET transfer_state = 5 WHERE filename = ?').run(first!.filename);
    write.close();
    const third = await exportInto(out);
    expect(third).toMatch(/ attachments \(4 missing\), /);
    expect(third).toContain('\n  1 of the 4 missing attachments is stored in iCloud only: open its conversation in Messages (or turn off Optimize Storage) to download it, then export again: the archive adds it\n');
    const txtAfter = filesOf(out, '.txt').join('\n');
    expect(occurrences([txtAfter], `— missing — ${IN_ICLOUD}`)).toBe(1);
    expect(txtAfter).not.toContain(onMac(first!.filename));
  });

  it('are marked in an archive a textkeeper that did not mark them made (store version 17), no message counted as changed', async () => {
    const out = join(dir, 'older');
    await exportInto(out);
    const store = new Database(join(out, 'textkeeper.sqlite'));
    store.exec(`UPDATE messages SET body = replace(body, ',"missingReason":"icloud"', ''); DELETE FROM migrations WHERE version > 17; PRAGMA user_version = 17`);
    expect(store.prepare(`SELECT COUNT(*) FROM messages WHERE instr(body, 'missingReason') > 0`).pluck().get()).toBe(0);
    store.close();
    const again = await exportInto(out);
    expect(again).not.toContain(' changed');
    expect(again).toContain('\n  1 of the 4 missing attachments is stored in iCloud only: ');
    expect(occurrences(filesOf(out, '.txt'), `— missing — ${IN_ICLOUD}`)).toBe(1);
  });

  it('are not marked when the archive has a copy of the file from before Messages offloaded it', async () => {
    const out = join(dir, 'copied-before');
    await exportInto(out);
    const read = new Database(db, { readonly: true });
    const present = read.prepare("SELECT filename FROM attachment WHERE transfer_state = 5 AND is_sticker = 0 AND transfer_name LIKE '%.png' ORDER BY ROWID LIMIT 1").pluck().get() as string;
    read.close();
    rmSync(onMac(present));
    const write = new Database(db);
    write.prepare('UPDATE attachment SET transfer_state = 0, ck_sync_state = 1 WHERE filename = ?').run(present);
    write.close();
    // Its rows are otherwise as they were: the run reads the conversations again only when the archive does not know them.
    const store = new Database(join(out, 'textkeeper.sqlite'));
    store.exec('DELETE FROM source_marks');
    store.close();
    const again = await exportInto(out);
    expect(again).toMatch(/ attachments \(4 missing\), /);
    expect(again).toContain('\n  1 of the 4 missing attachments is stored in iCloud only: ');
    const json = readdirSync(out).filter((f) => f.endsWith('.json')).map((f) => readFileSync(join(out, f), 'utf8')).join('\n');
    expect(json.match(/"missingReason":"icloud"/g)).toHaveLength(1);
  });

  it('an iPhone backup lacks are said to come with a new backup of the phone, not with another run', async () => {
    const phone = join(dir, 'phone', 'chat.db');
    await generateChatDb({ path: phone, messages: 500, seed: 5, iCloudOnly: 0.5 });
    await writeBackup({ chatDb: phone, attachmentsDir: join(dir, 'phone', 'Attachments'), outDir: join(dir, 'backup'), seed: 5 });
    const out = join(dir, 'from-backup');
    const result = await runCli(['export', '--backup', join(dir, 'backup'), '--out', out, '--format', 'txt', '--no-progress']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/ attachments \(5 missing\), /);
    expect(result.stdout).toContain('\n  2 of the 5 missing attachments are in iCloud only, not in the backup: open their conversations in Messages on the iPhone to download them, back the iPhone up again, then export the new backup: the archive adds them\n');
    expect(result.stdout).not.toContain('Optimize Storage');
    expect(occurrences(filesOf(out, '.txt'), '— missing — in iCloud only, not in the backup')).toBe(2);
  });
});
