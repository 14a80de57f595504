// Issue #10 item 2: a database being written (WAL mode, commits and checkpoints during the export) is
// read as one consistent snapshot: never reported as damaged.
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli, tempDir } from '../support/cli.js';
import { makeBase, spoiledCopy } from './support.js';

/** Commits a message every few milliseconds and checkpoints (also truncating the -wal) every few commits, until told to stop. */
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
  if (n % 7 === 0) db.pragma(n % 21 === 0 ? 'wal_checkpoint(TRUNCATE)' : 'wal_checkpoint(PASSIVE)');
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2);
}
db.close();
console.log(n);
`;

describe('a database written during the export', () => {
  const dir = tempDir('live');
  let db = '';

  beforeAll(async () => {
    db = spoiledCopy(await makeBase(dir, 400), dir, 'live');
  });

  it('exports 0 failures in a row of runs while a writer commits and checkpoints', async () => {
    const stop = join(dir, 'stop');
    const writer = spawn(process.execPath, ['-e', WRITER, db, stop], { stdio: ['ignore', 'pipe', 'inherit'] });
    let commits = '';
    writer.stdout!.on('data', (chunk: Buffer) => (commits += chunk.toString()));
    const done = new Promise((resolve) => writer.on('exit', resolve));
    try {
      while (!existsSync(`${db}-wal`)) await new Promise((r) => setTimeout(r, 20));
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
    expect(Number(commits)).toBeGreaterThan(50);
  });
});
