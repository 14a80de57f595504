import { existsSync, readFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { restarted } from './launcher.js';

/** The command line as one CommonJS file, made by `npm run build` (src/build/bundle-cli.ts). */
export const PROGRAM_BUNDLE = fileURLToPath(new URL('./program.cjs', import.meta.url));
/**
 * V8's code cache for the bundle, made by the build's runs of the sample (src/build/code-cache.ts): one for a
 * process started as the user started it, one for the restart with the heap cap, as V8 refuses a cache made
 * under other flags.
 */
export const codeCacheFile = (restart: boolean): string => `${PROGRAM_BUNDLE}.${restart ? 'restart' : 'start'}.cache`;

/**
 * Runs the command line. Compiling it took a tenth of an unchanged re-run of a small history: from the
 * bundle with V8's code cache, what an export runs is not parsed and compiled again at every start. Node 20
 * has no compile cache for ES modules, hence a CommonJS bundle run as a script. A cache V8 refuses (one made by
 * another Node, or under other flags) only leaves it to compile as usual.
 */
export async function runProgram(): Promise<void> {
  if (!existsSync(PROGRAM_BUNDLE)) {
    await import('./program.js');
    return;
  }
  runScript(compileProgram(readCache(codeCacheFile(restarted()))));
}

function readCache(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

export function compileProgram(cachedData?: Buffer): vm.Script {
  return new vm.Script(Module.wrap(readFileSync(PROGRAM_BUNDLE, 'utf8')), { filename: PROGRAM_BUNDLE, cachedData });
}

export function runScript(script: vm.Script): void {
  const module = { exports: {} };
  const run = script.runInThisContext() as (...args: unknown[]) => void;
  run(module.exports, createRequire(PROGRAM_BUNDLE), module, PROGRAM_BUNDLE, dirname(PROGRAM_BUNDLE));
}
