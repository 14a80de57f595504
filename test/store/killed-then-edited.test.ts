import { readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli, tempDir } from '../support/cli.js';
import { deviceSlice, exportFrom, filesOf, generateHistory, transcripts, type History } from './device.js';

let history: History;

beforeAll(async () => {
  history = await generateHistory(240, 307);
});

/** An export killed (SIGKILL) once it has renamed into place `count` pages of HTML conversations (or files `renamed` matches). */
async function killedAfterPages(device: string, out: string, count: number, args = ['--format', 'txt,html'], renamed = '/conversations/.*\\.html$') {
  const result = await runCli(['export', '--db', join(device, 'chat.db'), '--out', out, ...args, '--threads', '1', '--no-progress'], {
    NODE_OPTIONS: `--require ${join(ROOT, 'test', 'support', 'kill-after-renames.cjs')}`,
    KILL_RENAMED: renamed,
    KILL_AFTER_RENAMES: String(count),
    // Killed with it, the launcher cannot remove its temporary folder: it is made where the test's are removed.
    TMPDIR: tempDir('killed-run'),
  });
  expect(result.code).not.toBe(0);
}

const warnings = (stderr: string) => stderr.split('\n').filter((line) => line.startsWith('warning: ')).sort();
const withoutExportTime = (text: string) => text.replace(/^Exported .*$/m, '');

describe('after a run that did not finish, an export finds what changed since the last finished one, not by textkeeper', () => {
  it('writes again an edited or removed transcript and copies an altered copy again, saying each, and takes the stopped run\'s files as its own', async () => {
    const out = join(tempDir('killed-then-edited'), 'archive');
    await exportFrom(history.dir, out, 'txt');
    const [edited, removed] = readdirSync(out).filter((f) => f.endsWith('.txt'));
    const written = readFileSync(join(out, edited!), 'utf8');
    // One no other name shares (see same-bytes.test.ts: changed in place, a hard link changes every name).
    const copy = filesOf(join(out, 'attachments')).map((p) => `attachments/${p}`).find((p) => /\.(jpeg|png)$/.test(p) && statSync(join(out, p)).nlink === 1)!;
    const bytes = readFileSync(join(out, copy));
    await killedAfterPages(history.dir, out, 2);
    expect(filesOf(join(out, 'conversations')).length).toBeGreaterThan(0);

    writeFileSync(join(out, edited!), `${written}edited\n`);
    rmSync(join(out, removed!));
    const altered = Buffer.from(bytes);
    altered[altered.length - 1] ^= 1;
    writeFileSync(join(out, copy), altered);

    const again = await exportFrom(history.dir, out, 'txt,html');
    const restored = `warning: ${copy} was changed since the last export, not by textkeeper: its bytes were not those of the SHA-256 its folder names; this export copied the original again from `;
    const said = warnings(again.stderr);
    expect(said.filter((line) => !line.startsWith(restored))).toEqual([
      `warning: ${edited} was changed since the last export, not by textkeeper: this export wrote it again`,
      `warning: ${removed} was removed since the last export, not by textkeeper: this export wrote it again`,
    ].sort());
    expect(said.filter((line) => line.startsWith(restored))).toHaveLength(1);
    expect(withoutExportTime(readFileSync(join(out, edited!), 'utf8'))).toBe(withoutExportTime(written));
    expect(readFileSync(join(out, copy))).toEqual(bytes);
    const verified = await runCli(['verify', out]);
    expect(verified.stdout).toMatch(/^Intact: /m);
  });

  it('says nothing of the files the stopped run wrote', async () => {
    const dir = tempDir('killed-then-edited');
    const out = join(dir, 'archive');
    await exportFrom(deviceSlice(history, undefined, history.thirds[1]), out, 'txt,html');
    const before = transcripts(out);
    // The device got messages since: the stopped run writes transcripts and pages again (one conversation's at least).
    await killedAfterPages(history.dir, out, 2);
    expect([...transcripts(out)].some(([file, text]) => before.get(file) !== text)).toBe(true);

    const again = await exportFrom(history.dir, out, 'txt,html');
    expect(warnings(again.stderr)).toEqual([]);
    const reference = join(dir, 'reference');
    await exportFrom(history.dir, reference, 'txt,html');
    expect(transcripts(out)).toEqual(transcripts(reference));
    const verified = await runCli(['verify', out]);
    expect(verified.stdout).toMatch(/^Intact: /m);
  });

  it('takes a file the stopped run wrote without recording it (a PDF it numbers with --bates) as its own, and compares one not changed since it began', async () => {
    const out = join(tempDir('killed-then-edited'), 'archive');
    const bates = ['--bates', 'KILL:1'];
    await exportFrom(history.dir, out, 'pdf,html', bates);
    const page = join(out, 'conversations', readdirSync(join(out, 'conversations'))[0]!, 'p1.html');
    const { mtime } = statSync(page);
    const html = readFileSync(page, 'utf8');
    // Killed once it has written one PDF again in place (its Bates stamps not numbered yet): the run records none.
    await killedAfterPages(history.dir, out, 1, ['--format', 'pdf', ...bates], '\\.pdf$');
    // A page the stopped run did not write is edited, and given its sealed time back.
    writeFileSync(page, html.replace('</body>', '<p>planted</p></body>'));
    utimesSync(page, mtime, mtime);

    const again = await exportFrom(history.dir, out, 'pdf,html', bates);
    expect(warnings(again.stderr)).toEqual([`warning: ${page.slice(out.length + 1)} was changed since the last export, not by textkeeper: this export wrote it again`]);
    expect(readFileSync(page, 'utf8')).not.toContain('planted');
    const verified = await runCli(['verify', out]);
    expect(verified.stdout).toMatch(/^Intact: /m);
  });
});
