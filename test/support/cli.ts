import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
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
export function runCli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return notAResult(runBuilt(join('cli', 'main.js'), args, env));
}

/** runCli was synchronous once: reading `.code` off the promise says what to write instead. */
function notAResult(promise: Promise<CliResult>): Promise<CliResult> {
  for (const field of ['code', 'stdout', 'stderr']) {
    Object.defineProperty(promise, field, {
      get: () => {
        throw new Error('runCli() returns a promise: write `(await runCli([...])).' + field + '`');
      },
    });
  }
  return promise;
}

/**
 * The CLI on a terminal (`columns` wide, if given): util-linux `script` gives it one and copies what it draws to
 * stdout (ends with an error unless it exits 0).
 */
export function onTerminal(args: string[], columns?: number): Promise<string> {
  const command = [process.execPath, join(ROOT, 'dist', 'cli', 'main.js'), ...args].map((a) => `'${a}'`).join(' ');
  const child = spawn('script', ['-qfec', columns === undefined ? command : `stty cols ${columns}; ${command}`, '/dev/null'], { env: { ...process.env, TZ: 'UTC' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`exit ${code}: ${out}`))));
  });
}

/**
 * Generates a large database in another process (dist/generate/main.js: DIR/chat.db, DIR/Attachments):
 * generating is synchronous, and minutes of it in the test worker would stall vitest's messages.
 */
export async function generateApart(dir: string, messages: number, seed: number, extra: string[] = []): Promise<string> {
  const result = await runBuilt(join('generate', 'main.js'), ['--messages', String(messages), '--seed', String(seed), '--out', dir, ...extra]);
  if (result.code !== 0) throw new Error(`generating ${dir} failed: ${result.stderr}`);
  return join(dir, 'chat.db');
}

/**
 * Runs a script of dist/. Asynchronous on purpose: a synchronous spawn blocks the test worker's event
 * loop, and a run longer than vitest's 60 s RPC time-out (easy on a busy machine) then fails the whole
 * run with `Timeout calling "onTaskUpdate"`.
 */
function runBuilt(script: string, args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const child = spawn(process.execPath, [join(ROOT, 'dist', script), ...args], {
    env: { ...process.env, TZ: 'UTC', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 300_000,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** Folders this test file made, removed after it (see removeTempDirs). */
const made: string[] = [];

export function tempDir(label: string): string {
  const dir = mkdtempSync(join(tmpdir(), `textkeeper-test-${label}-`));
  made.push(dir);
  return dir;
}

/** Removes the folders tempDir made (run after every test file: they took gigabytes a run). */
export function removeTempDirs(): void {
  for (const dir of made.splice(0)) {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // A folder still mounted over (or in use) stays; the system's temp cleaning takes it.
    }
  }
}
