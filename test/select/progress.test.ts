import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { VerifyProgress } from '../../src/cli/verify-progress.js';
import { Progress } from '../../src/engine/progress.js';
import { generateChatDb } from '../../src/generate/index.js';
import { onTerminal, runCli, tempDir } from '../support/cli.js';

const LINE = /^\[(\d+)\/(\d+)\] (.+): ([\d,]+) messages? \| (\d+)% \| (estimating time left|[\d,]+ msg\/s, \S+ left|done)$/;

describe('progress without a terminal', () => {
  const dir = tempDir('select-progress');
  const db = join(dir, 'chat.db');

  beforeAll(async () => {
    await generateChatDb({ path: db, messages: 1500, seed: 31 });
  });

  it('is one plain line per conversation finished, counting up to the total counted first', async () => {
    const out = join(dir, 'out');
    const result = await runCli(['export', '--db', db, '--out', out, '--format', 'txt,pdf']);
    expect(result.code, result.stderr).toBe(0);
    const files = readdirSync(out).filter((f) => f.endsWith('.txt'));
    // Reading lines, a tenth written while no conversation was finished, and the line of what is finished once all is
    // written, come only when reading or writing takes seconds.
    const lines = result.stderr.trim().split('\n').filter((line) => !/^(reading the sources: |writing the files: |all written; )/.test(line));
    expect(lines).toHaveLength(files.length);
    const parsed = lines.map((line) => {
      const m = LINE.exec(line);
      expect(m, line).not.toBeNull();
      return { done: Number(m![1]), of: Number(m![2]), title: m![3]!, messages: Number(m![4]!.replace(/,/g, '')), percent: Number(m![5]) };
    });
    expect(parsed.map((p) => p.done)).toEqual(files.map((_, i) => i + 1));
    expect(new Set(parsed.map((p) => p.of))).toEqual(new Set([files.length]));
    expect(parsed.map((p) => p.percent)).toEqual([...parsed.map((p) => p.percent)].sort((a, b) => a - b));
    expect(parsed.at(-1)!.percent).toBe(100);
    const total = parsed.reduce((sum, p) => sum + p.messages, 0);
    expect(result.stdout).toContain(`, ${total.toLocaleString('en-US')} messages,`);
  });

  it('--quiet prints nothing but the summary', async () => {
    const result = await runCli(['export', '--db', db, '--out', join(dir, 'quiet'), '--quiet']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^Exported \d+ conversations/);
  });

  it('--quiet still says a --chat term that chose nothing beside one that chose (a typo went unseen)', async () => {
    const all = JSON.parse((await runCli(['list', '--db', db, '--json'])).stdout) as { id: string }[];
    const result = await runCli(['export', '--db', db, '--out', join(dir, 'quiet-chat'), '--chat', `${all[0]!.id},Nobody Atall`, '--quiet']);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/^note: --chat Nobody Atall matches no conversation[^\n]*\n$/);
    expect(result.stdout).toMatch(/^Exported 1 conversation,/);
  });

  it.each(['list', 'stats'])('%s --quiet, as export, says only the --chat term that chose nothing (the README promised it; it was an unknown option)', async (command) => {
    const all = JSON.parse((await runCli(['list', '--db', db, '--json'])).stdout) as { id: string }[];
    const result = await runCli([command, '--db', db, '--chat', `${all[0]!.id},Nobody Atall`, '--quiet']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/^note: --chat Nobody Atall matches no conversation[^\n]*\n$/);
    expect(result.stdout).not.toBe('');
  });
});

describe('progress lines of long work (reading the sources, verify), without a terminal', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('says nothing for a short read, then a line for each tenth read, with the rate since the first second and the time left once 3 s are measured', () => {
    vi.useFakeTimers({ toFake: ['hrtime'] });
    const lines: string[] = [];
    const progress = new Progress('lines', 10_000, 4, (line) => lines.push(line), 'reading');
    progress.reading('Mom');
    progress.tick(1_500);
    vi.advanceTimersByTime(1_000);
    progress.tick(1_000);
    expect(lines).toEqual([]);
    vi.advanceTimersByTime(1_500);
    progress.tick(500);
    progress.tick(100);
    vi.advanceTimersByTime(2_000);
    progress.tick(6_900);
    // The rate leaves out the first second (1,500 messages there): 8,500 in the 3.5 s after it.
    expect(lines).toEqual([
      'reading the sources: 30% | 3,000/10,000 messages | estimating time left',
      'reading the sources: 100% | 10,000/10,000 messages | 2,429 msg/s, 0s left',
    ]);
    progress.stop();
  });

  it('estimates the time left from the rate of the last 5 s: a run that speeds up as it starts is not said to take far longer than it will', () => {
    vi.useFakeTimers({ toFake: ['hrtime'] });
    const lines: string[] = [];
    const progress = new Progress('lines', 100_000, 40, (line) => lines.push(line), 'reading');
    progress.tick(1_000);
    // 1,000 messages a second for six seconds, then 4,000.
    for (let second = 1; second <= 12; second++) {
      vi.advanceTimersByTime(1_000);
      progress.tick(second <= 6 ? 1_000 : 4_000);
    }
    expect(lines).toEqual([
      'reading the sources: 11% | 11,000/100,000 messages | 1,600 msg/s, 56s left',
      'reading the sources: 23% | 23,000/100,000 messages | 3,400 msg/s, 23s left',
      // The average since the first second, 2,727 a second, would have said 26s.
      'reading the sources: 31% | 31,000/100,000 messages | 4,000 msg/s, 18s left',
    ]);
    progress.stop();
  });

  it('while writing, says a tenth only seconds after the last line (a conversation line), and not the 100% its line says', () => {
    vi.useFakeTimers({ toFake: ['hrtime'] });
    const lines: string[] = [];
    const progress = new Progress('lines', 10_000, 2, (line) => lines.push(line), 'writing', 2);
    progress.tick(1_000);
    vi.advanceTimersByTime(1_000);
    progress.tick(1_000);
    progress.finished('Mom', 2_000);
    vi.advanceTimersByTime(1_500);
    progress.tick(1_000);
    vi.advanceTimersByTime(1_500);
    progress.tick(1_500);
    progress.tick(5_500);
    progress.finished('Book club', 8_000);
    expect(lines).toEqual([
      '[1/2] Mom: 2,000 messages | 20% | estimating time left',
      'writing the files: 45% | 4,500/10,000 messages × formats | 1,167 msg/s, 5s left',
      '[2/2] Book club: 8,000 messages | 100% | 3,000 msg/s, 0s left',
    ]);
  });

  it('a short write says done at 100%, where it said it was still estimating the time left', () => {
    vi.useFakeTimers({ toFake: ['hrtime'] });
    const lines: string[] = [];
    const progress = new Progress('lines', 100, 2, (line) => lines.push(line));
    progress.tick(60);
    progress.finished('Mom', 60);
    vi.advanceTimersByTime(500);
    progress.tick(40);
    progress.finished('Book club', 40);
    expect(lines).toEqual(['[1/2] Mom: 60 messages | 60% | estimating time left', '[2/2] Book club: 40 messages | 100% | done']);
  });

  it('says nothing for a short check, then a line for each tenth read, with the time left', () => {
    vi.useFakeTimers({ toFake: ['hrtime'] });
    const lines: string[] = [];
    const progress = new VerifyProgress('lines', (line) => lines.push(line));
    const total = 10 * 1024 ** 3;
    progress.update(total / 4, total);
    expect(lines).toEqual([]);
    vi.advanceTimersByTime(3_000);
    progress.update(total / 2, total);
    progress.update(total / 2 + 1, total);
    progress.update(total, total);
    expect(lines).toEqual(['verifying: 50% | 5.0 GB of 10 GB read | 3s left', 'verifying: 100% | 10 GB of 10 GB read | done']);
    progress.stop();
  });
});

describe('progress lines of one long conversation, without a terminal', () => {
  it('says each tenth written: a PDF of thousands of messages is not written in silence', async () => {
    const dir = tempDir('progress-long');
    const db = join(dir, 'chat.db');
    await generateChatDb({ path: db, messages: 12_000, seed: 33, singleConversation: true });
    const result = await runCli(['export', '--db', db, '--out', join(dir, 'out'), '--format', 'pdf']);
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stderr.trim().split('\n');
    const tenths = lines.filter((line) => line.startsWith('writing the files: '));
    expect(tenths.length, result.stderr).toBeGreaterThan(0);
    for (const line of tenths) expect(line).toMatch(/^writing the files: \d+% \| [\d,]+\/[\d,]+ messages \| ([\d,]+ msg\/s, \S+ left|estimating time left)$/);
    expect(lines.findIndex((line) => line.startsWith('[1/1] '))).toBeGreaterThan(lines.indexOf(tenths.at(-1)!));
  });
});

describe.skipIf(!existsSync('/usr/bin/script'))('progress on a terminal (skipped without util-linux script)', () => {
  it('draws a bar while the sources are read, left at 100% while the store is finished, then the writing bar, left at 100% saying what is finished', async () => {
    const dir = tempDir('progress-tty');
    const db = join(dir, 'chat.db');
    await generateChatDb({ path: db, messages: 400, seed: 32 });
    const screen = (await onTerminal(['export', '--db', db, '--out', join(dir, 'out'), '--format', 'txt,html,ndjson'])).replace(/\u001b\[[0-9;?]*[A-Za-z]|\u001b[78]/g, '');
    const reading = screen.indexOf('messages read | ');
    expect(reading, screen).toBeGreaterThanOrEqual(0);
    expect(screen).toMatch(/\] 100% \| (\d+)\/\1 messages read \| [^|]+ \| all read; finishing the store/);
    expect(screen.indexOf('| reading ')).toBeGreaterThan(0);
    // Each message counted once per format, and said so.
    const writing = screen.search(/\] \d+% \| \d+\/\d+ messages × formats \| [^|]+ \| .+ \((txt|html|ndjson)\)/);
    expect(writing).toBeGreaterThan(reading);
    const finishing = screen.search(/\] 100% \| (\d+)\/\1 messages × formats \| [^|]+ \| all written; finishing the HTML index and search data, messages\.ndjson, SHA256SUMS\r?\n/);
    expect(finishing, screen).toBeGreaterThan(writing);
    expect(screen.indexOf('Exported ')).toBeGreaterThan(finishing);
  });

  it('stats draws a bar of the messages read (a million took half a minute in silence), and none with --no-progress', async () => {
    const dir = tempDir('progress-stats');
    const db = join(dir, 'chat.db');
    await generateChatDb({ path: db, messages: 300, seed: 34 });
    const plain = (text: string) => text.replace(/\u001b\[[0-9;?]*[A-Za-z]|\u001b[78]/g, '');
    const screen = plain(await onTerminal(['stats', '--db', db]));
    const bar = /\] 100% \| (\d+)\/\1 messages read \| [^|]+ \| reading [^\r\n]+\r?\n/.exec(screen);
    expect(bar, screen).not.toBeNull();
    const total = /^All conversations: ([\d,]+) messages(?: \(and ([\d,]+) group events?\))?/m.exec(screen)!;
    expect(Number(bar![1])).toBe(Number(total[1]!.replace(/,/g, '')) + Number((total[2] ?? '0').replace(/,/g, '')));
    expect(screen.indexOf('All conversations: ')).toBeGreaterThan(bar!.index);
    const quiet = plain(await onTerminal(['stats', '--db', db, '--no-progress']));
    expect(quiet).not.toContain('messages read');
    expect(quiet).toMatch(/^All conversations: /);
  });

  it('verify draws a bar of the bytes read, ending at 100%', async () => {
    const dir = tempDir('progress-verify');
    const db = join(dir, 'chat.db');
    await generateChatDb({ path: db, messages: 200, seed: 33 });
    expect((await runCli(['export', '--db', db, '--out', join(dir, 'out'), '--quiet'])).code).toBe(0);
    const screen = (await onTerminal(['verify', join(dir, 'out')])).replace(/\u001b\[[0-9;?]*[A-Za-z]|\u001b[78]/g, '');
    expect(screen).toMatch(/verifying \[[^\]]+\] 100% \| (\S+ \S+) of \1 read \| done/);
    expect(screen).toMatch(/Intact: \d+ files match the manifest\./);
  });
});
