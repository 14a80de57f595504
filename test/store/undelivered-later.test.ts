// A message that had not gone out when the archive last read it (sending failed, or scheduled for later) and
// went since changes no other row: the next run into the archive must still see it, and drop its note.
// Two copies of the database, one from before it went, show it as sent.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { addMessage, makeBase, NORMAL_DATE, SECOND, spoiledCopy } from '../robust/support.js';
import { runCli, tempDir } from '../support/cli.js';

function txtOf(folder: string): string {
  return readFileSync(join(folder, readdirSync(folder).find((f) => f.endsWith('.txt'))!), 'utf8');
}

describe('a message that went out after the archive saw it held back', () => {
  const notGone = (d: Database.Database) => {
    addMessage(d, { text: 'tried again later', error: 4, is_sent: 0 }, 'FAILED-1');
    addMessage(d, { text: 'sent at nine', schedule_type: 2, is_sent: 0, date: NORMAL_DATE + 60n * SECOND }, 'SCHEDULED-1');
  };
  const gone = (d: Database.Database) => {
    d.prepare("UPDATE message SET error = 0, is_sent = 1, date_delivered = ? WHERE guid = 'FAILED-1'").run(NORMAL_DATE + 5n * SECOND);
    d.prepare("UPDATE message SET is_sent = 1, schedule_state = 2 WHERE guid = 'SCHEDULED-1'").run();
  };
  const exportTo = async (out: string, dbs: string[]) => {
    const result = await runCli(['export', ...dbs.flatMap((db) => ['--db', db]), '--out', out, '--format', 'txt', '--timezone', 'UTC', '--quiet']);
    expect(result.code, result.stderr).toBe(0);
  };

  it('loses its note on the next run into the archive', async () => {
    const dir = tempDir('undelivered-later');
    const db = spoiledCopy(await makeBase(dir, 30), dir, 'source', notGone);
    const out = join(dir, 'out');
    await exportTo(out, [db]);
    expect(txtOf(out)).toContain('tried again later\n  ✗ Not Delivered\n');
    expect(txtOf(out)).toContain('sent at nine\n  ✗ Scheduled, not sent\n');
    const d = new Database(db);
    gone(d);
    d.close();
    await exportTo(out, [db]);
    expect(txtOf(out)).toContain('tried again later\n  ✓ Delivered 2023-03-05 00:00:05\n');
    expect(txtOf(out)).not.toContain('✗');
  });

  it('is shown as sent when another copy of the database says so', async () => {
    const dir = tempDir('undelivered-copies');
    const base = await makeBase(dir, 30);
    const before = spoiledCopy(base, dir, 'before', notGone);
    const after = spoiledCopy(base, dir, 'after', (d) => (notGone(d), gone(d)));
    const out = join(dir, 'out');
    await exportTo(out, [before, after]);
    expect(txtOf(out)).toContain('tried again later\n  ✓ Delivered 2023-03-05 00:00:05\n');
    expect(txtOf(out)).not.toContain('✗');
  });
});
