// On Windows a backslash just before a closing quote keeps the quote: `--out "C:\My Archive\" --format pdf`
// (a folder given with its last \) reaches the program as one value, `C:\My Archive" --format pdf`.
// It was looked for or made as a folder ("cannot be created there"), or, when it swallowed --out, said
// "--out is required". No Windows path holds a quote: the value is refused, saying why.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli, tempDir } from '../support/cli.js';

const DB = join(ROOT, 'sample-data', 'chat.db');
/** The CLI believing it runs on Windows (see the preload). */
const ON_WINDOWS = { NODE_OPTIONS: `--import=${join(ROOT, 'test', 'support', 'as-windows.mjs')}`, TEMP: process.env.TMPDIR ?? '/tmp' };

describe('a path whose closing quote a backslash kept (Windows)', () => {
  it('is refused in one line saying so, also when it took --out with it', async () => {
    const out = tempDir('kept-quote');
    const kept = await runCli(['export', '--db', `${DB}" --out ${out}`, '--format', 'txt'], ON_WINDOWS);
    expect(kept.code).toBe(1);
    expect(kept.stderr).toBe(`textkeeper: --db ${DB}" --out ${out}: a Windows path cannot hold "; a \\ just before a closing quote keeps the quote in the path: leave out that last \\.\n`);
  });

  it('is refused as the folder to verify', async () => {
    const verified = await runCli(['verify', `${tempDir('kept-quote')}"`], ON_WINDOWS);
    expect(verified.code).toBe(1);
    expect(verified.stderr).toMatch(/^textkeeper: verify .+": a Windows path cannot hold "; .+\n$/);
  });

  it('is a path like any other elsewhere (a quote is a character there)', async () => {
    const out = `${tempDir('kept-quote')}/say "hi"`;
    expect((await runCli(['export', '--db', DB, '--out', out, '--format', 'txt', '--quiet'])).code).toBe(0);
  });
});

// Node hands Windows a path as given (`\\?\D:\Archive `), so `--out "D:\Archive "` made a folder whose name ends in
// a space, which Explorer (dropping it) can neither open nor remove: the whole archive out of reach.
describe('an --out whose folder name ends in a space or a dot (Windows)', () => {
  it.each(['Archive ', 'Messages.'])('is refused before anything is made: %j', async (name) => {
    const out = join(tempDir('explorer-names'), name, 'inside');
    const run = await runCli(['export', '--db', DB, '--out', out, '--format', 'txt'], ON_WINDOWS);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`textkeeper: --out ${out}: on Windows a folder name cannot end in a space or a dot ("${name}"; Explorer could not open the archive): leave it out.\n`);
    expect(existsSync(join(out, '..'))).toBe(false);
  });
});
