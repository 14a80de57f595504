import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { STORE_FILE } from '../store/file-names.js';

/**
 * What a path given as the wrong kind of source is, with the option that reads it, as a sentence to add to
 * the refusal (" It is an iPhone backup folder: give it with --backup."); empty when it is none of them.
 */
export function otherSourceHint(path: string): string {
  const name = basename(path);
  if (name === STORE_FILE) return ' It is the store of a textkeeper archive: give its folder with --archive.';
  if (name === 'Manifest.db') return ' It is the Manifest.db of an iPhone backup: give its folder with --backup.';
  if (existsSync(join(path, 'Manifest.db'))) return ' It is an iPhone backup folder: give it with --backup.';
  if (existsSync(join(path, STORE_FILE))) return ' It is a textkeeper archive folder (an earlier --out): give it with --archive.';
  if (existsSync(join(path, 'chat.db'))) return ` It holds a chat.db: give ${join(path, 'chat.db')}.`;
  return '';
}
