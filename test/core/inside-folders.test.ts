import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isInsideFolders, probeFile, realFolders } from '../../src/normalize/attachments.js';
import { tempDir } from '../support/cli.js';

describe('attachment files must really lie in the attachments folder', () => {
  const root = tempDir('inside');
  const attachments = join(root, 'Attachments');
  const outside = join(root, 'outside');
  mkdirSync(join(attachments, 'ab', 'cd', 'GUID'), { recursive: true });
  mkdirSync(outside);
  writeFileSync(join(attachments, 'ab', 'cd', 'GUID', 'photo.jpg'), 'x');
  writeFileSync(join(outside, 'secret.txt'), 'x');
  symlinkSync(join(outside, 'secret.txt'), join(attachments, 'ab', 'cd', 'GUID', 'file-link.jpg'));
  symlinkSync(outside, join(attachments, 'ab', 'dir-link'));
  symlinkSync(join(attachments, 'ab', 'cd'), join(root, 'alias'));
  const folders = realFolders([attachments]);

  it('accepts files inside, also when reached through a link that stays inside', () => {
    expect(isInsideFolders(join(attachments, 'ab', 'cd', 'GUID', 'photo.jpg'), folders)).toBe(true);
    expect(isInsideFolders(join(root, 'alias', 'GUID', 'photo.jpg'), folders)).toBe(true);
  });

  it('refuses links leading out, files outside and paths that do not exist', () => {
    expect(isInsideFolders(join(attachments, 'ab', 'cd', 'GUID', 'file-link.jpg'), folders)).toBe(false);
    expect(isInsideFolders(join(attachments, 'ab', 'dir-link', 'secret.txt'), folders)).toBe(false);
    expect(isInsideFolders(join(outside, 'secret.txt'), folders)).toBe(false);
    expect(isInsideFolders(join(attachments, 'ab', 'cd', 'GUID', 'gone.jpg'), folders)).toBe(false);
  });

  it('a thread looking at the files ahead of the reading finds what the reading thread would', async () => {
    // The thread's script is the compiled one (npm test builds dist/ first).
    const { FileProber } = (await import(pathToFileURL(join(import.meta.dirname, '../../dist/normalize/file-prober.js')).href)) as typeof import('../../src/normalize/file-prober.js');
    const photo = join(attachments, 'ab', 'cd', 'GUID', 'photo.jpg');
    const paths = [photo, join(root, 'alias', 'GUID', 'photo.jpg'), join(attachments, 'ab', 'cd', 'GUID', 'file-link.jpg'), join(attachments, 'ab', 'dir-link', 'secret.txt'), join(outside, 'secret.txt'), join(attachments, 'ab', 'cd', 'GUID', 'gone.jpg')];
    const prober = new FileProber(folders);
    try {
      // Enough files that the thread is started.
      const probes = prober.ahead([...paths, ...Array.from({ length: 2000 }, () => photo)]);
      for (const path of paths) expect(probes(path) ?? undefined).toEqual(probeFile(path, folders));
      expect(probes(photo)).toMatchObject({ size: 1, inside: true });
      expect(probes(join(outside, 'secret.txt'))).toMatchObject({ inside: false });
      expect(probes(join(attachments, 'ab', 'cd', 'GUID', 'gone.jpg'))).toBeNull();
    } finally {
      await prober.close();
    }
  });
});
