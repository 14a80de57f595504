import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../support/cli.js';
import { deviceSlice, exportFrom, generateHistory, transcripts } from './device.js';

const MARK = 'Kept by this archive: not on the device since ';
const since = (stdout: string) => /^ {2}since the last run: (.*)$/m.exec(stdout)?.[1];
const marked = (archive: string) => [...transcripts(archive).values()].reduce((sum, text) => sum + text.split(MARK).length - 1, 0);

describe('messages that were not on the device and come back', () => {
  const runs: string[] = [];
  let archive: string;

  beforeAll(async () => {
    const history = await generateHistory(300, 77);
    const purged = deviceSlice(history, history.thirds[0], undefined);
    archive = join(tempDir('returned'), 'archive');
    // The whole history, the device after a purge, the whole history again (a backup restored), the purged device again.
    for (const device of [history.dir, purged, history.dir, purged]) runs.push((await exportFrom(device, archive, 'txt,html')).stdout);
  });

  it('are counted as back on the device, and as gone again when the next run lacks them', async () => {
    const gone = Number(/, ([\d,]+) newly not on the device/.exec(since(runs[1]!) ?? '')?.[1]?.replace(/,/g, ''));
    expect(gone).toBeGreaterThan(10);
    // (Reactions on messages the purged device lacked change with them.)
    expect(since(runs[2]!)).toMatch(new RegExp(`^0 messages added, \\d+ changed, 0 newly not on the device \\(kept by this archive\\), ${gone} back on the device$`));
    // The purged device's conversations are as that run last read them, but the archive had them back since.
    expect(since(runs[3]!)).toMatch(new RegExp(`^0 messages added, \\d+ changed, ${gone} newly not on the device \\(kept by this archive\\)$`));
    expect(marked(archive)).toBe(gone);
    const index = readFileSync(join(archive, 'index.html'), 'utf8');
    expect(index).toContain(`${gone} back on the device`);
    expect((await runCli(['verify', archive])).code).toBe(0);
  });
});
