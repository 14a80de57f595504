// A disk that fills during an export: the run stops with one line naming the file it could not write, leaves
// no unfinished file (nor NDJSON's part files) behind and no seal, and a run with room finishes the archive.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, runCli, tempDir } from '../support/cli.js';

const DISK = tempDir('full-disk');
const SAMPLE = join(ROOT, 'sample-data', 'chat.db');

/** A 3 MB tmpfs over DISK: the sample's archive needs about 9 MB. Needs root and a system that allows it. */
function mountSmallDisk(megabytes: number, remount = false): boolean {
  const options = `${remount ? 'remount,' : ''}size=${megabytes}m`;
  return spawnSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', DISK], { stdio: 'ignore' }).status === 0;
}

const mounted = process.platform === 'linux' && process.getuid?.() === 0 && mountSmallDisk(3);

afterAll(() => {
  if (mounted) spawnSync('umount', [DISK], { stdio: 'ignore' });
});

/** Files an export leaves that are not meant to be there: unfinished files and NDJSON's parts. */
function leftovers(out: string): string[] {
  if (!existsSync(out)) return [];
  return readdirSync(out, { recursive: true }).map(String).filter((f) => f.endsWith('.partial') || f.includes('.messages.ndjson.parts'));
}

/** Empties the disk and gives it this size. */
function freshDisk(megabytes: number): void {
  for (const name of readdirSync(DISK)) rmSync(join(DISK, name), { recursive: true, force: true });
  expect(mountSmallDisk(megabytes, true)).toBe(true);
}

describe.skipIf(!mounted)('a full disk (skipped where a small tmpfs cannot be mounted: root on Linux only)', () => {
  // 1 MB: the store fills first; 3 MB: a page, PDF or part file (the sample's archive needs about 9 MB).
  it.each([
    [1, 'txt'],
    [3, 'txt,html'],
    [3, 'html,ndjson'],
    [3, 'json,ndjson,csv'],
    [3, 'pdf'],
  ])('%i MB, %s: one line naming the file, nothing unfinished left, no seal', async (megabytes, formats) => {
    freshDisk(megabytes);
    const out = join(DISK, formats.replaceAll(',', '-'));
    const run = await runCli(['export', '--db', SAMPLE, '--out', out, '--format', formats, '--quiet']);
    expect(run.code).toBe(1);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^textkeeper: cannot go on: \/.+: the disk is full( \(write\))?\.$/);
    expect(lines[0]!.startsWith(`textkeeper: cannot go on: ${out}/`)).toBe(true);
    expect(leftovers(out)).toEqual([]);
    expect(existsSync(join(out, 'SHA256SUMS'))).toBe(false);
    expect(existsSync(join(out, 'index.html'))).toBe(false);
    const verified = await runCli(['verify', out]);
    expect(verified.code).toBe(1);
    expect(verified.stderr.trim()).toBe(`textkeeper: ${out} is an unfinished archive: no export into it has completed (no SHA256SUMS); export into it again to finish it.`);
  });

  it('a later run that fills the disk leaves the archive it updates, which verify calls unfinished', async () => {
    freshDisk(20);
    const out = join(DISK, 'sealed');
    expect((await runCli(['export', '--db', SAMPLE, '--out', out, '--format', 'txt,html', '--quiet'])).code).toBe(0);
    // All but about 1 MB taken: the PDFs a second run adds do not fit.
    const free = statfsSync(DISK);
    writeFileSync(join(DISK, 'filler'), Buffer.alloc(free.bavail * free.bsize - 1024 * 1024));
    const run = await runCli(['export', '--db', SAMPLE, '--out', out, '--format', 'txt,html,pdf', '--quiet']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/\.pdf: the disk is full/);
    expect(leftovers(out)).toEqual([]);
    const verified = await runCli(['verify', out]);
    expect(verified.code).toBe(1);
    expect(verified.stdout).toMatch(/^unfinished: the export begun \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ did not finish/);
    rmSync(join(DISK, 'filler'));
    expect((await runCli(['export', '--db', SAMPLE, '--out', out, '--format', 'txt,html,pdf', '--quiet'])).code).toBe(0);
    expect((await runCli(['verify', out])).stdout).toMatch(/^Intact: /);
  });

  it('with room, the next run finishes the same archive', async () => {
    freshDisk(3);
    const out = join(DISK, 'again');
    expect((await runCli(['export', '--db', SAMPLE, '--out', out, '--format', 'txt,html', '--quiet'])).code).toBe(1);
    expect(mountSmallDisk(30, true)).toBe(true);
    const run = await runCli(['export', '--db', SAMPLE, '--out', out, '--format', 'txt,html', '--quiet']);
    expect(run.code, run.stderr).toBe(0);
    expect(leftovers(out)).toEqual([]);
    const verified = await runCli(['verify', out]);
    expect(verified.code).toBe(0);
    expect(verified.stdout).toMatch(/^Intact: \d+ files match the manifest\./);
  });
});
