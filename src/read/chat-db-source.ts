import { isAbsolute, join, resolve } from 'node:path';
import type { MessageSource } from './source.js';

const MESSAGES_FOLDER = /(?:^~|^\/Users\/[^/]+|^\/private\/var\/[^/]+)?\/?Library\/Messages\//;

/**
 * A Mac's chat.db. Attachment paths stored as `~/Library/Messages/Attachments/…` (or with the
 * owner's home spelled out) are looked up under `attachmentsRoot`, the folder that stands for
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
      if (match) return join(root, stored.slice(match[0].length));
      if (!isAbsolute(stored) && !stored.startsWith('~')) return join(root, stored);
      return stored.startsWith('~') ? undefined : stored;
    },
    async dispose() {},
  };
}
