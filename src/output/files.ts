import { createWriteStream, type WriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { once } from 'node:events';

/**
 * A file written under a temporary name and renamed into place only when complete,
 * so an interrupted export never leaves a file that looks finished.
 */
export class AtomicFile {
  readonly stream: WriteStream;
  private readonly partial: string;

  constructor(readonly path: string) {
    this.partial = `${path}.partial`;
    this.stream = createWriteStream(this.partial);
  }

  /** Writes, waiting when the stream's buffer is full so memory stays bounded. */
  async write(chunk: string | Buffer): Promise<void> {
    if (!this.stream.write(chunk)) await once(this.stream, 'drain');
  }

  async commit(): Promise<void> {
    this.stream.end();
    await once(this.stream, 'finish');
    await rename(this.partial, this.path);
  }

  async abandon(): Promise<void> {
    this.stream.destroy();
    await rm(this.partial, { force: true });
  }
}

const UNSAFE = /[\u0000-\u001f\u007f<>:"/\\|?*]+/g;

/** A file-name stem safe on macOS, Linux and Windows, from any conversation title. */
export function safeStem(title: string, maxLength = 80): string {
  let stem = title.normalize('NFC').replace(UNSAFE, '_').replace(/\s+/g, ' ').trim();
  stem = stem.replace(/^[.\s]+|[.\s]+$/g, '');
  if (/^(con|prn|aux|nul|com\d|lpt\d)$/i.test(stem)) stem = `_${stem}`;
  if (stem.length > maxLength) stem = Array.from(stem).slice(0, maxLength).join('').trim();
  return stem || 'conversation';
}

/** Hands out stems that are unique case-insensitively (macOS and Windows file systems fold case). */
export class StemAllocator {
  private readonly taken = new Set<string>();

  allocate(title: string): string {
    const base = safeStem(title);
    let stem = base;
    for (let n = 2; this.taken.has(stem.toLowerCase()); n++) stem = `${base} (${n})`;
    this.taken.add(stem.toLowerCase());
    return stem;
  }
}
