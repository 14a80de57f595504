import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isInsideFolders, realFolders } from '../../src/normalize/attachments.js';
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
});
