// A chat.db copied without its Attachments folder has every attachment missing: the summary says where it
// looked and what to give instead, rather than only counting them missing.
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli, tempDir } from '../support/cli.js';

describe('a copied chat.db without its Attachments folder', () => {
  it('is told to give --attachments-root, and only then', async () => {
    const dir = tempDir('attachments-root');
    const db = join(dir, 'chat.db');
    copyFileSync(join(ROOT, 'sample-data', 'chat.db'), db);
    const alone = await runCli(['export', '--db', db, '--out', join(dir, 'alone'), '--quiet']);
    expect(alone.code, alone.stderr).toBe(0);
    expect(alone.stdout).toMatch(/, (\d+) attachments \(\1 missing\),/);
    expect(alone.stdout).toContain(`\n  ${dir} holds no Attachments folder: for a copied chat.db, give --attachments-root the folder its Attachments were copied into (it stands for ~/Library/Messages)\n`);
    const rooted = await runCli(['export', '--db', db, '--attachments-root', join(ROOT, 'sample-data'), '--out', join(dir, 'rooted'), '--quiet']);
    expect(rooted.code, rooted.stderr).toBe(0);
    expect(rooted.stdout).not.toContain('holds no Attachments folder');
  });
});
