/**
 * Where the password of an encrypted backup comes from: the lines of `--password-file` (one password a line,
 * for several backups with passwords of their own), or a hidden prompt on a terminal. A password typed as a plain command-line flag is refused (it would be visible in
 * the process list and in shell history).
 *
 *   const password = passwordProvider({ passwordFile: opts.passwordFile, plainPassword: opts.password });
 *   await openBackup(dir, { password });
 */
import { readFile } from 'node:fs/promises';
import { Interrupted, systemReason } from '../../errors.js';
import { BackupError } from './backup-error.js';

export interface PasswordSources {
  passwordFile?: string;
  /** A password given directly on the command line: always refused. */
  plainPassword?: string;
  input?: NodeJS.ReadStream;
  output?: NodeJS.WriteStream;
}

/**
 * Gives the password to try on a backup after `tried` wrong ones; undefined when there is no other: a file's
 * lines are each tried in turn, the prompt asks ATTEMPTS times. Asked at the prompt for `backup` (a folder),
 * the prompt names it (several are read).
 */
export type PasswordProvider = (backup?: string, tried?: number) => Promise<string | undefined>;

/** Typed at the prompt, a password may be tried this often: deriving the key from it takes seconds each time. */
const ATTEMPTS = 3;

export function passwordProvider(sources: PasswordSources): PasswordProvider {
  if (sources.plainPassword !== undefined) {
    throw new BackupError('A backup password on the command line is visible to other programs; use --password-file FILE or type it at the prompt');
  }
  const { passwordFile } = sources;
  if (passwordFile !== undefined) {
    let lines: Promise<string[]> | undefined;
    return async (_, tried = 0) => (await (lines ??= readPasswordFile(passwordFile)))[tried];
  }
  return async (backup, tried = 0) => {
    if (tried >= ATTEMPTS) return undefined;
    const prompt = `${tried > 0 ? 'Wrong password; try again. ' : ''}Backup password${backup ? ` for ${backup}` : ''}: `;
    return promptPassword(prompt, sources.input ?? process.stdin, sources.output ?? process.stderr);
  };
}

/** The passwords a file holds, one a line (a blank line is none); read once, only when a backup needs one. */
async function readPasswordFile(file: string): Promise<string[]> {
  let content: string;
  try {
    content = passwordText(await readFile(file));
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'EISDIR' ? 'it is a folder' : systemReason(error) ?? (error as Error).message;
    throw new BackupError(`Cannot read the password file ${file}: ${reason}`);
  }
  const lines = content.replace(/^\uFEFF/, '').split(/\r?\n/).filter((line) => line !== '');
  if (lines.length === 0) throw new BackupError(`The password file ${file} is empty`);
  return lines;
}

/**
 * A password file's text: UTF-16 when it starts with a byte-order mark (what Windows PowerShell 5's `>` and
 * Out-File write), else UTF-8.
 */
function passwordText(bytes: Buffer): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes);
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new Error('it is not UTF-8 text (saved in another encoding? save it as UTF-8)');
  }
}

const STOPPING: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * Reads one line from a terminal without echoing it. Ctrl-C aborts, as Ctrl-D does on an empty line; backspace edits. The terminal is raw
 * before the prompt shows, so nothing typed at it is echoed or taken as a signal; a signal that comes
 * anyway (SIGTERM, or Ctrl-C pressed before) aborts the prompt as well, which would otherwise wait on, and
 * so does the terminal closing.
 */
export function promptPassword(prompt: string, input: NodeJS.ReadStream, output: NodeJS.WriteStream): Promise<string> {
  if (!input.isTTY) {
    return Promise.reject(new BackupError('The backup is encrypted: run in a terminal to type its password, or use --password-file FILE'));
  }
  return new Promise((resolve, reject) => {
    let typed = '';
    const interrupted = () => finish(() => reject(new Interrupted('interrupted at the password prompt')));
    const finish = (outcome: () => void) => {
      input.off('data', onData);
      input.off('end', interrupted);
      for (const name of STOPPING) process.off(name, interrupted);
      try {
        input.setRawMode(false);
      } catch {
        // The terminal is gone (EIO): there is no mode left to set back.
      }
      input.pause();
      output.write('\n');
      outcome();
    };
    const onData = (chunk: Buffer) => {
      for (const char of chunk.toString('utf8')) {
        if (char === '\r' || char === '\n') return finish(() => resolve(typed));
        if (char === '\u0003' || (char === '\u0004' && typed === '')) return interrupted();
        if (char === '\u007f' || char === '\b') typed = Array.from(typed).slice(0, -1).join('');
        else if (char >= ' ') typed += char;
      }
    };
    input.setRawMode(true);
    for (const name of STOPPING) process.on(name, interrupted);
    output.write(prompt);
    input.resume();
    input.on('data', onData);
    // A terminal closed under the prompt ends its input: nobody is left to type.
    input.on('end', interrupted);
  });
}
