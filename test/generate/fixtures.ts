import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const fixturesDir = path.resolve(repoRoot, '../shared/fixtures');

/** Whether a fixture path exists; warns visibly when it does not, so skipped suites are noticed. */
export function fixturePresent(relative: string): boolean {
  const present = fs.existsSync(path.join(fixturesDir, relative));
  if (!present) console.warn(`skipping fixture-based tests: ${path.join(fixturesDir, relative)} not found`);
  return present;
}
