import { statSync } from 'node:fs';
import { basename, extname } from 'node:path';
import type { Attachment, AttachmentKind } from '../model/types.js';
import type { AttachmentRow } from '../read/rows.js';
import { stickerSource } from '../decode/sticker.js';
import { appleDate } from './dates.js';

const KIND_BY_EXTENSION: Record<string, AttachmentKind> = {
  '.jpg': 'image', '.jpeg': 'image', '.png': 'image', '.gif': 'image', '.heic': 'image', '.heif': 'image',
  '.webp': 'image', '.tif': 'image', '.tiff': 'image', '.bmp': 'image',
  '.mov': 'video', '.mp4': 'video', '.m4v': 'video', '.3gp': 'video',
  '.caf': 'audio', '.m4a': 'audio', '.mp3': 'audio', '.wav': 'audio', '.amr': 'audio', '.aac': 'audio',
};

export function attachmentKind(mimeType: string | null, fileName: string): AttachmentKind {
  const family = mimeType?.split('/')[0];
  if (family === 'image' || family === 'video' || family === 'audio') return family;
  return KIND_BY_EXTENSION[extname(fileName).toLowerCase()] ?? 'file';
}

/** Where a source keeps attachment files on this machine. */
export interface AttachmentFiles {
  resolve(storedPath: string): string | undefined;
  /** Resolved paths are temporary copies, gone after the export. */
  transient: boolean;
}

/** An attachment row as the model shows it: a display name, where the file is on this machine, and whether it is there. */
export function toAttachment(row: AttachmentRow, files: AttachmentFiles): Attachment {
  const fileName = row.transferName || (row.filename ? basename(row.filename) : '') || row.guid;
  const path = row.filename ? files.resolve(row.filename) : undefined;
  const onDisk = path ? statSync(path, { throwIfNoEntry: false }) : undefined;
  const present = onDisk?.isFile() ?? false;
  const sticker = row.isSticker ? stickerSource(row.stickerUserInfo ?? undefined, row.attributionInfo ?? undefined, row.emojiDescription ?? undefined) : undefined;
  return {
    guid: row.guid,
    fileName,
    path,
    storedPath: row.filename ?? undefined,
    transient: files.transient || undefined,
    missing: !present,
    mimeType: row.mimeType ?? undefined,
    uti: row.uti ?? undefined,
    kind: attachmentKind(row.mimeType, fileName),
    size: row.totalBytes || (present ? onDisk!.size : 0),
    createdAt: appleDate(row.createdDate),
    isSticker: Boolean(row.isSticker),
    stickerSource: sticker?.source,
    description: sticker?.description ?? row.emojiDescription ?? undefined,
  };
}

/** A placeholder for an attachment the message body names but the database has no row for. */
export function unlistedAttachment(guid: string | undefined, name: string | undefined): Attachment {
  const fileName = name ?? 'attachment';
  return { guid: guid ?? '', fileName, missing: true, kind: attachmentKind(null, fileName), size: 0, isSticker: false };
}
