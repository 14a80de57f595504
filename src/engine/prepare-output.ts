import { accessSync, constants, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { systemReason, UserError } from '../errors.js';
import { whyNotFree } from '../output/files.js';
import { SUMS_FILE } from '../store/file-names.js';

/** Synchronously: each call awaited would wait its turn on a busy machine, and there is nothing to do meanwhile. */
export function prepareOutput(outDir: string): void {
  try {
    makeFolders(resolve(outDir));
    accessSync(outDir, constants.W_OK);
    const probe = join(outDir, `.textkeeper-write-test-${process.pid}`);
    writeFileSync(probe, '');
    rmSync(probe);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'the folder cannot be created there' : isFile(outDir) ? 'it is a file, not a folder' : (systemReason(error) ?? (error as Error).message);
    throw new UserError(`Cannot write to the output folder ${resolve(outDir)}: ${reason}.`);
  }
  // Every run ends by writing SHA256SUMS: one that cannot be is refused before the run writes anything else.
  const sums = join(resolve(outDir), SUMS_FILE);
  const why = whyNotFree(sums);
  if (why) throw new UserError(`${sums} ${why}, and every run rewrites it: it was left as it is, and so was the archive (make it writable or move it away, then run again).`);
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * mkdir -p, one level at a time: Node's recursive mkdir spins forever on some paths
 * (e.g. under /proc), which must be an error, not a hang.
 */
function makeFolders(path: string): void {
  try {
    mkdirSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return;
    if (code !== 'ENOENT' || dirname(path) === path) throw error;
    makeFolders(dirname(path));
    mkdirSync(path);
  }
}
