import { homedir } from 'node:os';
import { join, sep } from 'node:path';
import { UserError } from './errors.js';

/**
 * A path with a leading `~` as the shell would have expanded it: a quoted "~/Library/Messages/chat.db" (the
 * way a path with spaces is usually given) reaches the program unexpanded. On Windows "~\Desktop" too.
 */
export function expandHome(path: string): string {
  return path === '~' ? homedir() : path.startsWith('~/') || path.startsWith(`~${sep}`) ? join(homedir(), path.slice(2)) : path;
}

/** Messages' own folder on a Mac: chat.db and the attachments it names. */
export const MAC_MESSAGES = join(homedir(), 'Library', 'Messages');

/**
 * On Windows a backslash just before a closing quote keeps the quote: `"C:\My Archive\"` (a folder given with
 * its last backslash) reaches the program as `C:\My Archive"`, with what followed up to the next quote.
 * No Windows path holds a quote: such a value is refused, saying why, rather than be looked for or made.
 */
export function refuseKeptQuote(flag: string, path: string): void {
  if (process.platform === 'win32' && path.includes('"')) {
    throw new UserError(`${flag} ${path}: a Windows path cannot hold "; a \\ just before a closing quote keeps the quote in the path: leave out that last \\.`);
  }
}
