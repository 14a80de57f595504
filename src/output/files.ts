import { createWriteStream, lstatSync, rmSync, type WriteStream } from 'node:fs';
import { lstat, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { UserError } from '../errors.js';
import { renameIntoPlace } from './rename-into-place.js';
import { isAbsolute, relative, sep } from 'node:path';

/**
 * A file written under a temporary name and renamed into place only when complete,
 * so an interrupted export never leaves a file that looks finished.
 */
export class AtomicFile {
  readonly stream: WriteStream;
  private readonly partial: string;
  private failure?: Error;

  constructor(readonly path: string) {
    this.partial = `${path}.partial`;
    // Whatever has that name (a leftover, or a link planted to redirect the writing) is replaced, never followed.
    rmSync(this.partial, { force: true });
    this.stream = createWriteStream(this.partial, { flags: 'wx' });
    // A full disk shows up as an error event; kept, and thrown by the next write or by commit().
    this.stream.on('error', (error) => this.failed(error));
  }

  /** Writes, waiting when the stream's buffer is full so memory stays bounded. */
  async write(chunk: string | Buffer): Promise<void> {
    if (this.failure) throw this.failure;
    if (!this.stream.write(chunk) && !this.failure) await once(this.stream, 'drain');
  }

  /** Writes and waits until the file has the bytes, so that `chunk` may be filled again. */
  async writeThrough(chunk: Buffer): Promise<void> {
    if (this.failure) throw this.failure;
    await new Promise<void>((resolve, reject) => this.stream.write(chunk, (error) => (error ? reject(this.failed(error)) : resolve())));
  }

  /** The first failure, kept; a failed write names no file, so this one is named: the user learns which disk filled. */
  private failed(error: NodeJS.ErrnoException): Error {
    this.failure ??= Object.assign(error, { path: error.path ?? this.path });
    return this.failure;
  }

  /** Puts the finished file in place; on any failure the partial file is removed and the error thrown. */
  async commit(): Promise<void> {
    try {
      this.stream.end();
      await finished(this.stream);
      await refuseToReplace(this.path);
      await renameIntoPlace(this.partial, this.path);
    } catch (error) {
      await rm(this.partial, { force: true });
      throw this.failure ?? error;
    }
  }

  /** Stops writing and removes the partial file (once the stream has let go of it: an open still under way would make it again). */
  async abandon(): Promise<void> {
    if (!this.stream.closed) {
      const closed = once(this.stream, 'close');
      this.stream.destroy();
      await closed.catch(() => {});
    }
    await rm(this.partial, { force: true });
  }
}

/** Writes `content` as a whole file (see `writeWhole`). */
export function writeAtomically(path: string, content: string | Buffer): Promise<void> {
  return writeWhole(path, (file) => file.write(content));
}

/** Writes a whole file through `fill` and puts it in place; on any failure nothing of it is left. */
export async function writeWhole(path: string, fill: (file: AtomicFile) => Promise<void>): Promise<void> {
  const file = new AtomicFile(path);
  try {
    await fill(file);
  } catch (error) {
    await file.abandon();
    throw error;
  }
  await file.commit();
}

/** A read-only file is not silently overwritten (someone protected it), nor is a folder in the way. */
async function refuseToReplace(path: string): Promise<void> {
  const existing = await lstat(path).catch(() => undefined);
  if (existing && whyNotReplaceable(existing)) throw new UserError(`${path} ${whyNotReplaceable(existing)}; it was left as it is (move it away, or choose another --out).`);
}

function whyNotReplaceable(info: { isDirectory(): boolean; mode: number }): string | undefined {
  if (info.isDirectory()) return 'is a folder';
  if ((info.mode & 0o222) === 0) return 'is a read-only file';
  return undefined;
}

/** Whether a path of the archive is free to be (re)written: absent, or a writable file (an earlier export's). */
export function isFreeToWrite(path: string, folder = false): boolean {
  return whyNotFree(path, folder) === undefined;
}

/** Why a path of the archive may not be (re)written: a read-only file, or a folder where a file goes (or the reverse). */
export function whyNotFree(path: string, folder = false): string | undefined {
  const existing = lstatSync(path, { throwIfNoEntry: false });
  if (!existing) return undefined;
  if (folder) return existing.isDirectory() ? undefined : 'is not a folder';
  return whyNotReplaceable(existing);
}

const UNSAFE = /[\u0000-\u001f\u007f-\u009f<>:"/\\|?*]+/g;
/** Bidirectional overrides, isolates and marks, zero-width and other invisible format characters. */
const INVISIBLE = /[\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]/g;
/**
 * File systems limit a name to 255 bytes. Stems stay well below so that any suffix fits:
 * " (12)", ".partial", an extension, or "-converted.jpg".
 */
export const MAX_STEM_BYTES = 200;

/**
 * Files Windows' Explorer writes into the folders it shows (thumbnails on a network share, a folder's
 * look): an archive's files never have these names.
 */
export const SHELL_FILES = /^(thumbs\.db|desktop\.ini)$/i;

/**
 * Names Windows takes for devices, also before a dot and spaces: `NUL.tar.gz`, `Con. Ed.pdf` and `aux .txt`
 * are each the device, not a file.
 */
const DEVICE_NAMES = /^(con|prn|aux|nul|conin\$|conout\$|com[\d¹²³]|lpt[\d¹²³])\s*(\..*)?$/i;

/** Characters a stem keeps of a title (a name longer than this is hard to read in a folder's listing). */
export const STEM_LENGTH = 80;

/** A file-name stem safe on macOS, Linux and Windows, from any conversation title. */
export function safeStem(title: string, maxLength = STEM_LENGTH, maxBytes = MAX_STEM_BYTES): string {
  let stem = title.normalize('NFC').replace(INVISIBLE, '').replace(UNSAFE, '_').replace(/\s+/g, ' ').trim();
  stem = stem.replace(/^[.\s]+|[.\s]+$/g, '');
  if (DEVICE_NAMES.test(stem) || SHELL_FILES.test(stem)) stem = `_${stem}`;
  stem = truncate(stem, maxLength, maxBytes).replace(/[.\s]+$/, '');
  return stem || 'conversation';
}

/** Made when first needed: making one costs a tenth of a second, and most names need none. */
let graphemes: Intl.Segmenter | undefined;

/** At most this many characters and UTF-8 bytes, cut between whole characters (an emoji stays whole). */
function truncate(text: string, maxLength: number, maxBytes: number): string {
  if (text.length <= maxLength && Buffer.byteLength(text) <= maxBytes) return text;
  let kept = '';
  let bytes = 0;
  let length = 0;
  graphemes ??= new Intl.Segmenter('en', { granularity: 'grapheme' });
  for (const { segment } of graphemes.segment(text)) {
    const size = Buffer.byteLength(segment);
    length += Array.from(segment).length;
    if (bytes + size > maxBytes || length > maxLength) break;
    kept += segment;
    bytes += size;
  }
  return kept;
}

/** The archive's own file named as a conversation's could be: `bates.csv` (--bates), which a PDF run without it removes. */
const ARCHIVE_STEMS = ['bates'];

/**
 * Hands out stems that are unique case-insensitively (macOS and Windows file systems fold case),
 * and that `isFree` accepts (nothing already in the output folder is in the way).
 */
export class StemAllocator {
  private readonly taken = new Set<string>(ARCHIVE_STEMS.map(caseless));

  constructor(private readonly isFree: (stem: string) => boolean = () => true) {}

  /** Takes a stem given out by an earlier run, so a conversation keeps its file names. */
  keep(stem: string): string {
    this.taken.add(caseless(stem));
    return stem;
  }

  allocate(title: string): string {
    const base = safeStem(title);
    let stem = base;
    for (let n = 2; this.taken.has(caseless(stem)) || !this.isFree(stem); n++) stem = `${base} (${n})`;
    this.taken.add(caseless(stem));
    return stem;
  }
}

/**
 * A name as a file system that ignores case sees it. Upper case, as Windows compares names: lower case keeps
 * apart letters that are one letter there, as final ς and σ (ΝΙΚΟΣ and Νικοσ: one file on Windows and macOS).
 */
function caseless(stem: string): string {
  return stem.toUpperCase();
}

/** The path of a file inside the archive folder relative to it (forward slashes), or undefined when it is elsewhere. */
export function archivePath(outDir: string, path: string): string | undefined {
  const inside = relative(outDir, path);
  return inside && !inside.startsWith('..') && !isAbsolute(inside) ? inside.split(sep).join('/') : undefined;
}
