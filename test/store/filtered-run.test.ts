import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateChatDb } from '../../src/generate/index.js';
import { runCli, tempDir } from '../support/cli.js';

describe('a run with --since into an archive that keeps more', () => {
  const dir = tempDir('filtered-run');
  const db = join(dir, 'chat.db');
  const out = join(dir, 'archive');
  const exportInto = (...args: string[]) => runCli(['export', '--db', db, '--out', out, '--format', 'txt', '--quiet', ...args]);
  // Message lines in every transcript of the folder.
  const lines = () => readdirSync(out).filter((f) => f.endsWith('.txt'))
    .reduce((sum, f) => sum + readFileSync(join(out, f), 'utf8').split('\n').filter((line) => line.startsWith('[')).length, 0);

  beforeAll(async () => {
    await generateChatDb({ path: db, messages: 400, seed: 12 });
  });

  it('says that its files show less than the archive keeps, and a run without it shows everything again', async () => {
    const first = await exportInto('--since', '2024-01-01');
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toBe('');
    const whole = await exportInto();
    expect(whole.code, whole.stderr).toBe(0);
    const all = lines();
    const windowed = await exportInto('--since', '2024-01-01');
    expect(windowed.code).toBe(0);
    expect(windowed.stderr).toMatch(/^note: this run writes its files for what --since chose: [\d,]+ messages the archive keeps are not in them \(a run without --since shows them all again\)\n$/);
    expect(lines()).toBeLessThan(all);
    await exportInto();
    expect(lines()).toBe(all);

    // --chat alone leaves the other conversations' transcripts as they were: none of their messages is left out.
    const chat = readdirSync(out).find((f) => f.endsWith('.txt'))!.replace(/\.txt$/, '');
    const chosen = await exportInto('--chat', chat, '--exact');
    expect(chosen.code, chosen.stderr).toBe(0);
    expect(chosen.stderr).toBe('');
    expect(lines()).toBe(all);
  });

  it('names as many messages left out as its messages.ndjson lacks of the whole archive’s, reactions not counted', async () => {
    const data = join(dir, 'data');
    const exportData = (...args: string[]) => runCli(['export', '--db', db, '--out', data, '--format', 'ndjson', '--quiet', ...args]);
    const ndjsonLines = () => readFileSync(join(data, 'messages.ndjson'), 'utf8').split('\n').filter(Boolean);
    expect((await exportData()).code).toBe(0);
    const all = ndjsonLines();
    for (const filter of [['--since', '2024-01-01'], ['--chat', JSON.parse(all[0]!).conversationId as string]]) {
      const run = await exportData(...filter);
      expect(run.code, run.stderr).toBe(0);
      const left = Number(/chose: ([\d,]+) messages/.exec(run.stderr)?.[1]?.replace(/,/g, ''));
      expect(left, filter.join(' ')).toBe(all.length - ndjsonLines().length);
    }
  });
});

describe('a run with fewer formats than the archive holds', () => {
  it('says which files it leaves as they were once it changed what the archive keeps', async () => {
    const dir = tempDir('fewer-formats');
    const device = join(dir, 'device');
    const out = join(dir, 'archive');
    await generateChatDb({ path: join(device, 'chat.db'), messages: 200, seed: 14 });
    const exportInto = (formats: string) => runCli(['export', '--db', join(device, 'chat.db'), '--out', out, '--format', formats, '--quiet']);
    expect((await exportInto('txt,html,json')).code).toBe(0);
    const unchanged = await exportInto('txt');
    expect(unchanged.stderr).toBe('');
    const db = new Database(join(device, 'chat.db'));
    const first = db.prepare('SELECT MIN(message_id) FROM chat_message_join').pluck().get();
    db.prepare('DELETE FROM chat_message_join WHERE message_id = ?').run(first);
    db.prepare('DELETE FROM message WHERE ROWID = ?').run(first);
    db.close();
    const fewer = await exportInto('txt');
    expect(fewer.code).toBe(0);
    expect(fewer.stderr).toBe("note: this run does not write the archive's html, json files (--format txt): they do not show what it changed (a run with --format txt,html,json does)\n");
  });
});
