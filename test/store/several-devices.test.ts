import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeBackup } from '../../src/generate/backup.js';
import { runCli, tempDir } from '../support/cli.js';
import { deviceSlice, exportFrom, generateHistory, transcripts } from './device.js';

const MARK = 'Kept by this archive: not on the device since ';

/** Text a run prints that says the archive marked messages as no longer on the device, or found them back. */
const FLAPPED = /[1-9]\d* newly not on the device|back on the device/;

describe('a Mac that keeps every message and an iPhone that keeps the last months, exported in runs of their own', () => {
  it('marks none of the Mac’s messages as no longer on the device when the iPhone is read, and marks what the Mac purges', async () => {
    const history = await generateHistory(300, 316);
    const work = tempDir('mac-and-iphone');
    const archive = join(work, 'archive');
    const phone = deviceSlice(history, history.thirds[1], undefined);
    await writeBackup({ chatDb: join(phone, 'chat.db'), attachmentsDir: join(phone, 'Attachments'), outDir: join(work, 'backup'), seed: 316 });
    const fromBackup = async () => {
      const run = await runCli(['export', '--backup', join(work, 'backup'), '--out', archive, '--format', 'txt', '--no-progress']);
      expect(run.code, run.stderr).toBe(0);
      return run.stdout;
    };
    const runs = [(await exportFrom(history.dir, archive)).stdout, await fromBackup(), (await exportFrom(history.dir, archive)).stdout, await fromBackup()];
    for (const run of runs) expect(run).not.toMatch(FLAPPED);
    const text = [...transcripts(archive).values()].join('\n');
    expect(text).not.toContain(MARK);
    expect(text).toContain(`⧉ Found in: chat.db at ${join(history.dir, 'chat.db')}\n`);
    // The Mac purges the first third, which the iPhone no longer has either; the iPhone does not bring it back.
    expect((await exportFrom(deviceSlice(history, history.thirds[0], undefined), archive)).stdout).toMatch(/ [1-9]\d* newly not on the device/);
    expect(await fromBackup()).not.toMatch(FLAPPED);
    expect([...transcripts(archive).values()].join('\n')).toContain(MARK);
  });
});
