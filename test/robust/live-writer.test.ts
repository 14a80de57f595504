// Issue #10 item 2: a database being written (WAL mode, commits and checkpoints during the export) is
// read as one consistent snapshot: never reported as damaged.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openPages } from '../../src/read/database-pages.js';
import { ROOT, runCli, tempDir } from '../support/cli.js';
import { filesBelow, liveMessages, makeBase, spoiledCopy } from './support.js';

/**
 * Commits a message every few milliseconds and checkpoints (also truncating the -wal) every few commits, until
 * told to stop; says "ready" once its first commit is in the -wal (its -shm made), and at the end how many it made.
 */
const WRITER = `
const Database = require(${JSON.stringify(join(ROOT, 'node_modules', 'better-sqlite3'))});
const [path, stopFile] = process.argv.slice(1);
const db = new Database(path);
db.pragma('journal_mode = WAL');
db.pragma('wal_autocheckpoint = 20');
const chat = db.prepare('SELECT ROWID FROM chat LIMIT 1').pluck().get();
const insert = db.prepare("INSERT INTO message (guid, text, handle_id, is_from_me, service, date) VALUES (?, ?, 0, 1, 'iMessage', ?)");
const join = db.prepare('INSERT INTO chat_message_join (chat_id, message_id, message_date) VALUES (?, ?, ?)');
const commit = db.transaction((n) => {
  const date = 700000000000000000 + n * 1000000000;
  const id = insert.run('LIVE-' + n, 'written while exporting ' + n + ' '.padEnd(n % 2000, 'x'), date).lastInsertRowid;
  join.run(chat, id, date);
});
const fs = require('node:fs');
let n = 0;
const deadline = Date.now() + 120000;
while (!fs.existsSync(stopFile) && Date.now() < deadline) {
  commit(n++);
  if (n === 1) console.log('ready');
  if (n % 7 === 0) db.pragma(n % 21 === 0 ? 'wal_checkpoint(TRUNCATE)' : 'wal_checkpoint(PASSIVE)');
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2);
}
db.close();
console.log(n);
`;

describe('a database written during the export', () => {
  const dir = tempDir('live');
  let base = '';
  let db = '';

  beforeAll(async () => {
    base = await makeBase(dir, 400);
    db = spoiledCopy(base, dir, 'live');
  });

  it('exports 0 failures in a row of runs while a writer commits and checkpoints', async () => {
    const stop = join(dir, 'stop');
    const writer = spawn(process.execPath, ['-e', WRITER, db, stop], { stdio: ['ignore', 'pipe', 'inherit'] });
    let said = '';
    const ready = new Promise<void>((resolve) => writer.stdout!.on('data', (chunk: Buffer) => ((said += chunk.toString()), said.startsWith('ready\n') && resolve())));
    const done = new Promise((resolve) => writer.on('exit', resolve));
    try {
      await Promise.race([ready, done]);
      for (let run = 0; run < 8; run++) {
        const result = await runCli(['export', '--db', db, '--out', join(dir, `out-${run}`), '--no-progress']);
        expect(result.stderr).toBe('');
        expect(result.code).toBe(0);
        expect(result.stdout).toMatch(/^Exported \d+ conversations/);
      }
    } finally {
      writeFileSync(stop, '');
      await done;
    }
    expect(Number(said.replace('ready\n', ''))).toBeGreaterThan(50);
  });

  // The moment that made the runs above fail now and then on a busy machine, held still: a checkpoint writes
  // page 1 (the database's new page count in its header) into the file before the pages it counts, so the
  // file's header says for a while that it is cut short. The -wal still holds every page, as readers see them.
  it('reads a database caught mid-checkpoint (its header counting pages not yet in the file) as sound', async () => {
    const { path, db: messages, add } = liveMessages(base, dir, 'mid-checkpoint');
    try {
      add(60, 'ONLY-IN-THE-WAL');
      const pages = openPages(path);
      const first = pages.read(1);
      pages.close();
      expect(first.readUInt32BE(28) * first.length).toBeGreaterThan(statSync(path).size);
      const file = openSync(path, 'r+');
      writeSync(file, first, 0, first.length, 0);
      closeSync(file);
      const out = join(dir, 'out-mid-checkpoint');
      const result = await runCli(['export', '--db', path, '--out', out, '--format', 'txt', '--no-progress']);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const text = filesBelow(out).filter((f) => f.endsWith('.txt')).map((f) => readFileSync(join(out, f), 'utf8')).join('');
      expect(text).toContain('ONLY-IN-THE-WAL 59 words');
    } finally {
      messages.close();
    }
  });
});
