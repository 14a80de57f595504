import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateChatDb } from '../../src/generate/index.js';
import { runCli, tempDir } from '../support/cli.js';

const LINE = /^\[(\d+)\/(\d+)\] (.+): ([\d,]+) messages? \| (\d+)% \| (estimating time left|[\d,]+ msg\/s, \S+ left)$/;

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
    const lines = result.stderr.trim().split('\n');
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
});
