// A voice message whose CAF could not be moved into a container every browser plays is noted by its codec: the
// note said "plays in Safari" of every one, AMR (older voice messages) and files whose format is unknown too.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateChatDb } from '../../src/generate/index.js';
import { runCli, tempDir } from '../support/cli.js';

const dir = tempDir('caf-notes');
const mac = join(dir, 'mac');
const out = join(dir, 'archive');
/** The archive's copy of each rewritten voice message, by what was written in it. */
const copies: Record<string, string> = {};
let html: string;

/** Where a row's file is in a copy of ~/Library/Messages (the folder holding chat.db). */
const fileIn = (stored: string) => join(mac, stored.replace('~/Library/Messages/', ''));

/** The voice message at `path` with another format ID (after the 8-byte header, the desc chunk's 12-byte header and the 8-byte sample rate). */
function rewrite(path: string, formatId: string): Buffer {
  const bytes = readFileSync(path);
  bytes.write(formatId, 28, 'latin1');
  // The generator links one file into every voice message's folder: this one gets a file of its own.
  rmSync(path);
  writeFileSync(path, bytes);
  return bytes;
}

beforeAll(async () => {
  await generateChatDb({ path: join(mac, 'chat.db'), messages: 400, seed: 7, conversations: 2 });
  const db = new Database(join(mac, 'chat.db'), { readonly: true });
  const stored = (db.prepare("SELECT filename FROM attachment WHERE transfer_state = 5 AND mime_type = 'audio/x-caf'").pluck().all() as string[]).filter((f) => existsSync(fileIn(f)));
  db.close();
  const formats = { aac: 'aac ', amr: 'samr', unknown: 'qqqq' };
  expect(stored.length).toBeGreaterThanOrEqual(Object.keys(formats).length);
  for (const [i, [name, formatId]] of Object.entries(formats).entries()) {
    copies[name] = `${createHash('sha256').update(rewrite(fileIn(stored[i]!), formatId)).digest('hex')}/Audio%20Message.caf`;
  }
  const result = await runCli(['export', '--db', join(mac, 'chat.db'), '--out', out, '--format', 'html', '--no-progress'], { TZ: 'UTC' });
  expect(result.code, result.stderr).toBe(0);
  const folder = join(out, 'conversations');
  html = readdirSync(folder, { recursive: true }).map(String).filter((f) => f.endsWith('.html')).map((f) => readFileSync(join(folder, f), 'utf8')).join('\n');
}, 120_000);

describe('the note under a voice message no browser but Safari could play', () => {
  const noteOf = (copy: string) => new RegExp(`${copy}" download>Audio message</a>[^<]*<div class="audio-note">([^<]+)</div>`).exec(html)?.[1];

  it('says Safari plays AAC', () => {
    expect(noteOf(copies.aac!)).toBe('Apple voice message (.caf): plays in Safari; elsewhere download it and open it in QuickTime or VLC.');
  });

  it('says AMR is for VLC, not Safari', () => {
    expect(noteOf(copies.amr!)).toBe('Apple voice message (.caf, AMR audio): download it and open it in VLC.');
  });

  it('says a codec it does not know is for VLC, not Safari', () => {
    expect(noteOf(copies.unknown!)).toBe('Apple voice message (.caf): download it and open it in VLC.');
  });

  it('notes no voice message moved into a container every browser plays', () => {
    expect(html).toMatch(/<source src="[^"]+\/Audio%20Message\.wav" type="audio\/wav">/);
    expect(html.match(/class="audio-note"/g)).toHaveLength(3);
  });
});
