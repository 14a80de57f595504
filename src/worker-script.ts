import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * A worker thread's script: the CommonJS bundle `npm run build` makes beside the module tsc wrote (`x.cjs`
 * beside `x.js`, see src/build/bundle-cli.ts), else that module. Started from the module, a worker loaded its
 * imports one by one through Node's ES module loader: in the sample's largest PDF, the store's writer, the
 * file hasher and the database check spent 915 ms of CPU together, 493 ms from their bundles.
 */
export function workerScript(script: URL): URL {
  const bundle = new URL(script.href.replace(/\.js$/, '.cjs'));
  return existsSync(fileURLToPath(bundle)) ? bundle : script;
}
