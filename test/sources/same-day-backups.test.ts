import { cpSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeBackup } from '../../src/generate/backup.js';
import { generateChatDb } from '../../src/generate/index.js';
import { runCli, tempDir } from '../support/cli.js';
import { pdfText, pdfToolsPresent } from '../pdf/pdf-tools.js';

const DEVICE = 'iPhone backup: Sample iPhone, iOS 17.5.1, backed up 2026-03-01';

/** Keeps the first half of the messages (`first`) or the second: each backup has messages the other lacks. */
const half = (first: boolean) => (db: Database.Database) => {
  const dates = db.prepare('SELECT date FROM message ORDER BY date').pluck().all() as number[];
  const gone = `date ${first ? '>=' : '<'} ${dates[Math.floor(dates.length / 2)]}`;
  db.exec(`DELETE FROM message_attachment_join WHERE message_id IN (SELECT ROWID FROM message WHERE ${gone});
    DELETE FROM chat_message_join WHERE message_id IN (SELECT ROWID FROM message WHERE ${gone}); DELETE FROM message WHERE ${gone};`);
};

/** Two backups of one iPhone made on one day, in the morning and in the evening, exported together. */
describe('two backups of one iPhone made the same day', () => {
  const dir = tempDir('same-day-backups');
  const backups = [join(dir, 'morning'), join(dir, 'evening')];

  beforeAll(async () => {
    await generateChatDb({ path: join(dir, 'chat.db'), messages: 200, seed: 5, conversations: 3 });
    for (const [i, hour] of ['08', '20'].entries()) {
      await writeBackup({ chatDb: join(dir, 'chat.db'), attachmentsDir: join(dir, 'Attachments'), outDir: backups[i]!, seed: 5,
        device: { lastBackupDate: new Date(`2026-03-01T${hour}:00:00Z`) }, editSmsDb: half(i === 0) });
    }
  });

  it('are each told apart by the time it was made: the summary says what is only in each, and the files name both', async () => {
    const out = join(dir, 'out');
    const run = await runCli(['export', '--backup', backups[0]!, '--backup', backups[1]!, '--out', out, '--format', 'txt', '--no-progress']);
    expect(run.code, run.stderr).toBe(0);
    const exported = Number(/Exported \d+ conversations?, (\d+) messages/.exec(run.stdout)![1]);
    const only = [...run.stdout.matchAll(/^ {2}(\d+) messages only in (.*)$/gm)].map((m) => [m[2], Number(m[1])] as const);
    expect(only.map(([source]) => source).sort()).toEqual([`${DEVICE} 08:00 UTC`, `${DEVICE} 20:00 UTC`]);
    for (const [source, count] of only) expect(count, source).toBeGreaterThan(0);
    expect(only.reduce((sum, [, count]) => sum + count, 0)).toBe(exported);
    const times = (line: string) => [...line.matchAll(/backed up 2026-03-01 (\d\d:00) UTC/g)].map((m) => m[1]);
    for (const file of readdirSync(out).filter((name) => name.endsWith('.txt'))) {
      const text = readFileSync(join(out, file), 'utf8');
      const sources = /^Sources: .*$/m.exec(text)?.[0];
      if (!sources) continue;
      // Both, in the order the Exported line names them.
      expect([...times(sources)].sort()).toEqual(['08:00', '20:00']);
      expect(times(sources)).toEqual(times(/^Exported .*$/m.exec(text)![0]));
    }
  });

  it('are told apart on a PDF cover as the summary tells them apart', { timeout: 60_000 }, async () => {
    if (!pdfToolsPresent) return;
    const out = join(dir, 'pdf');
    const run = await runCli(['export', '--backup', backups[0]!, '--backup', backups[1]!, '--out', out, '--format', 'pdf', '--no-progress']);
    expect(run.code, run.stderr).toBe(0);
    const pdf = readdirSync(out).find((name) => name.endsWith('.pdf'))!;
    const cover = pdfText(join(out, pdf), { first: 1, last: 1 });
    expect(cover).toMatch(new RegExp(`Source 1\\s+${DEVICE} 08:00 UTC\n${backups[0]}\n`));
    expect(cover).toMatch(new RegExp(`Source 2\\s+${DEVICE} 20:00 UTC\n${backups[1]}\n`));
  });

  it('made at the same time too (a copy of one), are told apart by their folders', async () => {
    const copy = join(dir, 'copy');
    cpSync(backups[0]!, copy, { recursive: true });
    const run = await runCli(['export', '--backup', backups[0]!, '--backup', copy, '--out', join(dir, 'twice'), '--format', 'txt', '--no-progress']);
    expect(run.code, run.stderr).toBe(0);
    for (const folder of [backups[0]!, copy]) expect(run.stdout).toContain(`0 messages only in ${DEVICE} 08:00 UTC (${folder})\n`);
  });
});
