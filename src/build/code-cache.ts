// `npm run build`, last: V8's code caches for dist/cli/program.cjs (see src/cli/program-loader.ts), made by the
// command that gains most from them: an unchanged re-run, of the bundled sample, where starting is most of the
// time; once as the command line starts, once as its restart with the heap cap. Functions that run compiled from
// a cache; others (those of a first run) compile as they would without it.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { restarted, RESTART_FLAGS, setOptimizingBudget } from '../cli/launcher.js';
import { codeCacheFile, compileProgram, runScript } from '../cli/program-loader.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const SAMPLE = join(ROOT, 'sample-data');
const MAIN = join(ROOT, 'dist', 'cli', 'main.js');
const WRITE = '--write-code-cache';

/** The run that makes the cache: the command line as main.js runs it, its compiled code kept as it exits. */
function writeCache(args: string[]): void {
  setOptimizingBudget();
  const script = compileProgram();
  process.on('exit', () => writeFileSync(codeCacheFile(restarted()), script.createCachedData()));
  process.argv = [process.argv[0]!, MAIN, ...args];
  runScript(script);
}

function run(args: string[]): void {
  const result = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  if (result.status !== 0) throw new Error(`${args.join(' ')} failed (${result.status ?? result.signal})`);
}

if (process.argv[2] === WRITE) {
  writeCache(process.argv.slice(3));
} else if (!existsSync(join(SAMPLE, 'chat.db'))) {
  console.log(`No code cache made: ${SAMPLE} is absent (the command line compiles as it starts).`);
} else {
  const out = mkdtempSync(join(tmpdir(), 'textkeeper-code-cache-'));
  try {
    const exportSample = ['export', '--db', join(SAMPLE, 'chat.db'), '--contacts', join(SAMPLE, 'contacts.vcf'), '--out', out, '--format', 'txt,html', '--no-progress'];
    run([MAIN, ...exportSample]);
    for (const flags of [[], RESTART_FLAGS]) run([...flags, import.meta.filename, WRITE, ...exportSample]);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
