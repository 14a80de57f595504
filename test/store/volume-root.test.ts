// An archive that is a disk of its own holds the volume's folders, which its user cannot look into
// (macOS: `.Trashes`, `.Spotlight-V100`; Windows: `System Volume Information`): exporting and verifying
// leave them unread. Reading every folder, the run stopped at the end with "permission denied (scandir)".
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateChatDb } from '../../src/generate/index.js';
import { insideFolder, safeFileName } from '../../src/media/safe-names.js';
import { safeStem } from '../../src/output/files.js';
import { isSystemPath } from '../../src/store/manifest.js';
import { ROOT, tempDir, type CliResult } from '../support/cli.js';

/** Root reads every folder: the CLI then runs as nobody, as a user would. */
const AS_USER = process.getuid?.() === 0 ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'] : [];

function runAsUser(args: string[]): Promise<CliResult> {
  const [command, ...rest] = [...AS_USER, process.execPath, join(ROOT, 'dist', 'cli', 'main.js'), ...args];
  const child = spawn(command!, rest, { env: { ...process.env, TZ: 'UTC' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr })));
}

describe.skipIf(process.platform === 'win32')('an archive at the top of a disk', () => {
  const dir = tempDir('volume-root');
  const db = join(dir, 'chat.db');
  const volume = join(dir, 'volume');

  beforeAll(async () => {
    await generateChatDb({ path: db, messages: 200, seed: 12, conversations: 3, images: 3 });
    mkdirSync(join(volume, '.Spotlight-V100', 'Store-V2'), { recursive: true });
    writeFileSync(join(volume, '.Spotlight-V100', 'Store-V2', 'store.db'), 'index');
    mkdirSync(join(volume, '.Trashes'));
    // As on a Mac's disk: the trash can be written into, not listed; Spotlight's folder is the system's alone.
    chmodSync(join(volume, '.Trashes'), 0o333);
    chmodSync(join(volume, '.Spotlight-V100'), 0o700);
    for (const folder of [dir, volume]) chmodSync(folder, 0o777);
    chmodSync(db, 0o644);
  });

  it('is exported, verified and exported again without looking into the volume’s own folders', async () => {
    const args = ['export', '--db', db, '--out', volume, '--format', 'txt,html', '--no-progress'];
    const first = await runAsUser(args);
    expect(first.stderr).not.toMatch(/permission denied|cannot go on/);
    expect(first.code).toBe(0);
    const verified = await runAsUser(['verify', volume]);
    expect(verified.stdout).toMatch(/^Intact: /);
    expect(verified.code).toBe(0);
    expect((await runAsUser(args)).code).toBe(0);
  });
});

describe('an archive at the top of a Windows disk (a USB stick, E:\\)', () => {
  const dir = tempDir('windows-volume');
  const db = join(dir, 'chat.db');
  const volume = join(dir, 'volume');

  beforeAll(async () => {
    await generateChatDb({ path: db, messages: 200, seed: 12, conversations: 3, images: 3 });
    for (const [path, text] of [['System Volume Information/IndexerVolumeGuid', '{guid}'], ['$RECYCLE.BIN/S-1-5-21-1/desktop.ini', '[.ShellClassInfo]']]) {
      mkdirSync(join(volume, path, '..'), { recursive: true });
      writeFileSync(join(volume, path), text);
    }
    for (const folder of [dir, volume]) chmodSync(folder, 0o777);
    chmodSync(db, 0o644);
  });

  it('is taken for an empty folder, and what Explorer and the volume write in it is not the archive’s', async () => {
    const args = ['export', '--db', db, '--out', volume, '--format', 'txt,html', '--no-progress'];
    const first = await runAsUser(args);
    expect(first.stderr).not.toMatch(/not empty|failed|refusing/);
    expect(first.code).toBe(0);
    const sums = readFileSync(join(volume, 'SHA256SUMS'), 'utf8');
    expect(sums).not.toMatch(/System Volume|RECYCLE|desktop\.ini/);
    expect(sums).toMatch(/ thumbs\//);
    const attachment = /^\w+ {2}(attachments\/\S+\/)[^/\n]+$/m.exec(sums)![1]!;
    writeFileSync(join(volume, attachment, 'Thumbs.db'), 'thumbnails');
    writeFileSync(join(volume, 'conversations', 'desktop.ini'), '[.ShellClassInfo]');
    const verified = await runAsUser(['verify', volume]);
    expect(verified.stdout).toMatch(/^Intact: /);
    expect(verified.code).toBe(0);
    expect((await runAsUser(args)).code).toBe(0);
  });

  it('never names a file as Explorer names its own', () => {
    expect(safeFileName('Thumbs.db')).toBe('_Thumbs.db');
    expect(safeFileName('DESKTOP.INI')).toBe('_DESKTOP.INI');
    expect(safeStem('desktop.ini')).toBe('_desktop.ini');
    expect(isSystemPath('System Volume Information/IndexerVolumeGuid')).toBe(true);
    expect(isSystemPath('conversations/System Volume Information/page-1.html')).toBe(false);
  });

  it('writes pictures into a folder that is a whole disk', () => {
    expect(insideFolder('/', 'thumbs/ab/x.jpg')).toBe('/thumbs/ab/x.jpg');
    expect(() => insideFolder(volume, '../x.jpg')).toThrow(/outside the archive/);
  });
});
