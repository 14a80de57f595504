// On Windows a finished file cannot be renamed over one another program has open (a PDF viewer showing last
// run's PDF, a spreadsheet showing the CSV) nor, for a moment, one an antivirus or the search indexer reads:
// the rename is tried again for about 3 s, then the run stops in one line naming the file, and the archive is
// left unfinished for the next run to complete.
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import * as fsPromises from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ROOT, runCli, tempDir } from '../support/cli.js';

const platform = process.platform;
const DB = join(ROOT, 'sample-data', 'chat.db');
const CONTACTS = join(ROOT, 'sample-data', 'contacts.vcf');

vi.mock('node:fs', async () => {
  const actual = await vi.importActual<typeof import('node:fs')>('node:fs');
  return { ...actual, renameSync: vi.fn(actual.renameSync) };
});
vi.mock('node:fs/promises', async () => {
  const actual = await vi.importActual<typeof import('node:fs/promises')>('node:fs/promises');
  return { ...actual, rename: vi.fn(actual.rename) };
});

/** The next `times` renames fail as Windows fails them on a file held open. */
function refuseRenames(times: number, code = 'EPERM'): void {
  for (let i = 0; i < times; i++) {
    vi.mocked(fsPromises.rename).mockImplementationOnce(async (from, to) => {
      throw Object.assign(new Error(`${code}: rename '${from}' -> '${to}'`), { code, syscall: 'rename', path: from, dest: to });
    });
  }
}

function on(name: NodeJS.Platform): void {
  Object.defineProperty(process, 'platform', { value: name });
}

afterEach(() => {
  on(platform);
  vi.mocked(fsPromises.rename).mockReset();
  vi.mocked(renameSync).mockReset();
});

describe('a finished file renamed over one held open', () => {
  it('is put in place once the other program lets go (Windows)', async () => {
    const { writeAtomically } = await import('../../src/output/files.js');
    const path = join(tempDir('held-open'), 'Mom.pdf');
    writeFileSync(path, 'last run');
    on('win32');
    refuseRenames(2);
    refuseRenames(1, 'EBUSY');
    await writeAtomically(path, 'this run');
    expect(readFileSync(path, 'utf8')).toBe('this run');
  });

  it('stops the run naming the file when it stays held (Windows)', async () => {
    const { writeAtomically } = await import('../../src/output/files.js');
    const folder = tempDir('held-open');
    const path = join(folder, 'Mom.pdf');
    writeFileSync(path, 'last run');
    on('win32');
    refuseRenames(100);
    await expect(writeAtomically(path, 'this run')).rejects.toMatchObject({ code: 'EBUSY', path });
    // Given up after its few tries (about 3 s of waits), counted rather than timed: a busy machine stretches waits.
    expect(vi.mocked(fsPromises.rename)).toHaveBeenCalledTimes(7);
    expect(readdirSync(folder)).toEqual(['Mom.pdf']);
  });

  it('is not tried again elsewhere (a refusal there is not passing)', async () => {
    const { writeAtomically } = await import('../../src/output/files.js');
    const path = join(tempDir('held-open'), 'Mom.pdf');
    on('linux');
    refuseRenames(1);
    await expect(writeAtomically(path, 'this run')).rejects.toMatchObject({ code: 'EPERM', syscall: 'rename' });
  });

  it('is waited for synchronously too (attachment copies)', async () => {
    const { renameIntoPlaceSync } = await import('../../src/output/rename-into-place.js');
    const folder = tempDir('held-open');
    writeFileSync(join(folder, 'a.partial'), 'x');
    on('win32');
    vi.mocked(renameSync).mockImplementationOnce(() => {
      throw Object.assign(new Error('EACCES: an antivirus reads it'), { code: 'EACCES' });
    });
    renameIntoPlaceSync(join(folder, 'a.partial'), join(folder, 'a.jpg'));
    expect(renameSync).toHaveBeenCalledTimes(2);
    expect(readdirSync(folder)).toEqual(['a.jpg']);
  });
});

describe('an export whose CSV a spreadsheet holds open on Windows', () => {
  const preload = (env: Record<string, string>) => ({
    NODE_OPTIONS: `--import=${join(ROOT, 'test', 'support', 'as-windows.mjs')}`,
    TEMP: process.env.TMPDIR ?? '/tmp', // os.tmpdir() on "Windows"
    HELD_OPEN_NAME: 'Mom.csv',
    ...env,
  });
  const args = (out: string) => ['export', '--db', DB, '--contacts', CONTACTS, '--out', out, '--format', 'txt,csv', '--no-progress'];

  it('stops in one line naming it, and the next run completes the archive', async () => {
    const out = tempDir('held-open-cli');
    const held = await runCli(args(out), preload({}));
    expect(held.code).toBe(1);
    expect(held.stderr.trim().split('\n')).toEqual([`textkeeper: cannot go on: ${join(out, 'Mom.csv')}: another program has it open (close it there, then run again).`]);
    expect(existsSync(join(out, 'SHA256SUMS'))).toBe(false);
    expect(readdirSync(out).filter((name) => name.endsWith('.partial'))).toEqual([]);
    expect((await runCli(['verify', out])).stderr).toMatch(/unfinished archive/);

    expect((await runCli(args(out))).code).toBe(0);
    expect((await runCli(['verify', out])).code).toBe(0);
    expect(readFileSync(join(out, 'Mom.csv'), 'utf8')).toMatch(/^.+\r\n/);
  });

  it('goes on once it is let go', async () => {
    const out = tempDir('held-open-cli');
    const run = await runCli(args(out), preload({ HELD_OPEN_TRIES: '3' }));
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect((await runCli(['verify', out])).code).toBe(0);
  });
});
