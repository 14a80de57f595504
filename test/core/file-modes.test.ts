// The archive's files are made with the user's umask, copies of attachments too (whatever their source's mode).
import { chmodSync, cpSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateChatDb } from '../../src/generate/index.js';
import { runCli, tempDir } from '../support/cli.js';

/** Every file below the folder with its permission bits. */
function modes(folder: string): Map<string, number> {
  const files = readdirSync(folder, { recursive: true }).map(String).filter((name) => statSync(join(folder, name)).isFile());
  return new Map(files.map((name) => [name, statSync(join(folder, name)).mode & 0o777]));
}

describe.skipIf(process.platform === 'win32')("the archive's file modes", () => {
  const dir = tempDir('file-modes');
  const source = join(dir, 'source');

  beforeAll(async () => {
    const generated = join(dir, 'generated');
    await generateChatDb({ path: join(generated, 'chat.db'), messages: 300, seed: 4 });
    // Real copies, not the generator's links to its shared pictures: their modes are changed here.
    cpSync(generated, source, { recursive: true, dereference: true });
    // As files on a FAT stick or a share look on Linux: readable, writable and executable by anyone.
    for (const [name] of modes(join(source, 'Attachments'))) chmodSync(join(source, 'Attachments', name), 0o777);
  });

  it('are what the umask leaves, for copies of attachments as for every other file', async () => {
    const out = join(dir, 'out');
    const umask = process.umask(0o077);
    try {
      const result = await runCli(['export', '--db', join(source, 'chat.db'), '--out', out, '--format', 'txt,html', '--quiet']);
      expect(result.code, result.stderr).toBe(0);
    } finally {
      process.umask(umask);
    }
    const written = modes(out);
    expect([...written.keys()].filter((name) => name.startsWith('attachments/')).length).toBeGreaterThan(5);
    expect(Object.fromEntries([...written].filter(([, mode]) => mode !== 0o600))).toEqual({});
  });
});
