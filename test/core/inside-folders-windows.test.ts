// On Windows a path's letter case does not matter: a junction's target comes back from the system in the
// disk's own case (`D:\Messages\Attachments`), whatever case it was made with (`mklink /J … d:\messages\attachments`).
import { mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { tempDir } from '../support/cli.js';

const platform = process.platform;

/** attachments.ts as loaded on that platform. */
async function loadedOn(name: NodeJS.Platform): Promise<typeof import('../../src/normalize/attachments.js')> {
  Object.defineProperty(process, 'platform', { value: name });
  vi.resetModules();
  return import('../../src/normalize/attachments.js');
}

afterEach(() => Object.defineProperty(process, 'platform', { value: platform }));

describe('the attachments folder in another letter case', () => {
  const root = realpathSync(tempDir('inside-case'));
  const photo = join(root, 'Copy', 'Attachments', 'ab', 'photo.jpg');
  mkdirSync(join(photo, '..'), { recursive: true });
  writeFileSync(photo, 'x');
  const folders = [join(root, 'copy', 'ATTACHMENTS')];

  it('is the same folder on Windows', async () => {
    const { isInsideFolders, probeFile } = await loadedOn('win32');
    expect(isInsideFolders(photo, folders)).toBe(true);
    expect(probeFile(photo, folders)).toMatchObject({ inside: true });
  });

  it('is another folder where case matters', async () => {
    const { isInsideFolders } = await loadedOn('linux');
    expect(isInsideFolders(photo, folders)).toBe(false);
  });
});
