import { closeSync, openSync, readSync } from 'node:fs';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import type { Message } from '../../model/types.js';
import { writeAtomically, writeWhole } from '../../output/files.js';
import { Utf8Buffer } from '../../output/utf8-buffer.js';

/** Characters of JSON per chunk file, so a browser loads the index in steps. */
const CHUNK_CHARS = 1_000_000;
const FLUSH_AT = 64 * 1024;
const READ_SIZE = 1024 * 1024;

export interface SearchConversation {
  title: string;
  /** Folder of the conversation's pages, relative to the archive. */
  folder: string;
  /** Its participants with their phone numbers and emails ("Mom (+15555550100, mom@example.com)"): found by the search page too. */
  people: string;
}

/** Where one conversation's search rows are: a byte range of a thread's part file, one row per line. */
export interface SearchRows {
  part: string;
  start: number;
  end: number;
}

/**
 * One thread's search rows, written to a part file as conversations are rendered (memory stays bounded);
 * the rows of a conversation are contiguous and lack its number, which is only known when all threads are
 * done (see writeSearchIndex). A row is `page, anchor, time, sender, text]` (the message's id on its page, see
 * anchors.ts), or `…, text, earlier]` for a message with earlier versions of its text (edited or unsent), which it
 * is found by too.
 */
export class SearchRowsWriter {
  private readonly path: string;
  private fd = -1;
  private readonly pending = new Utf8Buffer(2 * FLUSH_AT);
  private written = 0;
  private conversationStart = 0;

  constructor(outDir: string) {
    this.path = join(outDir, 'search', `rows-${threadId}.partial`);
  }

  async start(): Promise<void> {
    await mkdir(join(this.path, '..'), { recursive: true });
    this.fd = openSync(this.path, 'w');
  }

  beginConversation(): void {
    this.conversationStart = this.offset();
  }

  add(page: number, anchor: string, message: Message, time: string, { current, earlier }: { current: string; earlier: string }): void {
    if (!current && !earlier) return;
    const versions = earlier ? `${JSON.stringify(current)},${JSON.stringify(earlier)}` : JSON.stringify(current);
    this.pending.append(`${page},"${anchor}",${JSON.stringify(time)},${JSON.stringify(message.sender.name)},${versions}]\n`);
    if (this.pending.length >= FLUSH_AT) this.flush();
  }

  endConversation(): SearchRows {
    return { part: this.path, start: this.conversationStart, end: this.offset() };
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
    this.fd = -1;
  }

  /** Closes and removes the part file (the export failed). */
  async discard(): Promise<void> {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
    await rm(this.path, { force: true });
  }

  private offset(): number {
    return this.written + this.pending.length;
  }

  private flush(): void {
    this.written += this.pending.writeSyncTo(this.fd, this.path);
  }
}

/**
 * Writes the client-side search index as script files (a browser on file:// can load scripts but not
 * fetch data): search/chunk-N.js each call `tkSearch.add(rows)`, search/manifest.js lists conversations
 * and chunks. Rows are `[conversation, page, anchor, time, sender, text]`, some with `earlier` last (see
 * SearchRowsWriter); conversations are numbered in the order given. The threads' part files are read a slice at
 * a time and removed.
 */
export async function writeSearchIndex(outDir: string, conversations: (SearchConversation & { rows: SearchRows })[]): Promise<void> {
  const folder = join(outDir, 'search');
  const chunks = new ChunkWriter(folder);
  for (const [number, conversation] of conversations.entries()) {
    for (const row of lines(conversation.rows)) await chunks.add(`[${number},${row}`);
  }
  await chunks.flush();
  const manifest = { chunks: chunks.count, entries: chunks.entries, conversations: conversations.map(({ title, folder, people }) => ({ title, folder, people })) };
  await writeAtomically(join(folder, 'manifest.js'), `window.tkSearchManifest = ${JSON.stringify(manifest)};\n`);
  await removeRowParts(outDir);
}

/** Removes every thread's part file, also of a thread that rendered no conversation. */
export async function removeRowParts(outDir: string): Promise<void> {
  const folder = join(outDir, 'search');
  const names = await readdir(folder).catch(() => [] as string[]);
  for (const name of names) if (/^rows-\d+\.partial$/.test(name)) await rm(join(folder, name), { force: true });
}

/** Chunk files of rows, each `tkSearch.add([row,\nrow,\n…]);`, begun anew after CHUNK_CHARS characters of rows. */
class ChunkWriter {
  count = 0;
  entries = 0;
  private readonly rows = new Utf8Buffer(4 * CHUNK_CHARS);
  private rowsInChunk = 0;
  private chars = 0;

  constructor(private readonly folder: string) {}

  async add(row: string): Promise<void> {
    this.rows.append(this.rowsInChunk++ === 0 ? row : `,\n${row}`);
    this.chars += row.length;
    this.entries++;
    if (this.chars >= CHUNK_CHARS) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.rowsInChunk === 0) return;
    this.rowsInChunk = 0;
    this.chars = 0;
    await writeWhole(join(this.folder, `chunk-${++this.count}.js`), async (file) => {
      await file.write('tkSearch.add([\n');
      await this.rows.writeTo(file);
      await file.write('\n]);\n');
    });
  }
}

/** The lines of a byte range of a file, read a megabyte at a time. */
function* lines({ part, start, end }: SearchRows): Generator<string> {
  if (start === end) return;
  const fd = openSync(part, 'r');
  try {
    let carry = Buffer.alloc(0);
    for (let position = start; position < end;) {
      const chunk = Buffer.allocUnsafe(Math.min(READ_SIZE, end - position));
      const read = readSync(fd, chunk, 0, chunk.length, position);
      if (read === 0) throw new Error(`search rows ended early in ${part}`);
      position += read;
      const data = Buffer.concat([carry, chunk.subarray(0, read)]);
      let from = 0;
      for (let newline = data.indexOf(10); newline >= 0; newline = data.indexOf(10, from)) {
        yield data.toString('utf8', from, newline);
        from = newline + 1;
      }
      carry = data.subarray(from);
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * The words a message can be found by, all a page shows of it. `current`: its texts as they read now, file names
 * with a voice message's transcription or a sticker's description, and app cards (a poll's options); `earlier`:
 * the earlier versions of its edited or unsent texts, one after another between dots ('' for none).
 */
export function messageWords(message: Message): { current: string; earlier: string } {
  if (message.kind === 'event') return { current: message.event?.description ?? '', earlier: '' };
  const words: (string | undefined)[] = [];
  const earlier: string[] = [];
  if (message.subject) words.push(message.subject);
  for (const part of message.parts) {
    if (part.kind === 'text') words.push(part.text);
    // A sticker's file name is a UUID nobody types (and the index's preview of the conversation showed it).
    else if (part.kind === 'attachment') words.push(part.attachment.isSticker ? undefined : part.attachment.fileName, part.attachment.transcription, part.attachment.description);
    else if (part.kind === 'app') {
      words.push(part.app.title, part.app.subtitle, part.app.summary, part.app.url, ...part.app.captions);
      words.push(...(part.app.poll?.options ?? []).map((option) => option.text), ...(part.app.ballot?.choices ?? []).map((choice) => choice.text));
    }
    if ((part.kind === 'text' || part.kind === 'unsent') && part.edits) earlier.push(...part.edits.map((edit) => edit.text));
  }
  const present = (list: (string | undefined)[]) => list.filter((w) => !!w);
  return { current: present(words).join(' '), earlier: present(earlier).join(' · ') };
}
