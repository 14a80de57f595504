import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { Interrupted } from '../../src/errors.js';
import { BackupError } from '../../src/sources/backup/open-backup.js';
import { passwordProvider, promptPassword } from '../../src/sources/backup/password.js';

const work = mkdtempSync(path.join(tmpdir(), 'tk-password-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A stand-in terminal: records raw-mode switches and everything written to it. */
function fakeTerminal(isTTY = true) {
  const input = Object.assign(new PassThrough(), { isTTY, rawModes: [] as boolean[] });
  Object.assign(input, { setRawMode: (on: boolean) => (input.rawModes.push(on), input) });
  let shown = '';
  const output = Object.assign(new PassThrough(), { write: (text: string) => ((shown += text), true) });
  return { input, output, shown: () => shown };
}

describe('backup password sources', () => {
  it('takes the first line of a password file', async () => {
    const file = path.join(work, 'pw.txt');
    writeFileSync(file, '\uFEFFs3cret pass phrase\r\n');
    const password = passwordProvider({ passwordFile: file });
    expect(await password()).toBe('s3cret pass phrase');
    expect(await password('backup', 1)).toBeUndefined();
  });

  it('gives each line of a password file in turn, for every backup, blank lines left out', async () => {
    const file = path.join(work, 'several.txt');
    writeFileSync(file, 'first \r\n\nsecond\nthird');
    const password = passwordProvider({ passwordFile: file });
    for (const backup of ['A', 'B']) {
      expect(await Promise.all([0, 1, 2, 3].map((tried) => password(backup, tried)))).toEqual(['first ', 'second', 'third', undefined]);
    }
  });

  it('rejects an empty or missing password file with one line', async () => {
    const empty = path.join(work, 'empty.txt');
    writeFileSync(empty, '\n');
    await expect(passwordProvider({ passwordFile: empty })()).rejects.toThrow(`The password file ${empty} is empty`);
    const absent = path.join(work, 'absent.txt');
    await expect(passwordProvider({ passwordFile: absent })()).rejects.toThrow(`Cannot read the password file ${absent}: no such file or folder`);
    await expect(passwordProvider({ passwordFile: work })()).rejects.toThrow(`Cannot read the password file ${work}: it is a folder`);
  });

  it('says a password file not in UTF-8 is not, rather than taking its password as wrong', async () => {
    const latin1 = path.join(work, 'latin1.txt');
    writeFileSync(latin1, Buffer.from('Caf\xe9-S3cr3t\n', 'latin1'));
    await expect(passwordProvider({ passwordFile: latin1 })()).rejects.toThrow(`Cannot read the password file ${latin1}: it is not UTF-8 text (saved in another encoding? save it as UTF-8)`);
  });

  it('refuses a password given as a plain flag', () => {
    expect(() => passwordProvider({ plainPassword: 'hunter2' })).toThrow(BackupError);
    expect(() => passwordProvider({ plainPassword: 'hunter2' })).toThrow(/use --password-file FILE or type it at the prompt/);
  });

  it('prompts on a terminal without echoing, with backspace', async () => {
    const { input, output, shown } = fakeTerminal();
    const asked = passwordProvider({ input: input as never, output: output as never })();
    input.write('pa');
    input.write('sx\u007fs wörd\r');
    expect(await asked).toBe('pass wörd');
    expect(shown()).toBe('Backup password: \n');
    expect(input.rawModes).toEqual([true, false]);
  });

  it('Ctrl-C at the prompt interrupts, as it does anywhere else (exit 130)', async () => {
    const { input, output } = fakeTerminal();
    const asked = promptPassword('Password: ', input as never, output as never);
    input.write('abc\u0003');
    await expect(asked).rejects.toBeInstanceOf(Interrupted);
    expect(input.rawModes).toEqual([true, false]);
  });

  it('is raw before the prompt shows, and a signal during it (SIGTERM, an early Ctrl-C) interrupts it too', async () => {
    const { input, output } = fakeTerminal();
    const rawWhenShown: boolean[] = [];
    output.write = (text: string) => (rawWhenShown.push(input.rawModes.at(-1) ?? false), true);
    const before = process.listenerCount('SIGTERM');
    const asked = promptPassword('Password: ', input as never, output as never);
    process.emit('SIGTERM', 'SIGTERM');
    await expect(asked).rejects.toBeInstanceOf(Interrupted);
    expect(rawWhenShown[0]).toBe(true);
    expect(process.listenerCount('SIGTERM')).toBe(before);
  });

  it('without a terminal, says how to give the password', async () => {
    const { input, output } = fakeTerminal(false);
    await expect(promptPassword('Password: ', input as never, output as never)).rejects.toThrow(
      'The backup is encrypted: run in a terminal to type its password, or use --password-file FILE',
    );
  });
});
