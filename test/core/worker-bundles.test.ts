// Every worker thread starts from its bundle (src/worker-script.ts): a worker script added without one would
// still run, from the modules tsc wrote, only slower to start, and nothing else would notice.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { workerScript } from '../../src/worker-script.js';
import { ROOT } from '../support/cli.js';

const DIST = join(ROOT, 'dist');

/** The scripts under src/ that a `new Worker(…)` or a worker pool starts, as built into dist/. */
function workerScripts(): string[] {
  const sources = readdirSync(join(ROOT, 'src'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
  const names = sources.flatMap((file) => {
    const text = readFileSync(join(ROOT, 'src', file), 'utf8');
    const here = join(DIST, file, '..');
    return [...text.matchAll(/workerScript\(new URL\('\.\/([\w-]+\.js)'/g)].map((m) => join(here, m[1]!))
      .concat([...text.matchAll(/mediaWorkerScript\('([\w-]+)'\)/g)].map((m) => join(DIST, 'media', `${m[1]}.js`)));
  });
  return [...new Set(names)].map((file) => relative(DIST, file)).sort();
}

describe('worker threads', () => {
  it('start from the bundle built beside each script, in ASCII alone', () => {
    const scripts = workerScripts();
    expect(scripts.length).toBeGreaterThanOrEqual(7);
    for (const script of scripts) {
      const chosen = workerScript(pathToFileURL(join(DIST, script)));
      expect(chosen.pathname, script).toMatch(/\.cjs$/);
      expect(/[^\x00-\x7f]/.test(readFileSync(chosen, 'latin1')), script).toBe(false);
    }
  });

  it('are all started through workerScript', () => {
    const sources = readdirSync(join(ROOT, 'src'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    const direct = sources.filter((file) => /new Worker\(new URL\(/.test(readFileSync(join(ROOT, 'src', file), 'utf8')));
    expect(direct).toEqual([]);
  });
});
