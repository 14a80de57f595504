import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateChatDb } from '../../src/generate/index.js';
import { ArchiveLock, LOCK_FILE } from '../../src/store/archive-lock.js';
import { runCli, tempDir } from '../support/cli.js';

let db: string;

beforeAll(async () => {
  db = join(tempDir('refusals-src'), 'chat.db');
  await generateChatDb({ path: db, messages: 120, seed: 93, conversations: 2 });
});

const exportTo = (out: string) => runCli(['export', '--db', db, '--out', out, '--no-progress']);
const digest = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

/** One line on stderr, exit 1, and the store as it was. */
async function refusedUntouched(out: string, pattern: RegExp): Promise<void> {
  const store = join(out, 'textkeeper.sqlite');
  const before = digest(store);
  const result = await exportTo(out);
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
  expect(result.stderr).toMatch(pattern);
  expect(result.code).toBe(1);
  expect(digest(store)).toBe(before);
}

describe('an archive folder that cannot be updated safely is left alone', () => {
  it('refuses an --archive that is no archive in one line, writing nothing into --out', async () => {
    const out = join(tempDir('refusals-other'), 'out');
    const result = await runCli(['export', '--archive', tempDir('not-an-archive'), '--out', out, '--no-progress']);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/is not a textkeeper archive \(no textkeeper\.sqlite\)/);
    // The folder this run made is not left behind.
    expect(existsSync(out)).toBe(false);
  });

  it('says so when --archive names a file (a chat.db) or nothing, as verify does', async () => {
    const out = join(tempDir('refusals-file'), 'out');
    const file = join(tempDir('refusals-file-db'), 'chat.db');
    writeFileSync(file, 'x');
    for (const [archive, said] of [[file, `${file} is a file: give the archive folder (an earlier --out).`], [join(out, 'none'), `${join(out, 'none')}: no such folder.`]]) {
      const result = await runCli(['export', '--archive', archive!, '--out', out, '--no-progress']);
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(`textkeeper: ${said}\n`);
      expect(existsSync(out)).toBe(false);
    }
  });

  it('leaves none of the folders it made for a new --out behind: neither the folder nor those around it', async () => {
    const home = tempDir('refusals-nested');
    const out = join(home, 'Archives', 'Mom 2024', 'out');
    const missing = await runCli(['export', '--db', join(home, 'no-such.db'), '--out', out, '--no-progress']);
    expect(missing.code).toBe(1);
    const nothingChosen = await runCli(['export', '--db', db, '--out', out, '--chat', 'nobody by this name', '--no-progress']);
    expect(nothingChosen.code).toBe(1);
    expect(nothingChosen.stderr).toMatch(/^textkeeper: No conversation matches/);
    expect(readdirSync(home)).toEqual([]);
  });

  it('refuses an --out inside another archive folder, which would then fail verify, and leaves that archive as it was', async () => {
    const archive = tempDir('refusals-outer');
    expect((await exportTo(archive)).code).toBe(0);
    for (const source of [['--db', db], ['--archive', archive]]) {
      const result = await runCli(['export', ...source, '--out', join(archive, 'Mom', 'pdf'), '--no-progress']);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^textkeeper: --out .*Mom\/pdf lies inside the archive folder .*: choose a folder outside it\.\n$/);
    }
    expect(existsSync(join(archive, 'Mom'))).toBe(false);
    expect((await runCli(['verify', archive])).code).toBe(0);
  });

  it('leaves no store in a new --out when the sources cannot be opened, and keeps an existing archive’s', async () => {
    const notSqlite = join(tempDir('refusals-bad-db'), 'chat.db');
    writeFileSync(notSqlite, 'not a database');
    const out = join(tempDir('refusals-new'), 'out');
    for (const source of [notSqlite, join(tempDir('refusals-missing'), 'chat.db')]) {
      const result = await runCli(['export', '--db', source, '--out', out, '--no-progress']);
      expect(result.code).toBe(1);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(existsSync(out)).toBe(false);
    }
    expect((await exportTo(out)).code).toBe(0);
    expect((await runCli(['export', '--db', notSqlite, '--out', out, '--no-progress'])).code).toBe(1);
    expect(readdirSync(out)).toContain('textkeeper.sqlite');
    expect((await runCli(['verify', out])).code).toBe(0);
  });

  it('refuses a store written by a newer textkeeper', async () => {
    const out = tempDir('future');
    expect((await exportTo(out)).code).toBe(0);
    const store = new Database(join(out, 'textkeeper.sqlite'));
    store.pragma('user_version = 99');
    store.close();
    await refusedUntouched(out, /newer textkeeper \(store version 99/);
  });

  it('reports a damaged store instead of making a new one', async () => {
    const out = tempDir('damaged');
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'textkeeper.sqlite'), Buffer.alloc(8192, 0x5a));
    await refusedUntouched(out, /textkeeper\.sqlite is damaged/);
  });

  it('refuses a store another program holds locked, after waiting for it, as locked and not damaged', async () => {
    const out = tempDir('locked');
    expect((await exportTo(out)).code).toBe(0);
    const path = join(out, 'textkeeper.sqlite');
    const before = digest(path);
    // Read nothing of the file while the lock is held: closing any descriptor of it would drop this process's locks.
    const other = new Database(path);
    other.exec('BEGIN EXCLUSIVE');
    let result: Awaited<ReturnType<typeof exportTo>>;
    try {
      result = await exportTo(out);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`textkeeper: Cannot write the archive's store ${path}: another program holds it locked (close it there, then run again).\n`);
    expect(digest(path)).toBe(before);
    expect((await exportTo(out)).code).toBe(0);
  });

  it('does not start anew over a sealed archive whose store was emptied or removed', async () => {
    const out = tempDir('lost-store');
    expect((await exportTo(out)).code).toBe(0);
    const store = join(out, 'textkeeper.sqlite');
    const files = () => readdirSync(out).filter((f) => f.endsWith('.txt')).map((f) => `${f} ${digest(join(out, f))}`);
    const before = files();
    for (const lose of [() => writeFileSync(store, ''), () => rmSync(store)]) {
      lose();
      const result = await exportTo(out);
      expect(result.code).toBe(1);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(/textkeeper\.sqlite is (empty|missing), though SHA256SUMS lists it: .* the folder was left untouched/);
      expect(files()).toEqual(before);
    }
    writeFileSync(store, '');
    const listed = await runCli(['list', '--archive', out]);
    expect(listed.stderr).toBe(`textkeeper: ${store} is empty: it holds no archive.\n`);
    expect(listed.code).toBe(1);
    // An empty store beside no seal is a first run killed before it made its tables: the next run makes them.
    const first = tempDir('killed-first');
    writeFileSync(join(first, 'textkeeper.sqlite'), '');
    expect((await exportTo(first)).code).toBe(0);
    expect((await runCli(['verify', first])).code).toBe(0);
  });

  it('refuses a store it may not write in one line that names it', async () => {
    const out = tempDir('read-only-store');
    expect((await exportTo(out)).code).toBe(0);
    const store = join(out, 'textkeeper.sqlite');
    // Root writes any file whatever its permissions: a read-only mount of it is what stops root.
    const root = process.getuid?.() === 0;
    if (root && spawnSync('mount', ['--bind', store, store]).status !== 0) return;
    try {
      if (root) expect(spawnSync('mount', ['-o', 'remount,bind,ro', store]).status).toBe(0);
      else chmodSync(store, 0o444);
      await refusedUntouched(out, new RegExp(`^textkeeper: cannot go on: ${store}: it is read-only \\(`));
    } finally {
      if (root) spawnSync('umount', [store]);
      else chmodSync(store, 0o644);
    }
    expect((await runCli(['verify', out])).code).toBe(0);
  });

  it('refuses a non-empty folder that is not an archive, but adopts one of earlier textkeeper output', async () => {
    const foreign = tempDir('foreign');
    writeFileSync(join(foreign, 'taxes.xlsx'), 'mine');
    const refused = await exportTo(foreign);
    expect(refused.stderr).toMatch(/not empty and not a textkeeper archive \(it holds taxes\.xlsx\)/);
    expect(refused.code).toBe(1);
    const earlier = tempDir('earlier');
    writeFileSync(join(earlier, 'Mom.txt'), 'Conversation: Mom\n');
    writeFileSync(join(earlier, 'index.html'), '<html></html>');
    expect((await exportTo(earlier)).code).toBe(0);
    expect((await runCli(['verify', earlier])).code).toBe(0);
  });

  it('adopts text files and PDFs only when textkeeper wrote them: a Mom.pdf or notes.txt the user made is never replaced', async () => {
    const made = tempDir('made');
    expect((await runCli(['export', '--db', db, '--out', made, '--format', 'txt,pdf', '--no-progress'])).code).toBe(0);
    const ours = readdirSync(made).filter((name) => /\.(txt|pdf)$/.test(name));
    const earlier = tempDir('earlier-pdf');
    for (const name of ours) writeFileSync(join(earlier, name), readFileSync(join(made, name)));
    expect((await runCli(['export', '--db', db, '--out', earlier, '--format', 'txt,pdf', '--no-progress'])).code).toBe(0);
    for (const [name, content] of [[ours.find((n) => n.endsWith('.pdf'))!, '%PDF-1.7 a letter of mine'], ['notes.txt', 'my notes']]) {
      const mine = tempDir('mine');
      writeFileSync(join(mine, name), content);
      const refused = await runCli(['export', '--db', db, '--out', mine, '--format', 'txt,pdf', '--no-progress']);
      expect(refused.stderr).toBe(`textkeeper: --out ${mine} is not empty and not a textkeeper archive (it holds ${name}): choose an empty folder or an existing archive.\n`);
      expect(refused.code).toBe(1);
      expect(readdirSync(mine)).toEqual([name]);
      expect(readFileSync(join(mine, name), 'utf8')).toBe(content);
    }
  });

  it('an archive a run refuses once its sources are read (a --chat typo, dates with no message, --bates beside other PDFs) still verifies', async () => {
    const out = tempDir('refused-later');
    const db = join(tempDir('refused-later-src'), 'chat.db');
    await generateChatDb({ path: db, messages: 150, seed: 5, conversations: 4 });
    const pdfs = ['--format', 'pdf', '--no-progress'];
    expect((await runCli(['export', '--db', db, '--out', out, ...pdfs])).code).toBe(0);
    const ids = (JSON.parse((await runCli(['list', '--db', db, '--json'])).stdout) as { id: string }[]).map((c) => c.id);
    expect(ids.length).toBeGreaterThan(1);
    const files = () => Object.fromEntries(readdirSync(out).filter((name) => name.endsWith('.pdf')).map((name) => [name, digest(join(out, name))]));
    const before = files();
    for (const [args, said] of [
      [['--chat', 'nobody at all', '--exact'], /^textkeeper: No conversation matches --chat nobody at all/],
      [['--since', '2090-01-01'], /^textkeeper: No messages to export in this database/],
      [['--chat', ids[0]!, '--bates', 'X'], /^textkeeper: --bates numbers every PDF of .* as one sequence/m],
    ] as const) {
      const refused = await runCli(['export', '--db', db, '--out', out, ...pdfs, ...args, '--quiet']);
      expect(refused.stderr, args.join(' ')).toMatch(said);
      expect(refused.stderr.trim().split('\n')).toHaveLength(1);
      expect(refused.code).toBe(1);
      const verified = await runCli(['verify', out]);
      expect(verified.stdout + verified.stderr, args.join(' ')).toMatch(/^Intact: /);
      expect(verified.code).toBe(0);
      expect(files()).toEqual(before);
    }
  });

  it('refuses, before writing anything, a run that would rewrite a file someone made read-only; the archive still verifies', async () => {
    const out = tempDir('protected');
    const db = join(tempDir('protected-src'), 'chat.db');
    await generateChatDb({ path: db, messages: 150, seed: 6, conversations: 3 });
    expect((await runCli(['export', '--db', db, '--out', out, '--format', 'txt,pdf', '--no-progress'])).code).toBe(0);
    const pdf = readdirSync(out).find((name) => name.endsWith('.pdf'))!;
    const text = readdirSync(out).filter((name) => name.endsWith('.txt'));
    chmodSync(join(out, pdf), 0o444);
    const handedOver = digest(join(out, pdf));
    // A4 rewrites every PDF: the protected one is refused by name, nothing else is touched.
    const refused = await runCli(['export', '--db', db, '--out', out, '--format', 'txt,pdf', '--page-size', 'a4', '--no-progress', '--quiet']);
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toContain(`${join(out, pdf)} is a read-only file, and this run would rewrite it`);
    expect(digest(join(out, pdf))).toBe(handedOver);
    expect((await runCli(['verify', out])).stdout).toMatch(/^Intact: /);
    // A run that keeps the PDFs (only the text files asked for) is not held up by it.
    const textOnly = await runCli(['export', '--db', db, '--out', out, '--format', 'txt', '--no-progress', '--quiet']);
    expect(textOnly.code).toBe(0);
    expect(readdirSync(out).filter((name) => name.endsWith('.txt'))).toEqual(text);
    chmodSync(join(out, pdf), 0o644);
  });

  it('refuses, before reading or writing anything, a run into a folder whose SHA256SUMS someone made read-only', async () => {
    const out = tempDir('protected-sums');
    expect((await exportTo(out)).code).toBe(0);
    chmodSync(join(out, 'SHA256SUMS'), 0o444);
    const store = digest(join(out, 'textkeeper.sqlite'));
    const refused = await exportTo(out);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(`textkeeper: ${join(out, 'SHA256SUMS')} is a read-only file, and every run rewrites it: it was left as it is, and so was the archive (make it writable or move it away, then run again).\n`);
    expect(digest(join(out, 'textkeeper.sqlite'))).toBe(store);
    expect((await runCli(['verify', out])).stdout).toMatch(/^Intact: /);
    chmodSync(join(out, 'SHA256SUMS'), 0o644);
  });

  it('refuses a second run into a folder another run is writing, and takes over the lock of a run that was killed', async () => {
    const out = tempDir('locked');
    expect((await exportTo(out)).code).toBe(0);
    const lock = ArchiveLock.take(out);
    try {
      await refusedUntouched(out, /^textkeeper: Another textkeeper run is writing the archive /);
    } finally {
      lock.release();
    }
    // A run killed outright leaves its lock file, not its lock.
    writeFileSync(join(out, LOCK_FILE), '');
    expect((await exportTo(out)).code).toBe(0);
    expect(readdirSync(out)).not.toContain(LOCK_FILE);
    expect((await runCli(['verify', out])).code).toBe(0);
  });
});
