// A disk failing under a database SQLite reads (SQLITE_IOERR_READ, "disk I/O error") is a failure of the machine,
// not damage to one conversation: the run ends in one line naming the file. It was "skipped the conversation …:
// disk I/O error", and the run went on to finish as if the conversation were damaged.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateChatDb } from '../../src/generate/index.js';
import { ROOT, runCli, tempDir } from '../support/cli.js';

const failing = { NODE_OPTIONS: `--require ${join(ROOT, 'test', 'support', 'sqlite-read-fault.cjs')}` };

describe('a database the disk fails to read', () => {
  const dir = tempDir('disk-read-errors');
  const db = join(dir, 'chat.db');

  beforeAll(async () => {
    await generateChatDb({ path: db, messages: 60, seed: 7, conversations: 3 });
  });

  it('ends the run in one line naming the database, with nothing skipped', async () => {
    const out = join(dir, 'out');
    const result = await runCli(['export', '--db', db, '--out', out, '--format', 'txt', '--no-progress'], failing);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`textkeeper: cannot go on: ${db}: it could not be read (a failing disk?).\n`);
    expect(result.stdout).not.toMatch(/skipped|finished|Exported/i);
    expect(existsSync(join(out, 'SHA256SUMS'))).toBe(false);
  });

  it("ends the run in one line naming the archive's store when the disk fails to read that", async () => {
    const out = join(dir, 'store');
    const messagesRead = { ...failing, READ_FAULT_SQL: 'SELECT body, absent_since, source_set, date, seq, guid FROM messages' };
    const result = await runCli(['export', '--db', db, '--out', out, '--format', 'txt', '--no-progress'], messagesRead);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`textkeeper: cannot go on: ${join(out, 'textkeeper.sqlite')}: it could not be read (a failing disk?).\n`);
    expect(result.stdout).not.toMatch(/skipped|finished|Exported/i);
    expect(existsSync(join(out, 'SHA256SUMS'))).toBe(false);
  });
});
