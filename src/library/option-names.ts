import { UserError } from '../errors.js';

const FLAG = /(^|[\s(`'"“])--([a-z][a-z0-9-]*[a-z0-9])/g;
/** A command a message suggests, in backticks (`textkeeper export --out`): a person runs it as it is written. */
const COMMAND = /(`textkeeper [^`]*`)/;

/**
 * Runs the library's work, and words its one-line errors for a program: the options there are named as
 * the library spells them (`--password-file` is `passwordFile`), and `textkeeper list` is conversations();
 * another command a line suggests stays a command.
 */
export async function inLibraryTerms<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof UserError) error.message = libraryWording(error.message);
    throw error;
  }
}

/** Where a library run's warnings go (`onWarning`, else stderr), worded as its errors are. */
export function libraryLog(onWarning: ((line: string) => void) | undefined): (line: string) => void {
  const say = onWarning ?? ((line: string) => process.stderr.write(`${line}\n`));
  return (line) => say(libraryWording(line));
}

function libraryWording(line: string): string {
  // split() at a capturing group keeps the commands, as its odd parts.
  const parts = line.replaceAll('`textkeeper list`', 'conversations()').split(COMMAND);
  return parts.map((part, i) => (i % 2 === 1 ? part : libraryNames(part))).join('');
}

function libraryNames(text: string): string {
  return text.replace(FLAG, (_, before: string, flag: string) => before + flag.replace(/-([a-z0-9])/g, (_m, c: string) => c.toUpperCase()));
}
