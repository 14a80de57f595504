import { mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { writeAtomically } from '../../output/files.js';
import { TEMPLATE_DIR } from './template-files.js';

/**
 * Puts this build's copy of each asset (see STATIC_ASSETS) into the folder's assets/, writing only those
 * whose bytes differ: an archive an older build wrote gets today's scripts and styles, and an unchanged one
 * keeps its files (and their times, so the manifest does not hash them again).
 */
export async function refreshAssets(outDir: string, names: readonly string[]): Promise<void> {
  const dir = join(outDir, 'assets');
  await mkdir(dir, { recursive: true });
  for (const name of names) {
    const wanted = await readFile(join(TEMPLATE_DIR, name));
    if (await holds(join(dir, name), wanted)) continue;
    await writeAtomically(join(dir, name), wanted);
  }
}

/** The file is there with these bytes (its size is looked at first: most differences end there). */
async function holds(path: string, bytes: Buffer): Promise<boolean> {
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile() || info.size !== bytes.length) return false;
  return bytes.equals(await readFile(path));
}
