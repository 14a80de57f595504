// The command line restarts Node with a heap cap only where it can matter: large databases, backups, PDFs.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, ftruncateSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mayNeedHeapCap, passOnSignals } from '../../src/cli/launcher.js';
import { ROOT, tempDir } from '../support/cli.js';

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

describe('signals to the launcher', () => {
  /** The signals the child was sent when the launcher got each of these (the listeners added removed after). */
  function passedOn(platform: NodeJS.Platform): string[] {
    const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
    const before = new Map(signals.map((s) => [s, process.listeners(s)]));
    const sent: string[] = [];
    passOnSignals({ kill: (signal) => sent.push(signal) }, platform);
    for (const signal of signals) {
      // Only the launcher's own listeners are called (the test runner may have some of its own).
      for (const listener of process.listeners(signal).filter((l) => !before.get(signal)!.includes(l))) {
        listener(signal);
        process.off(signal, listener);
      }
    }
    return sent;
  }

  it('are passed on to the child', () => {
    expect(passedOn('linux')).toEqual(['SIGINT', 'SIGTERM', 'SIGHUP']);
    expect(passedOn('darwin')).toEqual(['SIGINT', 'SIGTERM', 'SIGHUP']);
  });

  it('on Windows are not: the console tells the child itself, and kill() there would end it before it cleans up', () => {
    expect(passedOn('win32')).toEqual([]);
  });
});

describe('a restart that cannot start', () => {
  it('is said in one line naming Node, exits 1, and leaves no folder behind', async () => {
    const dir = tempDir('no-restart');
    // Node's own file is named as gone: spawning the restart (always made for PDFs) fails with ENOENT.
    const args = ['--import', 'data:text/javascript,process.execPath="/nonexistent/node"', join(ROOT, 'dist', 'cli', 'main.js')];
    const child = spawn(process.execPath, [...args, 'export', '--db', join(ROOT, 'sample-data', 'chat.db'), '--out', join(dir, 'out'), '--format', 'pdf'], {
      env: { ...process.env, TMPDIR: dir },
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).toBe('textkeeper: cannot go on: Node (/nonexistent/node) could not be started for the export: no such file or folder.\n');
    expect(code).toBe(1);
    expect(existsSync(join(dir, 'out'))).toBe(false);
    expect(readdirSync(dir).filter((name) => name.startsWith('textkeeper-run-'))).toEqual([]);
  });
});
