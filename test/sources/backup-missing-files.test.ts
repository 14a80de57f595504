// An attachment an iPhone backup does not hold is described as missing from the backup, not from this
// computer, in every format that words it; an encrypted backup's is not said to be in the backup.
import { chmodSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeBackup } from '../../src/generate/backup.js';
import { generateChatDb } from '../../src/generate/generator.js';
import { pdfText, pdfToolsPresent } from '../pdf/pdf-tools.js';
import { runCli, tempDir } from '../support/cli.js';

const dir = tempDir('backup-missing');
const exported: Record<string, string> = {};

/** Every file of these extensions below a folder, read and joined. */
function textOf(folder: string, extension: string, read = (file: string) => readFileSync(file, 'utf8')): string {
  return readdirSync(folder, { recursive: true }).map(String).filter((f) => f.endsWith(extension)).map((f) => read(join(folder, f))).join('\n');
}

beforeAll(async () => {
  const chatDb = join(dir, 'mac', 'chat.db');
  // The generator leaves some attachments out of its Attachments folder on purpose: the backups lack them too.
  await generateChatDb({ path: chatDb, messages: 300, seed: 3 });
  const base = { chatDb, attachmentsDir: join(dir, 'mac', 'Attachments'), seed: 3 };
  await writeBackup({ ...base, outDir: join(dir, 'plain') });
  await writeBackup({ ...base, outDir: join(dir, 'encrypted'), encryption: { password: 'pw', dpIterations: 1000, iterations: 10 } });
  writeFileSync(join(dir, 'password'), 'pw\n');
  for (const backup of ['plain', 'encrypted']) {
    const out = join(dir, `out-${backup}`);
    const extra = backup === 'encrypted' ? ['--password-file', join(dir, 'password')] : [];
    const result = await runCli(['export', '--backup', join(dir, backup), ...extra, '--out', out, '--format', 'txt,html,pdf', '--no-progress']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/\(2 missing\)/);
    // Written with the umask's 0644 here: others may read it, which the run says.
    if (backup === 'encrypted') expect(result.stderr).toContain(`warning: --password-file ${join(dir, 'password')} can be read by other users of this computer (chmod 600 it, or type the password at the prompt)`);
    exported[backup] = out;
  }
});

describe('a password file', () => {
  it('only its owner may read draws no warning', async () => {
    chmodSync(join(dir, 'password'), 0o600);
    const result = await runCli(['list', '--backup', join(dir, 'encrypted'), '--password-file', join(dir, 'password'), '--quiet']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
  });
});

describe('a file missing from an iPhone backup', () => {
  for (const backup of ['plain', 'encrypted']) {
    it(`${backup}: txt, html and pdf say it is not in the backup`, () => {
      const out = exported[backup]!;
      const txt = textOf(out, '.txt');
      expect(txt.match(/— missing — not in the backup\]/g)).toHaveLength(2);
      const html = textOf(join(out, 'conversations'), '.html');
      expect(html.match(/— not in the backup \(perhaps kept only in iCloud\)/g)).toHaveLength(2);
      // Where a backup would keep it is no place it is.
      expect(html).not.toMatch(/class="missing">[^<]*in the backup as/);
      for (const text of [txt, html]) expect(text).not.toContain('not on this computer');
      if (!pdfToolsPresent) return;
      const pdf = textOf(out, '.pdf', (file) => pdfText(file));
      expect(pdf.match(/Missing: the file is not in the backup/g)).toHaveLength(2);
      expect(pdf).not.toContain('not on this computer');
      expect(pdf).not.toContain('Not in this archive: in the backup as');
    });
  }
});
