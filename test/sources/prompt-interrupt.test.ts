import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, tempDir } from '../support/cli.js';
import { encryptedTinyBackup } from './tiny-chat-db.js';

/**
 * The CLI on a terminal (util-linux `script`), answering the password prompt with Ctrl-C once it is shown.
 * A run still going after a minute is ended, so that a hang fails with what it showed.
 */
function ctrlCAtPrompt(args: string[], prompt = 'Backup password:'): Promise<string> {
  return atPrompt(args, [[prompt, 'ab\u0003']]);
}

/** The CLI on a terminal, typing each answer once its prompt has been shown (as often as it is shown so far). */
function atPrompt(args: string[], answers: [prompt: string, typed: string][]): Promise<string> {
  const command = [process.execPath, join(ROOT, 'dist', 'cli', 'main.js'), ...args].map((a) => `'${a}'`).join(' ');
  const child = spawn('script', ['-qfec', `${command}; echo "exit $?"`, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let shown = '';
  let answered = 0;
  let after = 0;
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    shown += chunk;
    const [prompt, typed] = answers[answered] ?? [];
    const at = prompt === undefined ? -1 : shown.indexOf(prompt, after);
    if (at < 0) return;
    after = at + prompt!.length;
    if (++answered < answers.length) child.stdin.write(typed);
    else child.stdin.end(typed);
  });
  const hung = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', () => {
      clearTimeout(hung);
      resolve(shown.replaceAll('\r', ''));
    });
  });
}

describe('Ctrl-C at the password prompt of an encrypted backup', () => {
  it('interrupts the export (or list) as anywhere else: exit 130, one line, nothing left', async () => {
    const dir = tempDir('prompt-interrupt');
    const backup = await encryptedTinyBackup(dir, 3);
    const out = join(dir, 'out');
    const shown = await ctrlCAtPrompt(['export', '--backup', backup, '--out', out, '--format', 'txt', '--no-progress']);
    expect(shown).toMatch(/Backup password: \n?textkeeper: interrupted; unfinished files were removed\.\nexit 130/);
    expect(existsSync(out)).toBe(false);

    // list writes nothing: it has nothing to remove.
    const listed = await ctrlCAtPrompt(['list', '--backup', backup]);
    expect(listed).toMatch(/Backup password: \n?textkeeper: interrupted\.\nexit 130/);
  });
});

// Deriving the key takes seconds: a typo need not cost the whole run.
describe('a wrong password typed at the prompt', () => {
  it('is asked again, twice; the right one then opens the backup', async () => {
    const dir = tempDir('prompt-again');
    const backup = await encryptedTinyBackup(dir, 4);
    const shown = await atPrompt(['list', '--backup', backup], [['Backup password: ', 'pw2\r'], ['Wrong password; try again. Backup password: ', 'pw\r']]);
    expect(shown).toMatch(/exit 0$/m);
    expect(shown).toMatch(/^SMS;-;\+15555550123 /m);
    const thrice = await atPrompt(['list', '--backup', backup], [['Backup password: ', 'a\r'], ['try again. Backup password: ', 'b\r'], ['try again. Backup password: ', 'c\r']]);
    expect(thrice).toMatch(/textkeeper: Wrong password for the encrypted backup in .*\nexit 1/);
    expect(thrice.match(/try again/g)).toHaveLength(2);
  });

  it('Ctrl-D on an empty line interrupts, as Ctrl-C does', async () => {
    const backup = await encryptedTinyBackup(tempDir('prompt-eof'), 5);
    expect(await atPrompt(['list', '--backup', backup], [['Backup password: ', '\u0004']])).toMatch(/textkeeper: interrupted\.\nexit 130/);
  });
});

describe('the password prompts of several encrypted backups', () => {
  it('name the backup each asks for (two iPhones, a password each)', async () => {
    const [first, second] = await Promise.all([1, 2].map((n) => encryptedTinyBackup(tempDir(`prompt-backup-${n}`), n)));
    const shown = await ctrlCAtPrompt(['list', '--backup', first!, '--backup', second!], `Backup password for ${first}: `);
    expect(shown).toMatch(/textkeeper: interrupted\.\nexit 130/);
  });
});
