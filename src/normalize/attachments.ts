import { lstatSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, resolve, sep } from 'node:path';
import { aFolder, outsideFolders, overLimit } from '../model/attachments.js';
import type { Attachment, AttachmentKind } from '../model/types.js';
import type { AttachmentRow } from '../read/rows.js';
import { stickerSource } from '../decode/sticker.js';
import { formatBytes } from '../render/describe.js';
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
  /** The source is an iPhone backup. */
  backup: boolean;
  /** Files must really (links followed) lie in one of these folders; others are withheld. */
  folders: string[];
  /** Files larger than this are withheld (--max-attachment-size). */
  maxBytes?: number;
  /** What lies at a resolved path (`probeFile`, or what another thread found there). */
  probe(path: string): FileProbe | undefined;
  /** What the archive knows the source by (see `sourceIds`): with a file's stored path, what its hash is remembered by. */
  source: string;
}

/**
 * A database or backup from someone else is untrusted: an attachment row may name `/etc/shadow`, or a
 * link in the Attachments folder may lead there. Only files whose real path lies in a source's folder
 * are ever read.
 */
export function isInsideFolders(path: string, folders: string[]): boolean {
  const file = lstatSync(path, { throwIfNoEntry: false });
  return file !== undefined && isInside(realPath(resolve(path), file), folders);
}

function isInside(real: string | undefined, folders: string[]): boolean {
  return real !== undefined && folders.some((folder) => caseOf(real).startsWith(caseOf(folder.endsWith(sep) ? folder : folder + sep)));
}

/**
 * Windows' file names ignore case, and a path followed through a link (a junction to the disk the
 * Attachments folder moved to) comes back in the disk's own, which need not be the one the link was made with.
 */
const caseOf = process.platform === 'win32' ? (path: string) => path.toLowerCase() : (path: string) => path;

/**
 * Real paths of folders seen before, above the folder of each file: attachments share their upper
 * folders, so a file costs two lstat calls (itself and its own folder) instead of one for every part of
 * its path (realpath's way: a tenth of a text export's time). A file's own folder is seldom shared
 * (one per attachment), so it is not kept: it would only push the shared ones out.
 */
const realFolderCache = new Map<string, string>();
const REAL_FOLDER_CACHE_SIZE = 16_384;

/** A path with every link resolved (undefined when it cannot be), from what lstat found there. */
function realPath(path: string, found: { isSymbolicLink(): boolean }): string | undefined {
  try {
    if (found.isSymbolicLink()) return realpathSync.native(path);
    const folder = dirname(path);
    return folder === path ? path : join(realFolder(folder, false), basename(path));
  } catch {
    return undefined;
  }
}

function realFolder(folder: string, keep = true): string {
  let real = realFolderCache.get(folder);
  if (real === undefined) {
    const parent = dirname(folder);
    real = lstatSync(folder).isSymbolicLink() ? realpathSync.native(folder) : parent === folder ? folder : join(realFolder(parent), basename(folder));
    if (!keep) return real;
    if (realFolderCache.size >= REAL_FOLDER_CACHE_SIZE) realFolderCache.clear();
    realFolderCache.set(folder, real);
  }
  return real;
}

/** The real paths of these folders (the ones that exist), for isInsideFolders. */
export function realFolders(folders: string[]): string[] {
  return folders.flatMap((folder) => {
    try {
      return [realpathSync(folder)];
    } catch {
      return [];
    }
  });
}

/**
 * What stat found of an attachment's file when its row was read (size, modification time): the archive's
 * copier (src/store) needs no stat of its own. Kept under a symbol, so that it is no part of the model:
 * JSON and messages between threads leave it out, while copies made with `{ ...attachment }` keep it.
 */
export const FOUND_ON_DISK = Symbol('found on disk');

export interface FoundOnDisk {
  size: number;
  mtimeMs: number;
  /**
   * What the archive remembers the file's hash by: its source and the path its database stores (a copy of
   * the database in another folder, with its files, finds them hashed), rather than where it is.
   */
  key?: string;
}

/** What stat found of the attachment's file as its row was read; undefined when it was not found or not read that way. */
export function foundOnDisk(attachment: Attachment): FoundOnDisk | undefined {
  return (attachment as Attachment & { [FOUND_ON_DISK]?: FoundOnDisk })[FOUND_ON_DISK];
}

/** A file found at an attachment's path (links followed): its size and time, and whether it really lies in the folders. */
export interface FileProbe {
  size: number;
  mtimeMs: number;
  inside: boolean;
  /** A folder, not a file, is there: no file is missing, but there is none to copy either. */
  folder?: true;
}

/** What lies at the path when it is a file or a folder; undefined when nothing, or something else, is there. */
export function probeFile(path: string, folders: string[]): FileProbe | undefined {
  // One lstat tells a plain file's type and size, and whether its real path needs a link followed.
  const entry = lstatSync(path, { throwIfNoEntry: false });
  const onDisk = entry?.isSymbolicLink() ? statSync(path, { throwIfNoEntry: false }) : entry;
  if (!onDisk?.isFile() && !onDisk?.isDirectory()) return undefined;
  const inside = isInside(realPath(resolve(path), entry!), folders);
  // A folder's own size (4 KB on most disks) is not the size of anything sent.
  return onDisk.isDirectory() ? { size: 0, mtimeMs: onDisk.mtimeMs, inside, folder: true } : { size: onDisk.size, mtimeMs: onDisk.mtimeMs, inside };
}

/** An attachment row as the model shows it: a display name, where the file is on this machine, and whether it is there. */
export function toAttachment(row: AttachmentRow, files: AttachmentFiles): Attachment {
  const fileName = row.transferName || (row.filename ? basename(row.filename) : '') || row.guid;
  let path = row.filename ? files.resolve(row.filename) : undefined;
  const onDisk = path ? files.probe(path) : undefined;
  let withheld: string | undefined;
  if (onDisk && !onDisk.inside) {
    withheld = outsideFolders(path!);
    path = undefined;
  } else if (onDisk?.folder) {
    withheld = aFolder(path!);
  } else if (onDisk && files.maxBytes !== undefined && onDisk.size > files.maxBytes) {
    withheld = overLimit(...sizesShown(onDisk.size, files.maxBytes), files.transient ? undefined : path);
  }
  const present = onDisk !== undefined && !withheld;
  const sticker = row.isSticker ? stickerSource(row.stickerUserInfo ?? undefined, row.attributionInfo ?? undefined, row.emojiDescription ?? undefined) : undefined;
  const attachment: Attachment = {
    guid: row.guid,
    fileName,
    path,
    storedPath: row.filename ?? undefined,
    transient: files.transient || undefined,
    fromBackup: files.backup || undefined,
    missing: !present,
    withheld,
    mimeType: row.mimeType ?? undefined,
    uti: row.uti ?? undefined,
    kind: attachmentKind(row.mimeType, fileName),
    size: row.totalBytes || (onDisk?.size ?? 0),
    createdAt: appleDate(row.createdDate),
    isSticker: Boolean(row.isSticker),
    stickerSource: sticker?.source,
    description: sticker?.description ?? readable(row.emojiDescription),
  };
  if (!onDisk && row.purged) attachment.missingReason = 'icloud';
  if (present) Object.assign(attachment, { [FOUND_ON_DISK]: { size: onDisk.size, mtimeMs: onDisk.mtimeMs, key: `${files.source}: ${row.filename}` } });
  const movie = livePhotoMovie(row, fileName, files);
  if (movie) attachment.livePhoto = movie;
  return attachment;
}

/**
 * Where a Live Photo's movie would be: Messages keeps it beside the still, in the same folder under the same name
 * with `.MOV` (no row of its own names it). Only a photo's, not a sticker's.
 */
export function livePhotoPlaces(row: AttachmentRow, fileName = row.transferName ?? ''): string[] {
  const stored = row.filename;
  if (typeof stored !== 'string' || row.isSticker || attachmentKind(row.mimeType, fileName || stored) !== 'image') return [];
  const base = stored.slice(0, stored.length - extname(stored).length);
  return [`${base}.MOV`, `${base}.mov`].filter((place) => place !== stored);
}

/** The movie found beside a Live Photo's still (a file, not a folder), as an attachment of its own. */
function livePhotoMovie(row: AttachmentRow, fileName: string, files: AttachmentFiles): Attachment | undefined {
  for (const stored of livePhotoPlaces(row, fileName)) {
    const path = files.resolve(stored);
    const found = path === undefined ? undefined : files.probe(path);
    if (found && !found.folder) {
      return toAttachment({ ...row, guid: `${row.guid}:movie`, filename: stored, transferName: null, mimeType: 'video/quicktime', uti: 'com.apple.quicktime-movie', totalBytes: 0, emojiDescription: null }, files);
    }
  }
  return undefined;
}

/**
 * A sticker's short description, unless it is the key of a text its app never localized
 * ("heart.png.accessibilityLabel", as a real app sticker has it): nothing a reader could use.
 */
function readable(description: string | null | undefined): string | undefined {
  return description && !UNLOCALIZED.test(description) ? description : undefined;
}

const UNLOCALIZED = /^\S+\.accessibilityLabel$/;

/** A file's size and the limit it is over, as "30 MB" and "25 MB"; in bytes when the two would read alike. */
function sizesShown(size: number, limit: number): [string, string] {
  const [shown, most] = [formatBytes(size), formatBytes(limit)];
  return shown !== most ? [shown, most] : [`${size.toLocaleString('en-US')} bytes`, `${limit.toLocaleString('en-US')} bytes`];
}

/** A placeholder for an attachment the message body names but the database has no row for. */
export function unlistedAttachment(guid: string | undefined, name: string | undefined): Attachment {
  const fileName = name ?? 'attachment';
  return { guid: guid ?? '', fileName, missing: true, notInDatabase: true, kind: attachmentKind(null, fileName), size: 0, isSticker: false };
}
