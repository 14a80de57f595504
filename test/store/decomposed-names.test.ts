// macOS lists names decomposed (é as e + U+0301) on an HFS+ disk, and on a disk formatted for Windows or a
// network share, whatever form they were written in, and opens the file by either. An archive written on
// Windows (or Linux, or APFS: composed names) and verified or exported into there was all "unexpected" files
// and "was added since the last export, not by textkeeper" warnings. Here the decomposed name is a hard link
// beside the composed one: listed, and the same file, as there.
import { copyFileSync, linkSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateChatDb } from '../../src/generate/index.js';
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
    expect(verified.stdout.trim()).toBe(`unexpected: ${decomposed} (spelled Chloe\\u0301 Okafor.txt: the name of the archive's Chlo\\u00e9 Okafor.txt in another Unicode form, another file on this disk)`);
    rmSync(join(out, decomposed));
    expect((await runCli(['verify', out])).code).toBe(0);
  });
});

// On a disk that keeps the two forms apart (Linux's), a folder can hold a file under each: printed, they look alike.
describe('a name of the archive in another Unicode form, a file of its own', () => {
  const COMPOSED = 'Zoë Adams.txt';
  const DECOMPOSED = COMPOSED.normalize('NFD');
  // The archive's name composed, as textkeeper writes it, and the other file's decomposed, each with its difference escaped.
  const other = " (spelled Zoe\\u0308 Adams.txt: the name of the archive's Zo\\u00eb Adams.txt in another Unicode form, another file on this disk)";
  const archives = ' (spelled Zo\\u00eb Adams.txt: Zoe\\u0308 Adams.txt, its name in another Unicode form, is another file on this disk)';
  let generated: string;
  let contacts: string;
  const args = (out: string) => ['export', '--db', generated, '--contacts', contacts, '--out', out, '--format', 'txt', '--no-progress'];

  beforeAll(async () => {
    const dir = tempDir('twin-names-src');
    generated = join(dir, 'chat.db');
    await generateChatDb({ path: generated, messages: 60, seed: 7, conversations: 4, images: 0 });
    contacts = join(dir, 'people.vcf');
    writeFileSync(contacts, 'BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Zoë Adams\r\nEMAIL:chiara2@example.com\r\nEND:VCARD\r\n');
  });

  async function archive(): Promise<string> {
    const out = join(tempDir('twin-names'), 'archive');
    expect((await runCli(args(out))).code).toBe(0);
    expect(readdirSync(out)).toContain(COMPOSED);
    return out;
  }

  it('planted beside the file: verify and an export name it apart from the archive’s', async () => {
    const out = await archive();
    writeFileSync(join(out, DECOMPOSED), 'not the archive’s\n');
    const verified = await runCli(['verify', out, '--no-progress']);
    expect(verified.stdout).toBe(`unexpected: ${DECOMPOSED}${other}\n`);
    expect(verified.code).toBe(1);
    const rerun = await runCli(args(out));
    expect(rerun.stderr).toBe(`warning: ${DECOMPOSED}${other} was added since the last export, not by textkeeper: it is not part of the archive (verify reports it)\n`);
    expect(rerun.code).toBe(0);
    // The export kept it out of the archive, as verify still says (after the history line of what the export found).
    expect((await runCli(['verify', out, '--no-progress'])).stdout.trim().split('\n').at(-1)).toBe(`unexpected: ${DECOMPOSED}${other}`);
  });

  it('in the file’s place: verify finds the archive’s missing and the other unexpected, each named apart', async () => {
    const out = await archive();
    renameSync(join(out, COMPOSED), join(out, DECOMPOSED));
    const verified = await runCli(['verify', out, '--no-progress']);
    expect(verified.stdout).toBe(`missing: ${COMPOSED}${archives}\nunexpected: ${DECOMPOSED}${other}\n`);
    expect(verified.code).toBe(1);
    const rerun = await runCli(args(out));
    expect(rerun.stderr.split('\n')).toEqual([
      `warning: ${DECOMPOSED}${other} was added since the last export, not by textkeeper: it is not part of the archive (verify reports it)`,
      `warning: ${COMPOSED}${archives} was removed since the last export, not by textkeeper: this export wrote it again`,
      '',
    ]);
    expect(readdirSync(out).filter((name) => name.startsWith('Zo')).sort()).toEqual([DECOMPOSED, COMPOSED]);
  });
});
