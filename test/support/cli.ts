import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
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
  const result = await runGenerator(['--messages', String(messages), '--seed', String(seed), '--out', dir, ...extra]);
  if (result.code !== 0) throw new Error(`generating ${dir} failed: ${result.stderr}`);
  return join(dir, 'chat.db');
}

/** Runs the built database generator (dist/generate/main.js) as a user would. */
export function runGenerator(args: string[]): Promise<CliResult> {
  return runBuilt(join('generate', 'main.js'), args);
}

/** How long a run may take before it is taken for hung: reported on (see `hangReport`), then killed. */
const HUNG_AFTER_MS = 300_000;

/**
 * Runs a script of dist/. Asynchronous on purpose: a synchronous spawn blocks the test worker's event
 * loop, and a run longer than vitest's 60 s RPC time-out (easy on a busy machine) then fails the whole
 * run with `Timeout calling "onTaskUpdate"`.
 */
function runBuilt(script: string, args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const reports = mkdtempSync(join(tmpdir(), 'textkeeper-test-report-'));
  const options = `${env.NODE_OPTIONS ?? process.env.NODE_OPTIONS ?? ''} --report-on-signal --report-directory=${reports}`;
  const child = spawn(process.execPath, [join(ROOT, 'dist', script), ...args], {
    env: { ...process.env, TZ: 'UTC', ...env, NODE_OPTIONS: options.trim() },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  let hung = '';
  const watch = setTimeout(() => void hangReport(child, reports).then((report) => ((hung = report), child.kill('SIGKILL'))), HUNG_AFTER_MS);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(watch);
      rmSync(reports, { recursive: true, force: true });
      resolve({ code: code ?? -1, stdout, stderr: hung ? `${stderr}${hung}\nstdout so far:\n${stdout}` : stderr });
    });
  });
}

/**
 * What a run that seems hung was doing, for the failure to show: each thread's state (from /proc) and
 * Node's diagnostic report (JavaScript stacks of it and its worker threads, pending handles), asked for
 * with SIGUSR2 of it and of the process it started (the launcher's restart).
 */
async function hangReport(child: ChildProcess, reports: string): Promise<string> {
  const pids = [child.pid!, ...childrenOf(child.pid!)];
  const threads = pids.flatMap((pid) => threadStates(pid));
  for (const pid of pids) process.kill(pid, 'SIGUSR2');
  await new Promise((resolve) => setTimeout(resolve, 5_000));
  const written = readdirSync(reports).map((file) => summary(JSON.parse(readFileSync(join(reports, file), 'utf8')) as NodeReport));
  for (const pid of pids.slice(1)) process.kill(pid, 'SIGKILL');
  const said = written.length > 0 ? written : ['no diagnostic report: the main thread did not answer SIGUSR2'];
  return [`\n[test harness] no end after ${HUNG_AFTER_MS / 1000} s; threads:`, ...threads, ...said].join('\n');
}

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function threadStates(pid: number): string[] {
  try {
    return readdirSync(`/proc/${pid}/task`).map((tid) => {
      const at = (file: string) => readFileSync(`/proc/${pid}/task/${tid}/${file}`, 'utf8').trim();
      return `  ${pid}/${tid} ${at('comm')}: state ${at('stat').split(') ')[1]?.[0]}, in ${at('wchan')}`;
    });
  } catch (error) {
    return [`  ${pid}: threads unknown (${(error as Error).message})`];
  }
}

interface NodeReport {
  header: { processId: number };
  javascriptStack: { message: string; stack?: string[] };
  libuv: { type: string; is_active: boolean; is_referenced?: boolean }[];
  workers: NodeReport[];
}

function summary(report: NodeReport, depth = 0): string {
  const pad = '  '.repeat(depth + 1);
  const handles = report.libuv.filter((h) => h.is_active && h.is_referenced !== false).map((h) => h.type);
  return [
    `${pad}${depth === 0 ? `process ${report.header.processId}` : 'worker thread'}: ${report.javascriptStack.message}`,
    ...(report.javascriptStack.stack ?? []).slice(0, 12).map((line) => `${pad}  ${line}`),
    `${pad}  active handles: ${handles.join(', ') || 'none'}`,
    ...(report.workers ?? []).map((worker) => summary(worker, depth + 1)),
  ].join('\n');
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
