// `npm run build`, after tsc: bundles the command line (dist/cli/main.js and every module it imports) into
// a few files, so that a command loads those instead of some eighty modules one by one. Each command's
// modules stay behind its dynamic import (split into chunks beside main.js), and packages stay in
// node_modules but for a few (see BUNDLED). The unbundled dist/ stays as tsc wrote it: the library, the worker threads' scripts and the
// files the modules find beside themselves (templates, font metrics, package.json) are used from there.
import { build, type Plugin } from 'esbuild';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const DIST = resolve(import.meta.dirname, '..');
const CLI = join(DIST, 'cli');
const ENTRY = join(CLI, 'main.js');
const CHUNK = /^chunk-\w+\.js$/;
/** The bundle's first lines say what it is, so that a bundle is never taken for tsc's output. */
const MARK = '// Bundled by dist/build/bundle-cli.js from the modules tsc wrote into dist/.';

/**
 * A module's `import.meta.url` is where tsc put it, not where its code ends up: URLs made from it
 * (worker scripts, templates, `createRequire`) then resolve as they would unbundled.
 */
const ownUrl: Plugin = {
  name: 'own-url',
  setup(bundler) {
    bundler.onLoad({ filter: /\.js$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      if (/import\.meta\.(?!url\b)/.test(text)) throw new Error(`${args.path}: only import.meta.url can be kept in a bundle`);
      const own = `new URL(${JSON.stringify(`./${relative(CLI, args.path).split('\\').join('/')}`)}, import.meta.url).href`;
      return { contents: text.replaceAll('import.meta.url', own), loader: 'js' };
    });
  },
};

/**
 * Packages stay in node_modules, but for the JavaScript of those an export loads at start, file by file:
 * commander alone, a CommonJS package of seven files, took about 25 ms of a command's start; image-size is 25
 * ES modules, better-sqlite3 twelve CommonJS files and `bindings` (its compiled addon stays where it is, see
 * `addonPath`). Bundling the last two took an unchanged re-run of the 6,000-message bench history from 0.42 to
 * 0.38 s of CPU (20 alternating runs, on a busy machine). Their `require`s of Node's modules go through the
 * `require` the banner makes.
 */
function externalPackages(): string[] {
  const { dependencies } = JSON.parse(readFileSync(join(DIST, '..', 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  return Object.keys(dependencies).filter((name) => !BUNDLED.includes(name));
}
const BUNDLED = ['better-sqlite3', 'commander', 'fastest-levenshtein', 'image-size'];

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
for (const name of readdirSync(CLI)) if (CHUNK.test(name)) rmSync(join(CLI, name));
await build({
  entryPoints: [ENTRY],
  outdir: CLI,
  allowOverwrite: true,
  bundle: true,
  splitting: true,
  chunkNames: 'chunk-[hash]',
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: externalPackages(),
  banner: { js: `${MARK}\nimport { createRequire as bundledRequire } from 'node:module';\nconst require = bundledRequire(import.meta.url);` },
  plugins: [ownUrl, addonPath],
  logLevel: 'warning',
});
