import { closeSync, constants, existsSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, extname } from 'node:path';
import { systemReason } from '../errors.js';
import { copyAsNew } from '../output/copied-file.js';
import { archivePath } from '../output/files.js';
import { renameIntoPlace } from '../output/rename-into-place.js';
import { pathToFileURL } from 'node:url';
import { threadId } from 'node:worker_threads';
import type { Attachment } from '../model/types.js';
import { couldNotCopy, notCopiedWarning } from '../model/attachments.js';
import type { ConvertJob, ConvertResult, ImageFormat, ImageOutput } from './convert.js';
import { CAF_HEAD_BYTES, cafFormat, isCaf, type CafFormat } from './caf.js';
import { playableKind, remuxCaf } from './playable-audio.js';
import { fitInside, NO_PICTURE, probeImage, type ImageSize } from './image-size.js';
import { insideFolder, safeFileName } from './safe-names.js';
import { mediaKey, thumbnailPath } from './media-key.js';
import { WorkerPool } from './worker-pool.js';
import { mediaWorkerScript } from './worker-script.js';

export type AttachmentMode = 'copy' | 'link' | 'none';

/**
 * Where an attachment can be seen from the archive. Each location is either a path relative to the
 * archive folder or, in link mode, a file: URL of the original.
 */
export interface PlacedAttachment {
  /** What a click opens: the copied file, the converted picture, or the original. */
  href?: string;
  /** Picture shown inline: a thumbnail, or the file itself for animated GIFs. */
  preview?: string;
  /** The preview's size in pixels, when known: pages lay it out before it loads. */
  previewSize?: ImageSize;
  /** The untouched original when `href` is a converted picture: its copy, or in link mode the file itself. */
  original?: string;
  /** A voice message's audio in a container every browser plays (the original CAF plays only in Safari). */
  playable?: { src: string; type: string };
  /** A CAF file's codec, its four-character code trimmed (`opus`, `aac`, `lpcm`, `samr`: AMR, …), when its header could be read. */
  codec?: string;
  /** An image nothing can draw (an empty file, or bytes of no picture format): pages say so, and ask for no thumbnail. */
  noPicture?: true;
  /** Why nothing can be shown. */
  unavailable?: 'missing' | 'not-exported' | 'withheld';
  /** The reason in words, when there is more to say than `unavailable`. */
  reason?: string;
}

/** A picture's file as `MediaArchive.place` found it. */
interface PictureFile {
  source: string;
  size: number;
  key: string;
  originalHref: string;
  /** Whether the run placed no attachment of this file before. */
  firstUse: boolean;
  /** The path of a copy converted to the format of this suffix. */
  converted: (suffix: string) => string;
}

export interface MediaStats {
  copied: number;
  converted: number;
  /** Files already in the archive from an earlier export of the same source files. */
  reused: number;
  failed: number;
  missing: number;
}

/** Image types every browser shows as they are; anything else (HEIC, TIFF, …) is converted. */
const BROWSER_IMAGES = new Set(['.jpg', '.jpeg', '.png', '.gif', '.webp']);
const ALPHA_IMAGES = new Set(['.png', '.gif', '.webp']);
const THUMB_SIDE = 480;
/**
 * Files a browser would run as a page (script included) in the archive's own origin. Copies get a
 * neutral extension, so opening one shows its text; `download` alone is ignored for file: URLs.
 */
const ACTIVE = new Set(['.html', '.htm', '.xhtml', '.xht', '.shtml', '.svg', '.svgz', '.xml', '.xsl', '.xslt', '.mht', '.mhtml', '.js', '.mjs', '.webarchive']);
const NEUTRAL_SUFFIX = '.txt';
/** Errors that no other file will escape either: the run stops rather than warn once per file. */
const FATAL_WRITE = new Set(['ENOSPC', 'EDQUOT', 'EROFS', 'EIO']);
/** Those of writing a conversion, as its thread hands them over: by message alone, which Node begins with the code. */
const FATAL_MESSAGE = /^(ENOSPC|EDQUOT|EROFS):/;
const PARALLEL_COPIES = 4;
/**
 * A CAF is moved into another container in memory, whole. Voice messages are far smaller (Opus at 24 kbit/s:
 * under 2 MB for ten minutes); a larger CAF (a recording sent as a file) is left as it is, so memory stays bounded.
 */
const MAX_REMUX_BYTES = 64 * 1024 * 1024;

/**
 * Puts attachments into the archive: copies originals under safe names, and converts and thumbnails
 * images on a pool of worker threads. `place` answers at once with the paths pages should use;
 * the files are written in the background and `finish` waits for them.
 * Output names derive from the source's path, size and modification time, so a re-export into the
 * same folder finds its earlier work and skips it.
 */
/** A web page or SVG that could run script when opened from the archive. */
function isActive(attachment: Attachment, source: string): boolean {
  return ACTIVE.has(extname(attachment.fileName || source).toLowerCase()) || ACTIVE.has(extname(source).toLowerCase());
}

/**
 * The name a copy of the attachment gets in the archive: the name shown with the extension of the file itself
 * (a HEIC photo sent as `IMG_1.JPG` is no JPEG: opened by that name, nothing shows it), safe, and neutral for
 * active files.
 */
export function copyName(attachment: Attachment, source: string): string {
  return safeFileName(withExtensionOf(attachment.fileName || basename(source), source)) + (isActive(attachment, source) ? NEUTRAL_SUFFIX : '');
}

/** `name` with the extension of the file at `source`, when that has one (a backup's files have none). */
function withExtensionOf(name: string, source: string): string {
  const real = extname(source);
  const shown = extname(name);
  return real === '' || shown.toLowerCase() === real.toLowerCase() ? name : name.slice(0, name.length - shown.length) + real;
}

export class MediaArchive {
  readonly stats: MediaStats = { copied: 0, converted: 0, reused: 0, failed: 0, missing: 0 };
  private readonly scheduled = new Set<string>();
  private readonly pending = new Set<Promise<void>>();
  /** Files pages show being made, by their path in the archive: `settle` waits for them. */
  private readonly making = new Map<string, Promise<void>>();
  /** Those that could not be made (a damaged picture): pages show what there is instead. */
  private readonly unmade = new Set<string>();
  /** Originals whose copy failed, by the path the copy was to have, with what pages say instead of linking it. */
  private readonly notCopied = new Map<string, string>();
  private readonly copyQueue: (() => Promise<void>)[] = [];
  private copiesRunning = 0;
  private pool?: WorkerPool<ConvertJob, ConvertResult>;
  private fatal?: Error;

  constructor(
    private readonly outDir: string,
    private readonly mode: AttachmentMode,
    private readonly warn: (message: string) => void,
    private readonly workers = 2,
  ) {}

  place(attachment: Attachment): PlacedAttachment {
    if (this.fatal) throw this.fatal;
    const file = this.fileOf(attachment);
    if (!('source' in file)) return file;
    const { source, info } = file;
    // A file already in the archive folder (the archive's own copy) is used where it is.
    const own = archivePath(this.outDir, source);
    // The archive's copies lie at paths named by their SHA-256, but their times are those of the run that
    // copied them: keyed by that path alone, the same export makes the same pages, wherever the folder is.
    const key = own === undefined ? mediaKey(source, info.size, info.mtimeMs) : mediaKey(own, info.size);
    const active = isActive(attachment, source);
    if (active && this.mode === 'link') return { unavailable: 'withheld', reason: `a web page or SVG that could run script, not linked (at ${source})` };
    const name = copyName(attachment, source);
    const folder = `attachments/${key.slice(0, 2)}/${key}`;
    const copied = own ?? `${folder}/${name}`;
    const originalHref = this.mode === 'copy' ? copied : pathToFileURL(source).href;
    const firstUse = !this.scheduled.has(key);
    this.scheduled.add(key);
    if (firstUse && this.mode === 'copy' && !own) this.make(copied, this.copy(source, copied, info.size, attachment.fileName));

    const converted = (suffix: string) => (own ? `${dirname(own)}/${convertedName(basename(own), suffix)}` : `${folder}/${convertedName(name, suffix)}`);
    if (attachment.kind === 'audio' && isCaf(attachment)) {
      const format = cafFormatOf(source);
      const playable = format && info.size <= MAX_REMUX_BYTES ? this.playable(format, source, converted, firstUse, attachment.fileName) : undefined;
      return { href: originalHref, playable, codec: format?.formatId.trim() };
    }
    if (attachment.kind !== 'image' && !attachment.isSticker) return { href: originalHref };
    return this.picture(attachment, { source, size: info.size, key, originalHref, firstUse, converted });
  }

  /** The attachment's file on disk, or why there is none to place. */
  private fileOf(attachment: Attachment): { source: string; info: Stats } | PlacedAttachment {
    if (attachment.withheld) return { unavailable: 'withheld', reason: attachment.withheld };
    const source = attachment.path;
    if (!source || attachment.missing) {
      this.stats.missing++;
      return { unavailable: 'missing' };
    }
    // Said after the file's own absence, which the other formats of a run name in every mode.
    if (this.mode === 'none') return { unavailable: 'not-exported' };
    const info = statOrUndefined(source);
    if (!info) {
      // The reader saw the file, but it is gone or unreadable now: say so, since nothing else will.
      this.stats.missing++;
      this.warn(`Attachment “${attachment.fileName}” could not be read at ${source}; shown as missing`);
      return { unavailable: 'missing' };
    }
    return { source, info };
  }

  /** A picture: its thumbnail, and a copy browsers can show when its format is not one they do. */
  private picture(attachment: Attachment, at: PictureFile): PlacedAttachment {
    const { source, key, originalHref, firstUse } = at;
    const found = probeImage(source);
    if (found === NO_PICTURE) return this.noPicture(source, at.size, originalHref, firstUse, attachment.fileName);
    const size = found ?? sizeGiven(attachment);
    const extension = extname(source).toLowerCase();
    if (extension === '.gif') return { href: originalHref, preview: originalHref, previewSize: size };

    const format: ImageFormat = attachment.isSticker || ALPHA_IMAGES.has(extension) ? 'png' : 'jpeg';
    const suffix = format === 'png' ? 'png' : 'jpg';
    const thumb = thumbnailPath(key, suffix);
    const outputs: ImageOutput[] = [{ path: insideFolder(this.outDir, thumb), format, maxSide: THUMB_SIDE }];
    let href = originalHref;
    let original: string | undefined;
    if (!BROWSER_IMAGES.has(extension)) {
      href = at.converted(suffix);
      outputs.push({ path: insideFolder(this.outDir, href), format });
      original = originalHref;
    }
    if (firstUse) this.make(thumb, this.convert({ source, outputs }, attachment.fileName));
    return { href, preview: thumb, original, previewSize: size && fitInside(size, THUMB_SIDE) };
  }

  /**
   * What pages show of a placed attachment once the files it names are made: a picture whose thumbnail could not
   * be (its file damaged) as one that cannot be shown, linking to its original; a voice message whose copy in another
   * container could not be, by its original alone.
   */
  async settle(placed: PlacedAttachment): Promise<PlacedAttachment> {
    const { preview, playable } = placed;
    const copy = placed.original ?? placed.href;
    await Promise.all([preview, playable?.src, copy].map((path) => path !== undefined && this.making.get(path)));
    const notCopied = copy === undefined ? undefined : this.notCopied.get(copy);
    if (notCopied !== undefined) return { unavailable: 'withheld', reason: notCopied };
    if (preview !== undefined && this.unmade.has(preview)) return { href: placed.original ?? placed.href, noPicture: true };
    if (playable && this.unmade.has(playable.src)) return { ...placed, playable: undefined };
    return placed;
  }

  /** An image file nothing can draw: only its copy (or the original) is linked, and no thumbnail is made or asked for. */
  private noPicture(source: string, size: number, href: string, firstUse: boolean, displayName: string): PlacedAttachment {
    if (firstUse) {
      this.stats.failed++;
      this.warn(`Could not convert image “${displayName}” (${source}): ${size === 0 ? 'the file is empty' : 'it holds no picture of a format known here'}`);
    }
    return { href, noPicture: true };
  }

  /**
   * Where the audio of a CAF file is written in a container browsers play (written in the background on
   * first use); undefined when its format has none.
   */
  private playable(format: CafFormat, source: string, converted: (suffix: string) => string, firstUse: boolean, displayName: string): PlacedAttachment['playable'] {
    const kind = playableKind(format);
    if (!kind) return undefined;
    const src = converted(kind.extension);
    if (firstUse) this.make(src, this.remux(source, insideFolder(this.outDir, src), displayName));
    return { src, type: kind.type };
  }

  /** Whether the file was made (or was there). */
  private async remux(source: string, target: string, displayName: string): Promise<boolean> {
    if (this.fatal) return false;
    if (existsSync(target)) {
      this.stats.reused++;
      return true;
    }
    const partial = `${target}.${threadId}.partial`;
    try {
      const audio = await remuxCaf(await readFile(source));
      await mkdir(dirname(target), { recursive: true });
      await writeFile(partial, audio);
      await renameIntoPlace(partial, target);
      this.stats.converted++;
      return true;
    } catch (error) {
      await rm(partial, { force: true });
      this.failed(error, `Could not convert voice message “${displayName}” (${source}): ${systemReason(error) ?? (error as Error).message}`);
      return false;
    }
  }

  /** Waits for every copy and conversion, then stops the workers. */
  async finish(): Promise<MediaStats> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
    await this.pool?.close();
    if (this.fatal) throw this.fatal;
    return this.stats;
  }

  /** Starts nothing more, and waits for what runs (each removes its unfinished file). */
  async cancel(): Promise<void> {
    this.fatal ??= new Error('cancelled');
    await this.finish().catch(() => {});
  }

  private track(work: Promise<void>): void {
    const tracked = work.finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
  }

  /** Tracks `work` making the file at `path` in the archive, and remembers whether it did. */
  private make(path: string, work: Promise<boolean>): void {
    const made = work.then(
      (done) => {
        if (!done) this.unmade.add(path);
      },
      (error: unknown) => {
        this.unmade.add(path);
        throw error;
      },
    );
    // Never rejects: a page waits for it, and the run hears of the error from `finish`.
    this.making.set(path, made.catch(() => {}).finally(() => this.making.delete(path)));
    this.track(made);
  }

  /** Whether every output was made (or was there). */
  private async convert(job: ConvertJob, displayName: string): Promise<boolean> {
    if (this.fatal) return false;
    if (job.outputs.every((output) => existsSync(output.path))) {
      this.stats.reused++;
      return true;
    }
    await Promise.all(job.outputs.map((output) => mkdir(dirname(output.path), { recursive: true })));
    this.pool ??= new WorkerPool<ConvertJob, ConvertResult>(mediaWorkerScript('convert-worker'), this.workers);
    try {
      await this.pool.run(job);
      this.stats.converted++;
      return true;
    } catch (error) {
      const message = (error as Error).message;
      const fatal = FATAL_MESSAGE.exec(message);
      if (fatal) this.fatal ??= Object.assign(new Error(message), { code: fatal[1], path: job.outputs[0]!.path });
      else {
        this.stats.failed++;
        this.warn(`Could not convert image “${displayName}” (${job.source}): ${message.split('\n')[0]}`);
      }
      return false;
    }
  }

  /** Whether the copy was made (or was there). */
  private copy(source: string, relativeTarget: string, size: number, displayName: string): Promise<boolean> {
    const target = insideFolder(this.outDir, relativeTarget);
    return this.limitCopies(async () => {
      if (this.fatal) return false;
      if ((await stat(target).catch(() => undefined))?.size === size) {
        this.stats.reused++;
        return true;
      }
      // Per thread: two threads may place the same file (HTML renders conversations on several).
      const partial = `${target}.${threadId}.partial`;
      try {
        await mkdir(dirname(target), { recursive: true });
        await copyAsNew(source, partial, constants.COPYFILE_FICLONE);
        await renameIntoPlace(partial, target);
        this.stats.copied++;
        return true;
      } catch (error) {
        await rm(partial, { force: true });
        const reason = systemReason(error) ?? (error as Error).message;
        this.notCopied.set(relativeTarget, couldNotCopy(reason, source));
        this.failed(error, notCopiedWarning(displayName, source, reason));
        return false;
      }
    });
  }

  /** A file not written: the run stops on a full or read-only disk, else it is counted and said. */
  private failed(error: unknown, warning: string): void {
    if (FATAL_WRITE.has((error as NodeJS.ErrnoException).code ?? '')) {
      this.fatal ??= error as Error;
      return;
    }
    this.stats.failed++;
    this.warn(warning);
  }

  /** Runs at most PARALLEL_COPIES copies at once so a big archive does not open thousands of files. */
  private limitCopies(task: () => Promise<boolean>): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.copyQueue.push(() => task().then(resolve, reject));
      this.nextCopy();
    });
  }

  private nextCopy(): void {
    while (this.copiesRunning < PARALLEL_COPIES && this.copyQueue.length > 0) {
      this.copiesRunning++;
      this.copyQueue.shift()!().finally(() => {
        this.copiesRunning--;
        this.nextCopy();
      });
    }
  }
}

/** The size Apple recorded with the message, for a picture whose file tells none readable here. */
function sizeGiven({ width, height }: Attachment): ImageSize | undefined {
  return width && height ? { width, height } : undefined;
}

/** `IMG_1.HEIC` → `IMG_1.jpg`; never the same name as the copied original. */
function convertedName(name: string, suffix: string): string {
  const stem = name.replace(/\.[^.]*$/, '');
  const converted = `${stem}.${suffix}`;
  return converted.toLowerCase() === name.toLowerCase() ? `${stem}-converted.${suffix}` : converted;
}

/** The audio format of the CAF file at `path`, from its first bytes; undefined when it is no CAF after all. */
function cafFormatOf(path: string): CafFormat | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const head = Buffer.alloc(CAF_HEAD_BYTES);
    return cafFormat(head.subarray(0, readSync(fd, head, 0, CAF_HEAD_BYTES, 0)));
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function statOrUndefined(path: string) {
  try {
    const info = statSync(path);
    return info.isFile() ? info : undefined;
  } catch {
    return undefined;
  }
}
