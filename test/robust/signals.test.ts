// Issue #10 item 12: the process the user starts stops the export on SIGINT/SIGTERM/SIGHUP, and
// killing it (even with SIGKILL) leaves no orphan writing files.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateChatDb } from '../../src/generate/index.js';
import { ROOT, tempDir } from '../support/cli.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The process whose parent is `pid` (the launcher's child), from /proc. */
function childOf(pid: number): number | undefined {
  for (const entry of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) return Number(entry);
    } catch {
      // gone meanwhile
    }
  }
  return undefined;
}

const alive = (pid: number) => existsSync(`/proc/${pid}`) && !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');

describe.skipIf(process.platform !== 'linux')('signals reach the export', () => {
  const dir = tempDir('signals');
  const db = join(dir, 'chat.db');

  beforeAll(async () => {
    await generateChatDb({ path: db, messages: 30_000, seed: 5 });
  });

  /** Starts an export (the launcher, as a user would) and waits until it has begun writing. */
  async function started(label: string, env: Record<string, string> = {}): Promise<{ cli: ChildProcess; out: string; exited: Promise<number | null>; stderr: () => string }> {
    const out = join(dir, label);
    const cli = spawn(process.execPath, [join(ROOT, 'dist', 'cli', 'main.js'), 'export', '--db', db, '--out', out, '--format', 'txt,pdf', '--no-progress'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
    let stderr = '';
    cli.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => cli.on('exit', (code) => resolve(code)));
    while (!(existsSync(out) && readdirSync(out).some((f) => f.endsWith('.partial'))) && cli.exitCode === null) await sleep(20);
    expect(cli.exitCode, stderr).toBe(null);
    return { cli, out, exited, stderr: () => stderr };
  }

  for (const name of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    it(`${name} to the pid the user started interrupts like Ctrl-C`, async () => {
      const { cli, out, exited, stderr } = await started(`out-${name}`);
      const worker = childOf(cli.pid!);
      process.kill(cli.pid!, name);
      expect(await exited).toBe(130);
      expect(stderr().trim()).toBe('textkeeper: interrupted; unfinished files were removed.');
      expect(readdirSync(out).filter((f) => f.endsWith('.partial'))).toEqual([]);
      if (worker) expect(alive(worker)).toBe(false);
    });
  }

  it('SIGKILL of the launcher: its child stops too and removes what it had begun, its temporary folder too', async () => {
    const tmp = join(dir, 'tmp-launcher-killed');
    mkdirSync(tmp);
    const { cli, out, exited } = await started('out-kill', { TMPDIR: tmp });
    const worker = childOf(cli.pid!);
    expect(worker).toBeDefined();
    process.kill(cli.pid!, 'SIGKILL');
    await exited;
    // Its own deadline is 10 s after the launcher is gone; a busy machine may stretch that well beyond.
    for (let waited = 0; alive(worker!) && waited < 150_000; waited += 50) await sleep(50);
    expect(alive(worker!)).toBe(false);
    expect(readdirSync(tmp)).toEqual([]);
    const after = readdirSync(out);
    expect(after.filter((f) => f.endsWith('.partial'))).toEqual([]);
    await sleep(500);
    expect(readdirSync(out)).toEqual(after);
  });

  /** Starts an export reading a database with a -wal beside it (Messages running): it reads a private copy in TMPDIR. */
  async function copyingLive(label: string, tmp: string) {
    const live = join(dir, `live-${label}`);
    mkdirSync(live);
    await generateChatDb({ path: join(live, 'chat.db'), messages: 30_000, seed: 5 });
    writeFileSync(join(live, 'chat.db-wal'), '');
    const cli = spawn(process.execPath, [join(ROOT, 'dist', 'cli', 'main.js'), 'export', '--db', join(live, 'chat.db'), '--out', join(dir, `out-${label}`), '--format', 'pdf', '--no-progress'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, TMPDIR: tmp },
    });
    const exited = new Promise<number | null>((resolve) => cli.on('exit', (code) => resolve(code)));
    const copying = () => readdirSync(tmp).some((run) => readdirSync(join(tmp, run)).some((f) => f.startsWith('textkeeper-db-')));
    while (!copying() && cli.exitCode === null) await sleep(10);
    return { cli, exited };
  }

  it('SIGKILL of the child doing the work: one line says so, and its copy of the database is not left in the temporary folder', async () => {
    const tmp = join(dir, 'tmp');
    mkdirSync(tmp);
    const { cli, exited } = await copyingLive('child-killed', tmp);
    let stderr = '';
    cli.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    process.kill(childOf(cli.pid!)!, 'SIGKILL');
    expect(await exited).toBe(137);
    expect(stderr.trim()).toBe('textkeeper: the export was killed (SIGKILL: by another program, or by the system short of memory); export into the same folder again to complete it.');
    expect(readdirSync(tmp)).toEqual([]);
  });

  it('SIGKILL of both: the copy of the database left in the temporary folder is removed by the next run', async () => {
    const tmp = join(dir, 'tmp-both');
    mkdirSync(tmp);
    const { cli, exited } = await copyingLive('both-killed', tmp);
    // The private folder is made before the copy in it: killed between the two, there would be nothing to remove.
    const copied = () => readdirSync(tmp, { recursive: true }).map(String).some((name) => name.endsWith('chat.db'));
    while (!copied() && cli.exitCode === null) await sleep(10);
    const child = childOf(cli.pid!)!;
    process.kill(cli.pid!, 'SIGKILL');
    process.kill(child, 'SIGKILL');
    await exited;
    while (alive(child)) await sleep(10);
    expect(copied()).toBe(true);
    const left = readdirSync(tmp);
    const nextRun = async () => {
      const next = spawn(process.execPath, [join(ROOT, 'dist', 'cli', 'main.js'), '--version'], { stdio: 'ignore', env: { ...process.env, TMPDIR: tmp } });
      expect(await new Promise((resolve) => next.on('exit', resolve))).toBe(0);
    };
    // Left alone for a minute (a process of another PID namespace seems gone), then removed.
    await nextRun();
    expect(readdirSync(tmp)).toEqual(left);
    const minutesAgo = new Date(Date.now() - 120_000);
    for (const name of left) utimesSync(join(tmp, name), minutesAgo, minutesAgo);
    // A folder of a process still running (this one's) is left alone.
    const running = join(tmp, `textkeeper-db-${process.pid}-abcdef`);
    mkdirSync(running);
    utimesSync(running, minutesAgo, minutesAgo);
    await nextRun();
    expect(readdirSync(tmp)).toEqual([`textkeeper-db-${process.pid}-abcdef`]);
  });

  it('…also when no one hears that line any more (the terminal closed)', async () => {
    const tmp = join(dir, 'tmp-unheard');
    mkdirSync(tmp);
    const { cli, exited } = await copyingLive('child-killed-unheard', tmp);
    cli.stderr!.destroy();
    process.kill(childOf(cli.pid!)!, 'SIGKILL');
    expect(await exited).toBe(137);
    expect(readdirSync(tmp)).toEqual([]);
  });
});
