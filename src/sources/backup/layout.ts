/**
 * Where things live inside an iPhone backup folder (format facts, no I/O).
 *
 * Every backed-up file is stored as `<fileID[0:2]>/<fileID>`, where fileID = sha1(domain + "-" + relativePath).
 * Messages are in HomeDomain `Library/SMS/sms.db`; their attachments in MediaDomain `Library/SMS/Attachments/…`,
 * which sms.db names `~/Library/SMS/Attachments/…` or `/var/mobile/Library/SMS/Attachments/…`.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';

export interface DomainPath {
  domain: string;
  relativePath: string;
}

export const SMS_DB: DomainPath = { domain: 'HomeDomain', relativePath: 'Library/SMS/sms.db' };
export const IPHONE_ADDRESS_BOOK: DomainPath = {
  domain: 'HomeDomain',
  relativePath: 'Library/AddressBook/AddressBook.sqlitedb',
};

export function fileIdFor({ domain, relativePath }: DomainPath): string {
  return createHash('sha1').update(`${domain}-${relativePath}`).digest('hex');
}

export function storedFilePath(backupDir: string, fileId: string): string {
  return path.join(backupDir, fileId.slice(0, 2), fileId);
}

/** The SQLite write-ahead log that may accompany a database in the backup. */
export function walOf(file: DomainPath): DomainPath {
  return { domain: file.domain, relativePath: `${file.relativePath}-wal` };
}

const DEVICE_HOME = /^(?:~|\/private\/var\/mobile|\/var\/mobile)\/(Library\/SMS\/.+)$/;

/**
 * Maps an attachment path as sms.db stores it to its place in the backup, or undefined when the path
 * does not point into the phone's Messages folder.
 */
export function attachmentDomainPath(storedPath: string): DomainPath | undefined {
  const match = DEVICE_HOME.exec(storedPath);
  if (!match) return undefined;
  const relativePath = path.posix.normalize(match[1]);
  if (!relativePath.startsWith('Library/SMS/')) return undefined;
  return { domain: 'MediaDomain', relativePath };
}
