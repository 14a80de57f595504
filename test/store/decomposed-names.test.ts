// macOS lists names decomposed (é as e + U+0301) on an HFS+ disk, and on a disk formatted for Windows or a
// network share, whatever form they were written in, and opens the file by either. An archive written on
// Windows (or Linux, or APFS: composed names) and verified or exported into there was all "unexpected" files
// and "was added since the last export, not by textkeeper" warnings. Here the decomposed name is a hard link
// beside the composed one: listed, and the same file, as there.
import { copyFileSync, linkSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli, tempDir } from '../support/cli.js';

const DB = join(ROOT, 'sample-data', 'chat.db');
const CONTACTS = join(ROOT, 'sample-data', 'contacts.vcf');

/** Gives every composed name of the archive's top folder its decomposed name too; returns those names. */
function listDecomposed(out: string): string[] {
  const names = readdirSync(out).filter((name) => name !== name.normalize('NFD'));
  for (const name of names) linkSync(join(out, name), join(out, name.normalize('NFD')));
  return names;
}

describe('an archive whose names the disk lists decomposed', () => {
  const args = (out: string) => ['export', '--db', DB, '--contacts', CONTACTS, '--out', out, '--format', 'txt', '--quiet'];

  it('is intact, and an export into it finds nothing changed', async () => {
    const out = tempDir('decomposed');
    expect((await runCli(args(out))).code).toBe(0);
    const sums = () => readFileSync(join(out, 'SHA256SUMS'), 'utf8').replace(/.*  textkeeper\.sqlite\n/, '');
    const sealed = sums();
    expect(listDecomposed(out)).toContain('Chloé Okafor.txt');
    const verified = await runCli(['verify', out]);
    expect(verified.stdout).toMatch(/^Intact: /);
    expect(verified.code).toBe(0);
    const rerun = await runCli(args(out));
    expect(rerun.code).toBe(0);
    expect(rerun.stderr).toBe('');
    expect(sums()).toBe(sealed);
    expect((await runCli(['verify', out])).code).toBe(0);
  });

  it('still has a file of its own under a decomposed name found', async () => {
    const out = tempDir('decomposed');
    expect((await runCli(args(out))).code).toBe(0);
    const decomposed = 'Chloé Okafor.txt'.normalize('NFD');
    copyFileSync(join(out, 'Chloé Okafor.txt'), join(out, decomposed));
    const verified = await runCli(['verify', out]);
    expect(verified.stdout.trim()).toBe(`unexpected: ${decomposed}`);
    rmSync(join(out, decomposed));
    expect((await runCli(['verify', out])).code).toBe(0);
  });
});
