// A Mac writing to a disk formatted for Windows (or to a Windows share) puts each character Windows does not
// allow in a name as one of Unicode's private use (Microsoft's Services for Macintosh mapping, U+F001–U+F029):
// `Q3: what? *final*.pdf` becomes `Q3 what *final*.pdf` with those characters. A Messages folder copied to
// Windows so had every such attachment "not found"; on Windows it is looked for under that name.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli, tempDir } from '../support/cli.js';
import { makeTinyChatDb } from './tiny-chat-db.js';

/** The CLI believing it runs on Windows (see the preload). */
const ON_WINDOWS = { NODE_OPTIONS: `--import=${path.join(ROOT, 'test', 'support', 'as-windows.mjs')}`, TEMP: process.env.TMPDIR ?? '/tmp' };

describe('an attachment whose Mac name Windows does not allow, copied from a Mac', () => {
  it('is found under the name the Mac gave it on a disk formatted for Windows', async () => {
    const work = tempDir('mac-names');
    const chat = makeTinyChatDb(work);
    const name = 'Q3: what? *final*.';
    const bytes = Buffer.from('%PDF-1.4 odd name');
    const onDisk = path.join(chat.attachmentsDir, 'aa', '04', 'DDD-4', 'Q3\uF022 what\uF025 \uF021final\uF021\uF029');
    mkdirSync(path.dirname(onDisk), { recursive: true });
    writeFileSync(onDisk, bytes);
    const db = new Database(chat.chatDb);
    db.prepare("INSERT INTO attachment (guid, filename, transfer_name, total_bytes) VALUES ('ATT-9', ?, ?, ?)").run(`~/Library/Messages/Attachments/aa/04/DDD-4/${name}`, name, bytes.length);
    db.prepare('INSERT INTO message_attachment_join VALUES (6, 4)').run();
    db.close();
    const out = path.join(work, 'out');
    const run = await runCli(['export', '--db', chat.chatDb, '--out', out, '--format', 'json', '--quiet'], ON_WINDOWS);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/ 4 attachments \(1 missing\)/);
    const copies = readdirSync(path.join(out, 'attachments'), { recursive: true }).map(String).filter((p) => p.endsWith('Q3_ what_ _final_'));
    expect(copies).toHaveLength(1);
    expect(readFileSync(path.join(out, 'attachments', copies[0]!))).toEqual(bytes);
  });
});
