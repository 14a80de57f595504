import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateApart, ROOT, runCli, tempDir } from '../support/cli.js';

/** Starts an export into `out` and sends `signal` to its process group once `ready` says so; gives its exit code. */
async function stopped(args: string[], signal: NodeJS.Signals, ready: () => boolean): Promise<number | null> {
  const child = spawn(process.execPath, [join(ROOT, 'dist', 'cli', 'main.js'), 'export', ...args, '--no-progress'], {
    detached: true,
    stdio: 'ignore',
    // Killed with it, the launcher cannot remove its temporary folder: it is made where the test's are removed.
    env: { ...process.env, TMPDIR: tempDir('stopped-run') },
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code, killed) => resolve(code ?? (killed ? -1 : null))));
  while (!ready() && child.exitCode === null) await new Promise((r) => setTimeout(r, 10));
  if (child.exitCode === null) process.kill(-child.pid!, signal);
  return exited;
}

/** The folder's transcripts and PDFs: each one's modification time, by name. */
function times(out: string): Map<string, number> {
  return new Map(readdirSync(out).filter((f) => /\.(txt|pdf)$/.test(f)).map((f) => [f, statSync(join(out, f)).mtimeMs]));
}

/** How many PDFs were written into `out` since `since` (ms since 1970). */
const pdfsSince = (out: string, since: number) => (existsSync(out) ? readdirSync(out).filter((f) => f.endsWith('.pdf') && statSync(join(out, f)).mtimeMs > since).length : 0);
const withoutExportTime = (text: string) => text.replace(/^Exported .*$/m, '');

describe('an export run again after one that was stopped', () => {
  let db: string;
  let dir: string;
  let reference: string;

  beforeAll(async () => {
    dir = tempDir('interrupted-rerun');
    db = await generateApart(join(dir, 'device'), 6_000, 23, ['--conversations', '24']);
    reference = join(dir, 'reference');
    const whole = await runCli(['export', '--db', db, '--out', reference, '--format', 'txt,pdf', '--no-progress']);
    expect(whole.code, whole.stderr).toBe(0);
  });

  /** Stops a run once it has written `after` PDFs, runs it again, and gives the files the first left, how many the second kept and what it said. */
  async function stopAndRerun(out: string, signal: NodeJS.Signals, extra: string[] = [], after = 4): Promise<{ left: Map<string, number>; kept: string[]; stoppedVerify: string; said: string }> {
    const args = ['--db', db, '--out', out, '--format', 'txt,pdf', '--threads', '1', ...extra];
    const started = Date.now();
    expect(await stopped(args, signal, () => pdfsSince(out, started) >= after)).not.toBe(0);
    const left = times(out);
    const stoppedVerify = (await runCli(['verify', out])).stdout;
    const again = await runCli(['export', ...args, '--no-progress']);
    expect(again.code, again.stderr).toBe(0);
    const now = times(out);
    const kept = [...left].filter(([file, mtime]) => now.get(file) === mtime).map(([file]) => file);
    const verify = await runCli(['verify', out]);
    expect(verify.stdout, verify.stderr).toMatch(/^Intact: /);
    expect(readdirSync(out).filter((f) => /\.partial$|-wal$|-shm$|-lock$/.test(f))).toEqual([]);
    return { left, kept, stoppedVerify, said: again.stdout };
  }

  it('keeps the transcripts and PDFs the stopped run finished (Ctrl-C), as a whole run writes them', async () => {
    const out = join(dir, 'ctrl-c');
    const { left, kept, said } = await stopAndRerun(out, 'SIGINT');
    // No run had finished: the conversations it wrote are not "unchanged since the last run".
    expect(said).toMatch(/^ {2}\d+ conversations? already written as (it is|they are) now \(the last run did not finish\): (its|their) files were kept/m);
    expect(said).not.toContain('since the last');
    // The run is stopped while a file it finished may not be recorded yet: that one is written again.
    expect(kept.length).toBeGreaterThanOrEqual(left.size - 1);
    expect(kept.length).toBeGreaterThanOrEqual(4);
    for (const file of kept.filter((f) => f.endsWith('.txt'))) {
      expect(withoutExportTime(readFileSync(join(out, file), 'utf8')), file).toBe(withoutExportTime(readFileSync(join(reference, file), 'utf8')));
    }
    expect([...times(out).keys()].sort()).toEqual([...times(reference).keys()].sort());
  });

  it('keeps them after kill -9 too', async () => {
    const out = join(dir, 'killed');
    const { left, kept } = await stopAndRerun(out, 'SIGKILL');
    expect(kept.length).toBeGreaterThanOrEqual(left.size - 1);
    expect(kept.length).toBeGreaterThanOrEqual(4);
  });

  it('keeps the files a stopped run rewrote in an archive it had finished before (the PDFs of another --pdf-style)', async () => {
    const out = join(dir, 'rewrite');
    expect((await runCli(['export', '--db', db, '--out', out, '--format', 'txt,pdf', '--no-progress'])).code).toBe(0);
    const sealed = times(out);
    const { left, kept, stoppedVerify, said } = await stopAndRerun(out, 'SIGINT', ['--pdf-style', 'transcript']);
    expect(said).toMatch(/^ {2}\d+ conversations? already written as (it is|they are) now \(the last run did not finish\)/m);
    const rewritten = kept.filter((file) => file.endsWith('.pdf') && left.get(file) !== sealed.get(file));
    expect(rewritten.length).toBeGreaterThanOrEqual(3);
    // Until then, verify said first that the folder was unfinished, then which files differ from SHA256SUMS.
    const lines = stoppedVerify.trim().split('\n');
    expect(lines[0]).toMatch(/^unfinished: the export begun /);
    for (const file of rewritten) expect(lines).toContain(`altered: ${file}`);
    // The transcripts did not change: neither run wrote them.
    for (const file of [...sealed.keys()].filter((f) => f.endsWith('.txt'))) expect(times(out).get(file), file).toBe(sealed.get(file));
  });
});
