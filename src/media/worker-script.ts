import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { workerScript } from '../worker-script.js';

/**
 * URL of a compiled worker of this folder ('convert-worker', 'heic-worker'). Worker threads run plain JavaScript, so when this module
 * is itself loaded from TypeScript sources (under the test runner) the worker comes from dist/ — build first.
 */
export function mediaWorkerScript(name: string): URL {
  const sibling = new URL(`./${name}.js`, import.meta.url);
  if (existsSync(fileURLToPath(sibling))) return workerScript(sibling);
  const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
  const compiled = resolve(repoRoot, `dist/media/${name}.js`);
  if (!existsSync(compiled)) throw new Error(`image worker not built: run \`npm run build\` (looked for ${compiled})`);
  return workerScript(pathToFileURL(compiled));
}
