// Issue #10 item 1: damage is found, named and counted; what can be read is exported; --no-check skips the check.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../support/cli.js';
import { addMessage, makeBase, spoiledCopy } from './support.js';

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

    const unchecked = await runCli(['export', '--db', db, '--out', join(dir, 'out-unchecked'), '--no-check', '--quiet']);
    expect(unchecked.code).toBe(0);
    expect(unchecked.stderr).toBe('');
  });

  it('a damaged index page is named; no message is lost', async () => {
    const db = spoiledCopy(base, dir, 'index');
    const page = leafPage(db, 'sqlite_autoindex_message_1', 'leaf');
    patchPage(db, page, (bytes, at) => bytes.writeUInt16BE(bytes.readUInt16BE(at + 10), at + 8));
    const result = await runCli(['export', '--db', db, '--out', join(dir, 'out-index')]);
    expect(result.code, result.stderr).toBe(3);
    expect(result.stderr).toMatch(/is damaged: .*page \d+.*sqlite_autoindex_message_1/);
    expect(result.stderr).toMatch(/0 rows could not be read/);
  });

  it('a message whose stored text cannot be read: its conversation is skipped with one line, the others exported, exit 3', async () => {
    const overflowPages = (d: Database.Database) => d.prepare("SELECT pageno FROM dbstat WHERE name = 'message' AND pagetype = 'overflow'").pluck().all() as number[];
    let added: number[] = [];
    const db = spoiledCopy(base, dir, 'overflow', (d) => {
      const before = new Set(overflowPages(d));
      addMessage(d, { text: 'overflowing '.repeat(3000) }, 'BIG-TEXT');
      added = overflowPages(d).filter((page) => !before.has(page));
    });
    // The first overflow page of the new message's text points on to a page that does not exist.
    patchPage(db, Math.min(...added), (bytes, at) => bytes.writeUInt32BE(999_999, at));
    const result = await runCli(['export', '--db', db, '--out', join(dir, 'out-overflow')]);
    expect(result.code, result.stderr).toBe(3);
    expect(result.stderr).toMatch(/textkeeper: skipped the conversation “[^”]+”: database disk image is malformed/);
    expect(result.stderr).toMatch(/textkeeper: the archive is incomplete: 1 conversation skipped/);
    expect(result.stdout).toMatch(/^Exported \d+ conversations/);
  });
});
