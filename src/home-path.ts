import { homedir } from 'node:os';
import { join, sep } from 'node:path';

/**
 * A path with a leading `~` as the shell would have expanded it: a quoted "~/Library/Messages/chat.db" (the
 * way a path with spaces is usually given) reaches the program unexpanded. On Windows "~\Desktop" too.
 */
export function expandHome(path: string): string {
  return path === '~' ? homedir() : path.startsWith('~/') || path.startsWith(`~${sep}`) ? join(homedir(), path.slice(2)) : path;
}

/** Messages' own folder on a Mac: chat.db and the attachments it names. */
export const MAC_MESSAGES = join(homedir(), 'Library', 'Messages');
