import type { Attachment, Message, Part } from './types.js';

/** Every attachment of a message, wherever it sits (parts, app balloons, sticker tapbacks); a loop: it runs for every message read back. */
export function attachmentsOf(message: Message): Attachment[] {
  const found: Attachment[] = [];
  for (const part of message.parts) {
    found.push(...filesOf(part));
    for (const tapback of part.tapbacks) if (tapback.sticker) found.push(tapback.sticker);
  }
  return found;
}

/**
 * The files a part holds (an attachment, an app balloon's; a Live Photo's movie after its still), not its sticker
 * reactions: what the message itself carries.
 */
export function filesOf(part: Part): Attachment[] {
  const files = part.kind === 'attachment' ? [part.attachment] : part.kind === 'app' ? part.attachments : [];
  return files.some((file) => file.livePhoto) ? files.flatMap((file) => (file.livePhoto ? [file, file.livePhoto] : [file])) : files;
}

// What a conversation says of a file on disk kept out of the archive, and where it is (none: a backup's file
// decrypted for the run, gone after it). The run's summary counts them by why (withheldWhy).
const at = (original: string | undefined) => (original === undefined ? '' : ` (${original})`);
const OUTSIDE = 'outside the attachments folder';
const FOLDER = 'a folder, not a file';
const UNREADABLE = 'could not be read';
const OVER_LIMIT = 'over --max-attachment-size';
const COPY_FAILED = 'could not be copied';
const ALTERED = 'copy altered since the archive was sealed';

export const outsideFolders = (original: string): string => `${OUTSIDE}, not copied${at(original)}`;
export const aFolder = (original: string): string => `${FOLDER}, not copied${at(original)}`;
export const unreadableFile = (reason: string, original: string | undefined): string => `${UNREADABLE} (${reason}), not copied${at(original)}`;
/** `size` and `limit` as the user reads them ("12 MB", "10 MB"). */
export const overLimit = (size: string, limit: string, original: string | undefined): string => `${size}, ${OVER_LIMIT} ${limit}, not copied${at(original)}`;

/**
 * A copy in an archive folder whose bytes are not those of the SHA-256 its folder names (another program changed
 * it): shown as neither the message's file nor taken in as one, and where it is.
 */
export const alteredCopy = (copy: string): string => `${ALTERED}, not shown${at(copy)}`;

/** The warning line for such a copy in an archive read as a source: its conversation says so where the file would be. */
export function alteredCopyWarning(fileName: string, copy: string): string {
  return `Attachment “${fileName}” at ${copy} is not the file its folder names (its SHA-256 is another: ${ALTERED}): not copied, its conversation says so`;
}

/** Why a file was kept out, in a word or two: what the run's summary counts. */
export function withheldWhy(withheld: string): string {
  if (withheld.startsWith(OUTSIDE)) return OUTSIDE;
  if (withheld.startsWith(FOLDER)) return 'a folder';
  if (withheld.startsWith(UNREADABLE)) return 'unreadable';
  if (withheld.startsWith(COPY_FAILED)) return COPY_FAILED;
  if (withheld.startsWith(ALTERED)) return ALTERED;
  return OVER_LIMIT;
}

/**
 * What a conversation says of a file whose copy into the archive failed: why, and where the original is (none: a
 * backup's file decrypted for the run, gone after it).
 */
export function couldNotCopy(reason: string, original: string | undefined): string {
  return `${COPY_FAILED} (${reason}), not in this archive${at(original)}`;
}

/** The warning line for a copy that failed: the conversation says so where the file would be. */
export function notCopiedWarning(fileName: string, from: string, reason: string): string {
  return `Attachment “${fileName}” could not be copied from ${from} (${reason}): its conversation says so`;
}
