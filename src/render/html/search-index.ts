import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Message } from '../../model/types.js';
import { AtomicFile } from '../../output/files.js';

/** Characters of one message kept for searching; longer texts are cut. */
const MAX_TEXT = 2000;
/** Characters of JSON per chunk file, so a browser loads the index in steps. */
const CHUNK_CHARS = 1_000_000;

export interface SearchConversation {
  title: string;
  /** Folder of the conversation's pages, relative to the archive. */
  folder: string;
}

/**
 * Writes the client-side search index as script files (a browser on file:// can load scripts but not
 * fetch data): search/chunk-N.js each call `tkSearch.add(rows)`, search/manifest.js lists conversations
 * and chunks. Rows are `[conversation, page, rowId, time, sender, text]`. Chunks go to disk as they
 * fill, so memory stays bounded.
 */
export class SearchIndexWriter {
  private readonly folder: string;
  private readonly conversations: SearchConversation[] = [];
  private rows: string[] = [];
  private chars = 0;
  private chunks = 0;
  private entries = 0;

  constructor(outDir: string) {
    this.folder = join(outDir, 'search');
  }

  async start(): Promise<void> {
    await mkdir(this.folder, { recursive: true });
  }

  /** Registers a conversation; returns its number for `add`. */
  addConversation(conversation: SearchConversation): number {
    return this.conversations.push(conversation) - 1;
  }

  async add(conversation: number, page: number, message: Message, time: string, text: string): Promise<void> {
    if (!text) return;
    const row = JSON.stringify([conversation, page, message.rowId, time, message.isFromMe ? 'Me' : message.sender.name, text.slice(0, MAX_TEXT)]);
    this.rows.push(row);
    this.chars += row.length;
    this.entries++;
    if (this.chars >= CHUNK_CHARS) await this.flush();
  }

  async finish(): Promise<void> {
    await this.flush();
    const manifest = { chunks: this.chunks, entries: this.entries, conversations: this.conversations };
    await writeScript(join(this.folder, 'manifest.js'), `window.tkSearchManifest = ${JSON.stringify(manifest)};\n`);
  }

  private async flush(): Promise<void> {
    if (this.rows.length === 0) return;
    const body = `tkSearch.add([\n${this.rows.join(',\n')}\n]);\n`;
    this.rows = [];
    this.chars = 0;
    await writeScript(join(this.folder, `chunk-${++this.chunks}.js`), body);
  }
}

/** The words a message can be found by: its texts, file names and app captions. */
export function searchableText(message: Message): string {
  if (message.kind === 'event') return message.event?.description ?? '';
  const words: string[] = [];
  if (message.subject) words.push(message.subject);
  for (const part of message.parts) {
    if (part.kind === 'text') words.push(part.text);
    else if (part.kind === 'attachment') words.push(part.attachment.fileName);
    else if (part.kind === 'app') words.push(...[part.app.title, part.app.subtitle, part.app.url, ...part.app.captions].filter((w): w is string => !!w));
  }
  return words.join(' ');
}

async function writeScript(path: string, text: string): Promise<void> {
  const file = new AtomicFile(path);
  await file.write(text);
  await file.commit();
}
