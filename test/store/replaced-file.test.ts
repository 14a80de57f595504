// A photo whose file on the device is replaced by another picture (the same attachment row, name and
// total_bytes) after the archive copied it: the archive keeps the copy it first archived as the message's file,
// and keeps the new one beside it as a later version, said in every format and in the run's summary.
import { createHash } from 'node:crypto';
import { cpSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateChatDb } from '../../src/generate/index.js';
import { formatBytes } from '../../src/render/describe.js';
import { runCli, tempDir } from '../support/cli.js';

const dir = tempDir('replaced-file');
let photo: { name: string; stored: string };

/** Every file of an extension in a folder (and below), joined. */
function textOf(folder: string, extension: string): string {
  return readdirSync(folder, { recursive: true }).map(String).filter((f) => f.endsWith(extension)).map((f) => readFileSync(join(folder, f), 'utf8')).join('\n');
}

/** Where the photo is in a copy of ~/Library/Messages (the folder holding chat.db). */
const photoFile = (mac: string) => join(mac, photo.stored.replace('~/Library/Messages/', ''));

const sha256Of = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const copyOf = (sha256: string) => `attachments/${sha256.slice(0, 2)}/${sha256}/${photo.name}`;

async function exportInto(out: string, mac: string): Promise<string> {
  const result = await runCli(['export', '--db', join(mac, 'chat.db'), '--out', out, '--format', 'txt,html,json', '--no-progress'], { TZ: 'UTC' });
  expect(result.code, result.stderr).toBe(0);
  return result.stdout;
}

/** The transcript's lines from the photo's on, as far as the line after its later versions. */
function photoLines(out: string): string[] {
  const lines = textOf(out, '.txt').split('\n');
  const at = lines.findIndex((line) => line.includes(`[Attachment: ${photo.name} (`));
  return lines.slice(at, at + 3);
}

beforeAll(async () => {
  const mac = join(dir, 'mac-january');
  await generateChatDb({ path: join(mac, 'chat.db'), messages: 200, seed: 5, conversations: 3 });
  const db = new Database(join(mac, 'chat.db'), { readonly: true });
  const photos = db.prepare("SELECT filename AS stored, transfer_name AS name FROM attachment WHERE mime_type = 'image/jpeg' AND transfer_state = 5").all() as { stored: string; name: string }[];
  db.close();
  const counted = new Map<string, number>();
  for (const p of photos) counted.set(p.name, (counted.get(p.name) ?? 0) + 1);
  // One the transcript names once, whose file is there.
  photo = photos.find((p) => counted.get(p.name) === 1 && existsSync(join(mac, p.stored.replace('~/Library/Messages/', ''))))!;
  expect(photo).toBeDefined();
});

describe('a photo whose file the device replaced after the archive copied it', () => {
  it('keeps the copy first archived as the message’s file, the new one as a later version, in every format', async () => {
    const january = join(dir, 'mac-january');
    const out = join(dir, 'archive');
    await exportInto(out, january);
    const first = sha256Of(photoFile(january));
    const firstSize = statSync(photoFile(january)).size;

    // Each quarter's copy of ~/Library/Messages in a folder of its own; in this one the photo's bytes are another picture's.
    const june = join(dir, 'mac-june');
    cpSync(january, june, { recursive: true });
    writeFileSync(photoFile(june), await sharp({ create: { width: 40, height: 24, channels: 3, background: '#ff8800' } }).jpeg().toBuffer());
    const later = sha256Of(photoFile(june));
    const laterSize = statSync(photoFile(june)).size;
    expect(later).not.toBe(first);

    const second = await exportInto(out, june);
    expect(second).toContain('  1 attachment whose file on the device changed since the archive copied it: the copy first archived is kept and shown, the new file kept beside it as a later version\n');
    expect(second).toMatch(/since the last run: 0 messages added, 1 changed, /);
    expect(sha256Of(join(out, copyOf(first)))).toBe(first);
    expect(sha256Of(join(out, copyOf(later)))).toBe(later);

    const day = new Date().toISOString().slice(0, 10);
    const [line, note, version] = photoLines(out);
    expect(line).toContain(`(image/jpeg, ${formatBytes(firstSize)}) — in this archive as ${copyOf(first)}]`);
    expect(note).toBe(`  ⚠ The device's file changed since this copy was archived (${day}); both are kept:`);
    expect(version).toBe(`      later version, found ${day} (${formatBytes(laterSize)}) — in this archive as ${copyOf(later)}`);

    const pages = textOf(join(out, 'conversations'), '.html');
    expect(pages).toContain(`/${copyOf(first)}"`);
    expect(pages).toContain(`⚠ The device&#39;s file changed since this copy was archived (${day}); both are kept: <a href="../../${copyOf(later)}" download>later version, found ${day} (${formatBytes(laterSize)})</a>`);

    const json = textOf(out, '.json');
    expect(json).toContain(`"path":"${copyOf(first)}"`);
    expect(json).toMatch(new RegExp(`"replaced":\\{"archivedAt":"${day}T[^"]+","later":\\[\\{"path":"${copyOf(later)}","size":${laterSize},"foundAt":"${day}T[^"]+"\\}\\]\\}`));
    expect(readFileSync(join(out, 'index.html'), 'utf8')).toContain('1 attachment changed on the device (both kept)');
    expect((await runCli(['verify', out])).code).toBe(0);

    // Read again (another copy, the same bytes): nothing more to keep, and the device going back to the first picture adds none either.
    const september = join(dir, 'mac-september');
    cpSync(june, september, { recursive: true });
    const third = await exportInto(out, september);
    expect(third).not.toContain('whose file on the device changed');
    expect(third).not.toMatch(/since the last run: /);
    cpSync(photoFile(january), photoFile(september));
    const december = join(dir, 'mac-december');
    cpSync(september, december, { recursive: true });
    expect(await exportInto(out, december)).not.toContain('whose file on the device changed');
    expect(photoLines(out)).toEqual([line, note, version]);
  });
});
