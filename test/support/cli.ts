import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '..', '..');
export const FIXTURES = resolve(ROOT, '..', 'shared', 'fixtures');
export const HAVE_FIXTURES = existsSync(join(FIXTURES, 'manifest.json'));
if (!HAVE_FIXTURES) console.warn(`Skipping tests on real Apple data: ${FIXTURES} is absent.`);

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI (dist/, made by `npm test`'s tsc step) as a user would. */
export function runCli(args: string[], env: Record<string, string> = {}): CliResult {
  const result = spawnSync(process.execPath, [join(ROOT, 'dist', 'cli', 'main.js'), ...args], {
    encoding: 'utf8',
    env: { ...process.env, TZ: 'UTC', ...env },
    timeout: 300_000,
  });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

export function tempDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `textkeeper-test-${label}-`));
}
