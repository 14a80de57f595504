import { isAbsolute, join, resolve } from 'node:path';
import type { MessageSource } from './source.js';

const MESSAGES_FOLDER = /(?:^~|^\/Users\/[^/]+|^\/private\/var\/[^/]+)?\/?Library\/Messages\//;

/**
 * A Mac's chat.db. Attachment paths stored as `~/Library/Messages/Attachments/…` (or with the
 * owner's home spelled out, wherever it is: `/Volumes/Data/Users/ann/Library/Messages/…`) are looked up under `attachmentsRoot`, the folder that stands for
 * `~/Library/Messages` — so a chat.db copied to another machine with its Attachments folder still works.
 */
export function chatDbSource(dbPath: string, attachmentsRoot: string): MessageSource {
  const root = resolve(attachmentsRoot);
  return {
    description: `chat.db at ${resolve(dbPath)}`,
    dbPath: resolve(dbPath),
    // Messages keeps its files in these folders; one of them may be a link to another disk (moved there to
    // free the internal one), whose real place is then as much the attachments folder.
    attachmentFolders: [root, join(root, 'Attachments'), join(root, 'StickerCache')],
    facts: { kind: 'mac-database', path: resolve(dbPath), database: resolve(dbPath) },
    resolveAttachment(stored: string): string | undefined {
      const match = MESSAGES_FOLDER.exec(stored);
      if (match) return join(root, ...namesHere(stored.slice(match.index + match[0].length)));
      if (!isAbsolute(stored) && !stored.startsWith('~')) return join(root, ...namesHere(stored));
      return stored.startsWith('~') ? undefined : stored;
    },
    async dispose() {},
  };
}

/**
 * The names of a Mac's relative path as they are found here. A Mac writing to a disk formatted for Windows or
 * to a Windows share puts each character Windows does not allow in a name (`Q3: what?.pdf`; a last space or
 * dot) as one of Unicode's private use (U+F001–U+F029, Microsoft's Services for Macintosh mapping): on Windows
 * the file is looked for so, as by its own name it cannot be there.
 */
function namesHere(relative: string): string[] {
  const names = relative.split('/');
  return process.platform === 'win32' ? names.map(asMacPutsItOnWindows) : names;
}

const SFM: Record<string, string> = { '"': '\uF020', '*': '\uF021', ':': '\uF022', '<': '\uF023', '>': '\uF024', '?': '\uF025', '\\': '\uF026', '|': '\uF027' };

function asMacPutsItOnWindows(name: string): string {
  return name
    .replace(/[\u0001-\u001f"*:<>?\\|]/g, (c) => SFM[c] ?? String.fromCharCode(0xf000 + c.charCodeAt(0)))
    .replace(/ $/, '\uF028')
    .replace(/\.$/, '\uF029');
}
