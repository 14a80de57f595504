import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

describe('help and version', () => {
  it('describes the program and each command', async () => {
    const top = await runCli(['--help']);
    expect(top.code).toBe(0);
    expect(top.stdout).toMatch(/export/);
    expect(top.stdout).toMatch(/list/);
    const exporting = await runCli(['export', '--help']);
    expect(exporting.code).toBe(0);
    for (const option of ['--db', '--backup', '--out', '--format', '--chat', '--since', '--until', '--timezone', '--contacts']) expect(exporting.stdout).toContain(option);
    const listing = await runCli(['list', '--help']);
    expect(listing.code).toBe(0);
    expect(listing.stdout).toContain('--db');
  });

  it('takes the options every command that reads messages shares, --no-progress and --quiet among them', async () => {
    const db = new URL('../../sample-data/chat.db', import.meta.url).pathname;
    for (const command of ['list', 'stats']) {
      const result = await runCli([command, '--db', db, '--no-progress', '--quiet', '--json']);
      expect(result.stderr, command).toBe('');
      expect(result.code, command).toBe(0);
    }
  });

  it('prints the version from package.json', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    const result = await runCli(['--version']);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(version);
  });
});
