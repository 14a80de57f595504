import { UserError } from '../errors.js';

const FLAG = /(^|[\s(`'"“])--([a-z][a-z0-9-]*[a-z0-9])/g;

/**
 * Runs the library's work, and words its one-line errors for a program: the options there are named as
 * the library spells them (`--password-file` is `passwordFile`), and `textkeeper list` is conversations().
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
  return line
    .replace(FLAG, (_, before: string, flag: string) => before + flag.replace(/-([a-z0-9])/g, (_m, c: string) => c.toUpperCase()))
    .replaceAll('`textkeeper list`', 'conversations()');
}
