// `npm run build`, after tsc: bundles the command line into two files. dist/cli/main.js, an ES module, holds
// what decides whether to restart with a heap cap (launcher.ts); dist/cli/program.cjs, CommonJS, holds every
// command and the modules they import, and runs with V8's code cache (program-loader.ts, code-cache.ts), which
// Node 20 has only for scripts. Each worker thread's script is bundled beside itself as well (`x.cjs` beside
// `x.js`, see src/worker-script.ts). Packages stay in node_modules but for a few (see `bundled`). The unbundled
// dist/ stays as tsc wrote it: the library and the files the modules find beside themselves (templates, font
// metrics, package.json) are used from there.
import { build, type Plugin } from 'esbuild';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';

const DIST = resolve(import.meta.dirname, '..');
const CLI = join(DIST, 'cli');
const ENTRY = join(CLI, 'main.js');
const PROGRAM = join(CLI, 'program.js');
const LEFTOVER = /^chunk-\w+\.js$|^program\.cjs/;
/** The worker threads' scripts, each started through `workerScript`. */
const WORKERS = ['engine/worker.js', 'store/writer-thread.js', 'store/hash-thread.js', 'read/check-worker.js', 'normalize/probe-thread.js', 'media/heic-worker.js', 'media/convert-worker.js'];
/** The bundle's first lines say what it is, so that a bundle is never taken for tsc's output. */
const MARK = '// Bundled by dist/build/bundle-cli.js from the modules tsc wrote into dist/.';
/** Where a module of the CommonJS bundle was (see `ownUrl`); defined by that bundle's banner. */
const URL_OF = '__textkeeperModuleUrl';

/**
 * A module's `import.meta.url` is where tsc put it, not where its code ends up: URLs made from it
 * (worker scripts, templates, `createRequire`) then resolve as they would unbundled. CommonJS has no
 * `import.meta`, and a module may name its own `require`, so there a function of the banner's makes them.
 */
function ownUrl(format: 'esm' | 'cjs', folder: string): Plugin {
  return {
    name: 'own-url',
    setup(bundler) {
      bundler.onLoad({ filter: /\.js$/ }, (args) => {
        const text = readFileSync(args.path, 'utf8');
        if (/import\.meta\.(?!url\b)/.test(text)) throw new Error(`${args.path}: only import.meta.url can be kept in a bundle`);
        const place = JSON.stringify(`./${relative(folder, args.path).split('\\').join('/')}`);
        const own = format === 'esm' ? `new URL(${place}, import.meta.url).href` : `${URL_OF}(${place})`;
        return { contents: text.replaceAll('import.meta.url', own), loader: 'js' };
      });
    },
  };
}

const dependencies = (): string[] => Object.keys((JSON.parse(readFileSync(join(DIST, '..', 'package.json'), 'utf8')) as { dependencies: Record<string, string> }).dependencies);

/**
 * Packages stay in node_modules, but for the JavaScript of those an export loads at start, file by file:
 * commander alone, a CommonJS package of seven files, took about 25 ms of a command's start; image-size is 25
 * ES modules, better-sqlite3 twelve CommonJS files and `bindings` (its compiled addon stays where it is, see
 * `addonPath`). Bundling the last two took an unchanged re-run of the 6,000-message bench history from 0.42 to
 * 0.38 s of CPU (20 alternating runs, on a busy machine). Packages CommonJS cannot `require` (ES modules only)
 * are bundled too.
 */
function bundled(): string[] {
  return ['better-sqlite3', 'commander', 'fastest-levenshtein', 'image-size', ...dependencies().filter((name) => !requirable(name))];
}

const requireHere = createRequire(join(DIST, '..', 'package.json'));

function requirable(name: string): boolean {
  let file: string;
  try {
    file = requireHere.resolve(name);
  } catch {
    return false;
  }
  if (file.endsWith('.mjs')) return false;
  if (file.endsWith('.cjs') || !file.endsWith('.js')) return true;
  const own = packageOf(dirname(file));
  return own === undefined || (JSON.parse(readFileSync(own, 'utf8')) as { type?: string }).type !== 'module';
}

/** The package.json nearest above a folder. */
function packageOf(folder: string): string | undefined {
  for (let dir = folder; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return join(dir, 'package.json');
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * better-sqlite3 finds its compiled addon through the `bindings` package, which reads a stack trace for its
 * own caller's file and tries a dozen paths; bundled, the caller is the bundle. The addon is where
 * better-sqlite3's install puts it, beside its package.json.
 */
const addonPath: Plugin = {
  name: 'addon-path',
  setup(bundler) {
    bundler.onResolve({ filter: /^bindings$/ }, () => ({ path: 'bindings', namespace: 'addon-path' }));
    bundler.onLoad({ filter: /.*/, namespace: 'addon-path' }, () => ({
      contents: `const { dirname, join } = require('node:path');
module.exports = (name) => require(join(dirname(require.resolve('better-sqlite3/package.json')), 'build', 'Release', name));`,
      loader: 'js',
    }));
  },
};

if (readFileSync(ENTRY, 'utf8').includes(MARK)) {
  throw new Error(`${ENTRY} is a bundle already: compile it again first (npm run build runs tsc, then this).`);
}
for (const name of readdirSync(CLI)) if (LEFTOVER.test(name)) rmSync(join(CLI, name));
const common = { bundle: true, platform: 'node', target: 'node20', logLevel: 'warning' } as const;
// The entry: what runs before the program is compiled, and its unbundled fallback left out (program-loader.ts).
await build({
  ...common,
  entryPoints: [ENTRY],
  outfile: ENTRY,
  allowOverwrite: true,
  format: 'esm',
  external: ['./program.js'],
  banner: { js: MARK },
  plugins: [ownUrl('esm', CLI)],
});
const keep = bundled();
for (const [entry, outfile] of [[PROGRAM, join(CLI, 'program.cjs')], ...WORKERS.map((script) => [join(DIST, script), join(DIST, script.replace(/\.js$/, '.cjs'))])] as const) {
  const bundle = await build({
    ...common,
    entryPoints: [entry],
    outfile,
    write: false,
    format: 'cjs',
    // A script run by `vm` has no `import()` without an experimental flag: packages it imports late are required.
    supported: { 'dynamic-import': false },
    external: [...dependencies().filter((name) => !keep.includes(name)), 'better-sqlite3/package.json'],
    banner: { js: `${MARK}\nconst ${URL_OF} = (place) => require('node:url').pathToFileURL(require('node:path').join(__dirname, place)).href;` },
    plugins: [ownUrl('cjs', dirname(outfile)), addonPath],
  });
  for (const file of bundle.outputFiles) writeFileSync(file.path, asciiOnly(file.text));
}

/**
 * The bundle with its few characters beyond ASCII (in regular expressions and comments, which esbuild leaves)
 * written as escapes: one such character makes Node read the whole file into a string of two bytes a
 * character, 12 ms for the bundle against 3 ms.
 */
function asciiOnly(text: string): string {
  return text.replace(/[^\x00-\x7f]/g, (unit) => `\\u${unit.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
