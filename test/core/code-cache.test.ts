// The built command line starts from V8's code cache (src/cli/program-loader.ts): a cache V8 refuses is no
// error, only a slower start, so nothing else would notice one made under flags the command line no longer uses.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RESTART_FLAGS } from '../../src/cli/launcher.js';
import { ROOT } from '../support/cli.js';

const CLI = join(ROOT, 'dist', 'cli');

/** Whether V8 takes the build's cache in a process started with `flags`, as the command line compiles it. */
function cacheTaken(flags: string[]): Promise<string> {
  const check = `
    const { restarted, setOptimizingBudget } = await import(${JSON.stringify(join(CLI, 'launcher.js'))});
    const { codeCacheFile, compileProgram } = await import(${JSON.stringify(join(CLI, 'program-loader.js'))});
    const { readFileSync } = await import('node:fs');
    setOptimizingBudget();
    process.stdout.write(String(!compileProgram(readFileSync(codeCacheFile(restarted()))).cachedDataRejected));`;
  const child = spawn(process.execPath, [...flags, '--input-type=module', '-e', check], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', () => resolve(out));
  });
}

describe('the command line’s code cache', () => {
  it('is taken as the command line starts, and as it restarts with the heap cap', async () => {
    expect(await cacheTaken([])).toBe('true');
    expect(await cacheTaken(RESTART_FLAGS)).toBe('true');
  });

  it('serves a bundle of ASCII alone, which Node reads as one byte a character', () => {
    expect(/[^\x00-\x7f]/.test(readFileSync(join(CLI, 'program.cjs'), 'latin1'))).toBe(false);
  });
});
