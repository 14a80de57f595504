// On Windows a file just closed is often held a moment longer (an antivirus or the search indexer reading the
// new copy of a database): removing the private temporary folder then failed (EBUSY, ENOTEMPTY), and an export
// that had finished ended with an error, leaving a copy of someone's messages behind. It is tried again.
// Held here by a file mounted over one of the folder's, let go a moment later (root on Linux only).
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createPrivateTempDir, createPrivateTempDirSync } from '../../src/sources/temp-dir.js';

const canMount = process.platform === 'linux' && process.getuid?.() === 0;

/** Holds a file of `dir` busy (another file mounted over it); returns what to unmount to let it go. */
function hold(dir: string): string {
  const file = join(dir, 'chat.db');
  writeFileSync(file, 'a copy of the messages');
  writeFileSync(`${file}.over`, '');
  expect(spawnSync('mount', ['--bind', `${file}.over`, file], { stdio: 'ignore' }).status).toBe(0);
  return file;
}

/** Lets it go in 0.3 s, from another process: a thread removing synchronously runs no timer meanwhile. */
function letGoSoon(inside: string): void {
  spawnSync('sh', ['-c', `(sleep 0.3; umount '${inside}') >/dev/null 2>&1 &`]);
}

describe.skipIf(!canMount)('a temporary folder held a moment by another program', () => {
  it('is removed once let go', async () => {
    const tmp = await createPrivateTempDir('textkeeper-held-');
    letGoSoon(hold(tmp.path));
    await tmp.remove();
    expect(existsSync(tmp.path)).toBe(false);
  });

  it('is removed once let go, also at once (at exit)', async () => {
    const tmp = createPrivateTempDirSync('textkeeper-held-');
    letGoSoon(hold(tmp.path));
    tmp.removeNow();
    expect(existsSync(tmp.path)).toBe(false);
  });
});
