// Windows removes no file another program has open: the lock file a run lets go of may be read at that moment
// (an antivirus scanning it, a verify looking whether it is held). The run ended with "another program has it
// open" after it had sealed the archive; the file stays instead, holding no lock, as after a killed run.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { tempDir } from '../support/cli.js';

vi.mock('node:fs', async () => {
  const actual = await vi.importActual<typeof import('node:fs')>('node:fs');
  return { ...actual, rmSync: vi.fn(actual.rmSync) };
});

describe('the lock file of a run that ends while another program reads it', () => {
  it('stays, and the archive is free for the next run', async () => {
    const { ArchiveLock, LOCK_FILE } = await import('../../src/store/archive-lock.js');
    const dir = tempDir('lock-held');
    const lock = ArchiveLock.take(dir);
    expect(ArchiveLock.isHeld(dir)).toBe(true);
    vi.mocked(rmSync).mockImplementationOnce((path) => {
      throw Object.assign(new Error(`EBUSY: resource busy or locked, unlink '${path}'`), { code: 'EBUSY', syscall: 'unlink', path });
    });
    expect(() => lock.release()).not.toThrow();
    expect(vi.mocked(rmSync)).toHaveBeenCalledWith(join(dir, LOCK_FILE), { force: true });
    expect(ArchiveLock.isHeld(dir)).toBe(false);
    ArchiveLock.take(dir).release();
  });
});
