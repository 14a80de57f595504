// The command line restarts Node with a heap cap only where it can matter: large databases, backups, PDFs.
import { closeSync, mkdirSync, openSync, ftruncateSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mayNeedHeapCap } from '../../src/cli/launcher.js';
import { tempDir } from '../support/cli.js';

/** A sparse file of that many MB. */
function fileOf(path: string, mb: number): string {
  const fd = openSync(path, 'w');
  ftruncateSync(fd, mb * 1024 * 1024);
  closeSync(fd);
  return path;
}

describe('the heap cap', () => {
  const dir = tempDir('launcher');
  const small = fileOf(join(dir, 'small.db'), 6);
  const large = fileOf(join(dir, 'large.db'), 40);
  const archive = join(dir, 'archive');
  mkdirSync(archive);
  fileOf(join(archive, 'textkeeper.sqlite'), 12);

  it('is not needed to print help or the version, or to verify an archive', () => {
    for (const args of [[], ['--version'], ['-h'], ['export', '--help'], ['list', '-h'], ['verify', archive], ['help', 'export']]) {
      expect(mayNeedHeapCap(args), args.join(' ')).toBe(false);
    }
  });

  it('is not needed to read small databases', () => {
    expect(mayNeedHeapCap(['export', '--db', small, '--out', join(dir, 'new'), '--format', 'txt,html'])).toBe(false);
    expect(mayNeedHeapCap(['list', `--db=${small}`])).toBe(false);
    expect(mayNeedHeapCap(['stats', '--archive', archive])).toBe(false);
  });

  it('is needed for large databases, their sum with the archive’s store, backups, PDFs and the Mac’s own database', () => {
    expect(mayNeedHeapCap(['export', '--db', large, '--out', join(dir, 'new')])).toBe(true);
    expect(mayNeedHeapCap(['export', '--db', small, '--out', archive])).toBe(true);
    expect(mayNeedHeapCap(['export', '--backup', dir, '--out', join(dir, 'new')])).toBe(true);
    expect(mayNeedHeapCap(['export', '--db', small, '--out', join(dir, 'new'), '--format=txt,PDF'])).toBe(true);
    expect(mayNeedHeapCap(['list'])).toBe(true);
  });
});
