// Issue #10, security: attachment files are read only inside the attachments folder; huge files and
// active content (HTML, SVG) are kept from the archive or defused.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli, tempDir } from '../support/cli.js';
import { pdfText, pdfToolsPresent } from '../pdf/pdf-tools.js';
import { addAttachment, addMessage, fileOf, filesBelow, makeBase, spoiledCopy } from './support.js';

const SECRET = 'TOP SECRET: must never reach the archive';
const STORED = '~/Library/Messages/Attachments';
/** Root reads any file: an unreadable one needs a run as someone else. */
const AS_NOBODY = process.platform === 'linux' && process.getuid?.() === 0 && spawnSync('setpriv', ['--version']).status === 0;

describe('attachments stay inside the attachments folder', () => {
  const dir = tempDir('attach');
  let db = '';
  let chat = '';

  beforeAll(async () => {
    const base = await makeBase(dir);
    const outside = join(dir, 'outside');
    mkdirSync(outside);
    writeFileSync(join(outside, 'secret.txt'), SECRET);
    db = spoiledCopy(base, dir, 'hostile', (d) => {
      const attachments = join(dir, 'hostile', 'Attachments');
      // A link to a file elsewhere, a linked subfolder, and an absolute path outside.
      mkdirSync(join(attachments, 'zz', 'link'), { recursive: true });
      symlinkSync(join(outside, 'secret.txt'), join(attachments, 'zz', 'link', 'linked.txt'));
      symlinkSync(outside, join(attachments, 'yy'));
      chat = addAttachment(d, { filename: `${STORED}/zz/link/linked.txt`, transfer_name: 'linked.txt', mime_type: 'text/plain' });
      addAttachment(d, { filename: `${STORED}/yy/secret.txt`, transfer_name: 'via-folder.txt', mime_type: 'text/plain' });
      addAttachment(d, { filename: join(outside, 'secret.txt'), transfer_name: 'absolute.txt', mime_type: 'text/plain' });
      // An 8 MB sparse file, and active content.
      mkdirSync(join(attachments, 'big'));
      writeFileSync(join(attachments, 'big', 'huge.bin'), '');
      truncateSync(join(attachments, 'big', 'huge.bin'), 8 * 1024 * 1024);
      addAttachment(d, { filename: `${STORED}/big/huge.bin`, transfer_name: 'huge.bin' });
      mkdirSync(join(attachments, 'act'));
      writeFileSync(join(attachments, 'act', 'page.html'), '<script>document.title = "ran"</script>');
      writeFileSync(join(attachments, 'act', 'drawing.svg'), '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
      addAttachment(d, { filename: `${STORED}/act/page.html`, transfer_name: 'page.html', mime_type: 'text/html' });
      addAttachment(d, { filename: `${STORED}/act/drawing.svg`, transfer_name: 'drawing.svg', mime_type: 'application/octet-stream' });
    });
  });

  it('html (copy): nothing from outside is copied, huge files are left out, active files are defused', async () => {
    const out = join(dir, 'out-html');
    const result = await runCli(['export', '--db', db, '--out', out, '--format', 'html', '--chat', chat, '--max-attachment-size', '1MB']);
    expect(result.code, result.stderr).toBe(0);
    // The three outside and the huge one are on disk: not counted as missing, but apart.
    expect(result.stdout).toMatch(/ \(0 missing, 4 not copied: 3 outside the attachments folder, 1 over --max-attachment-size\), /);
    const files = filesBelow(out);
    for (const file of files.filter((f) => f.startsWith('attachments/') && f.includes('.'))) {
      expect(readFileSync(join(out, file), 'latin1')).not.toContain('TOP SECRET');
    }
    const pages = files.filter((f) => f.startsWith('conversations/') && f.endsWith('.html')).map((f) => readFileSync(join(out, f), 'utf8')).join('');
    expect(pages.match(/outside the attachments folder, not copied/g)?.length).toBe(3);
    expect(pages).toMatch(/huge\.bin — 8\.0 MB, over --max-attachment-size 1\.0 MB, not copied \(\/\S+\/big\/huge\.bin\)/);
    expect(files.filter((f) => f.endsWith('huge.bin'))).toEqual([]);
    const copied = files.filter((f) => f.startsWith('attachments/'));
    expect(copied.some((f) => f.endsWith('page.html.txt'))).toBe(true);
    expect(copied.some((f) => f.endsWith('drawing.svg.txt'))).toBe(true);
    expect(copied.filter((f) => /\.(html|svg)$/.test(f))).toEqual([]);
  });

  it('html (link): active files are not linked, outside files neither', async () => {
    const out = join(dir, 'out-link');
    const result = await runCli(['export', '--db', db, '--out', out, '--format', 'html', '--chat', chat, '--attachments', 'link']);
    expect(result.code, result.stderr).toBe(0);
    const pages = filesBelow(out).filter((f) => f.startsWith('conversations/') && f.endsWith('.html')).map((f) => readFileSync(join(out, f), 'utf8')).join('');
    expect(pages).not.toMatch(/href="file:[^"]*(page\.html|drawing\.svg|outside)/);
    expect(pages).toMatch(/page\.html — a web page or SVG that could run script, not linked/);
  });

  it('txt says where each file is, and which were not copied', async () => {
    const out = join(dir, 'out-txt');
    const result = await runCli(['export', '--db', db, '--out', out, '--chat', chat]);
    expect(result.code, result.stderr).toBe(0);
    const text = filesBelow(out).filter((f) => f.endsWith('.txt')).map((f) => readFileSync(join(out, f), 'utf8')).join('');
    expect(text).toMatch(/linked\.txt \(.*\) — outside the attachments folder, not copied/);
    expect(text).toMatch(/absolute\.txt \(.*\) — outside the attachments folder, not copied/);
  });

  it('gives a file over --max-attachment-size and the limit in bytes when the two read alike', async () => {
    const out = join(dir, 'out-alike');
    const result = await runCli(['export', '--db', db, '--out', out, '--chat', chat, '--max-attachment-size', '7.99MB']);
    expect(result.code, result.stderr).toBe(0);
    const text = filesBelow(out).filter((f) => f.endsWith('.txt')).map((f) => readFileSync(join(out, f), 'utf8')).join('');
    expect(text).toMatch(/huge\.bin \(.*\) — 8,388,608 bytes, over --max-attachment-size 8,378,122 bytes, not copied/);
  });
});

describe('an Attachments folder moved to another disk and linked back', () => {
  it('is the attachments folder: its files are copied, and a link inside it still may not lead out', async () => {
    const dir = tempDir('attach-moved');
    const base = await makeBase(dir);
    const moved = join(base, '..', 'Attachments');
    mkdirSync(join(dir, 'outside'));
    writeFileSync(join(dir, 'outside', 'secret.txt'), SECRET);
    symlinkSync(join(dir, 'outside'), join(moved, 'yy'));
    const mac = join(dir, 'mac');
    mkdirSync(mac);
    copyFileSync(base, join(mac, 'chat.db'));
    const db = new Database(join(mac, 'chat.db'));
    addAttachment(db, { filename: `${STORED}/yy/secret.txt`, transfer_name: 'via-link.txt', mime_type: 'text/plain' });
    db.close();
    // As a Mac owner does to free the internal disk: the folder lies elsewhere, a link stands in its place.
    symlinkSync(moved, join(mac, 'Attachments'));
    const out = join(dir, 'out');
    const result = await runCli(['export', '--db', join(mac, 'chat.db'), '--out', out, '--format', 'txt', '--no-progress']);
    expect(result.code, result.stderr).toBe(0);
    const text = filesBelow(out).filter((f) => f.endsWith('.txt')).map((f) => readFileSync(join(out, f), 'utf8')).join('');
    expect(text.match(/outside the attachments folder/g)).toEqual(['outside the attachments folder']);
    expect(text).toMatch(/via-link\.txt \(.*\) — outside the attachments folder, not copied/);
    expect(filesBelow(out).filter((f) => f.startsWith('attachments/')).length).toBeGreaterThan(0);
  });
});

/**
 * A generated database (in `dir`) with one more message, whose attachment is the file at `path` below its
 * Attachments folder, made by `make`; its database and the conversation it is in.
 */
async function withAttachmentFile(dir: string, path: string, mimeType: string, make: (file: string) => void, shownAs = basename(path)): Promise<{ db: string; chat: string }> {
  let chat = '';
  const db = spoiledCopy(await makeBase(dir), dir, 'copy', (d) => {
    const file = join(dir, 'copy', 'Attachments', path);
    mkdirSync(join(file, '..'), { recursive: true });
    make(file);
    chat = addAttachment(d, { filename: `${STORED}/${path}`, transfer_name: shownAs, mime_type: mimeType });
  });
  return { db, chat };
}

describe.skipIf(!AS_NOBODY)('an attachment that cannot be read', () => {
  it('is named in its conversation and counted as not copied, unreadable', async () => {
    const dir = tempDir('unreadable');
    const { db, chat } = await withAttachmentFile(dir, 'lk/Lease.pdf', 'application/pdf', (file) => {
      writeFileSync(file, '%PDF-1.4 lease');
      chmodSync(file, 0o000);
    });
    chmodSync(dir, 0o777);
    const out = join(dir, 'out');
    const run = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, join(ROOT, 'dist', 'cli', 'main.js'), 'export', '--db', db, '--out', out, '--format', 'txt', '--chat', chat, '--no-progress'], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/, 1 not copied: unreadable\)/);
    const text = filesBelow(out).filter((f) => f.endsWith('.txt')).map((f) => readFileSync(join(out, f), 'utf8')).join('');
    expect(text).toMatch(/Lease\.pdf \(.*\) — could not be read \(permission denied\), not copied \(\/\S+\/lk\/Lease\.pdf\)/);
  });
});

/** Runs the CLI as nobody (root reads any file), in a folder everyone may write but for the file it may not read. */
function asNobody(dir: string, unreadable: string, args: string[]) {
  spawnSync('chmod', ['-R', 'a+rwX', dir]);
  chmodSync(unreadable, 0o000);
  return spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, join(ROOT, 'dist', 'cli', 'main.js'), ...args], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } });
}

/** Every relative link of the folder's pages that names no file there. */
function brokenLinks(out: string): string[] {
  return filesBelow(out).filter((f) => f.endsWith('.html')).flatMap((page) => {
    const links = [...readFileSync(join(out, page), 'utf8').matchAll(/(?:href|src)="([^"#:?]+)"/g)].map((m) => decodeURIComponent(m[1]!));
    return links.filter((link) => !existsSync(join(out, page, '..', link))).map((link) => `${page}: ${link}`);
  });
}

describe.skipIf(!AS_NOBODY)('an original that cannot be copied once it was hashed', () => {
  it('is said in txt and HTML as not copied, with a warning the summary counts, and never linked', async () => {
    const dir = tempDir('not-copied');
    const { db, chat } = await withAttachmentFile(dir, 'lk/Lease.pdf', 'application/pdf', (file) => writeFileSync(file, '%PDF-1.4 lease'));
    const out = join(dir, 'out');
    expect((await runCli(['export', '--db', db, '--out', out, '--format', 'txt,html', '--chat', chat, '--no-progress'])).code).toBe(0);
    // The archive's copy is gone, and the original, whose hash the store knows (same size and time), can no longer be read.
    const copy = filesBelow(out).find((f) => f.startsWith('attachments/') && f.endsWith('/Lease.pdf'))!;
    rmSync(join(out, copy));
    const source = join(dir, 'copy', 'Attachments', 'lk', 'Lease.pdf');
    const device = new Database(db);
    addMessage(device, { text: 'one more, so that the conversation is read again' });
    device.close();
    const run = asNobody(dir, source, ['export', '--db', db, '--out', out, '--format', 'txt,html', '--chat', chat, '--no-progress']);
    // It stopped the run: "cannot go on: … permission denied (copyfile)".
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toContain(`warning: Attachment “Lease.pdf” could not be copied from ${source} (permission denied): its conversation says so\n`);
    // Counted with the line that says the archive's copy was removed.
    expect(run.stderr).toMatch(/^warning: attachments\/.*\/Lease\.pdf was removed since the last export/m);
    expect(run.stdout).toMatch(/, 1 not copied: could not be copied\), 2 warnings /);
    const text = filesBelow(out).filter((f) => f.endsWith('.txt')).map((f) => readFileSync(join(out, f), 'utf8')).join('');
    expect(text).toContain(`Lease.pdf (application/pdf, 14 B) — could not be copied (permission denied), not in this archive (${source})]`);
    expect(fileOf(out, 'p1.html')).toContain(`Lease.pdf — could not be copied (permission denied), not in this archive (${source})`);
    expect(brokenLinks(out)).toEqual([]);
  });

  it('kept by the archive alone and copied for its page: the page says so rather than link a file that is not there', async () => {
    const dir = tempDir('not-copied-kept');
    const { db } = await withAttachmentFile(dir, 'lk/Lease.pdf', 'application/pdf', (file) => writeFileSync(file, '%PDF-1.4 lease'));
    const out = join(dir, 'out');
    expect((await runCli(['export', '--db', db, '--out', out, '--format', 'txt', '--attachments', 'link', '--no-progress'])).code).toBe(0);
    // The device deletes the message; the archive keeps it, its file where the device had it, now unreadable.
    const device = new Database(db);
    const message = device.prepare("SELECT message_id FROM message_attachment_join j JOIN attachment a ON a.ROWID = j.attachment_id WHERE a.transfer_name = 'Lease.pdf'").pluck().get() as number;
    for (const table of ['message_attachment_join', 'chat_message_join']) device.prepare(`DELETE FROM ${table} WHERE message_id = ?`).run(message);
    device.prepare('DELETE FROM message WHERE ROWID = ?').run(message);
    device.close();
    const source = join(dir, 'copy', 'Attachments', 'lk', 'Lease.pdf');
    const run = asNobody(dir, source, ['export', '--db', db, '--out', out, '--format', 'html', '--no-progress']);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toContain(`Attachment “Lease.pdf” could not be copied from ${source} (permission denied): its conversation says so\n`);
    expect(run.stderr).not.toContain('.partial');
    expect(filesBelow(out).filter((f) => f.endsWith('.html')).map((f) => readFileSync(join(out, f), 'utf8')).join('')).toContain(`Lease.pdf — could not be copied (permission denied), not in this archive (${source})`);
    expect(brokenLinks(out)).toEqual([]);
  });
});

describe('an image file far larger than any photo', () => {
  it('is copied, and shown as a placeholder with a warning, not read into memory whole', async () => {
    const dir = tempDir('huge-image');
    const { db, chat } = await withAttachmentFile(dir, 'hg/IMG_0001.JPG', 'image/jpeg', (file) => {
      // A photo's header, so that it is taken for one: nothing at all is drawn from a file of zeros.
      const attachments = join(dir, 'base', 'Attachments');
      copyFileSync(join(attachments, filesBelow(attachments).find((f) => /\.jpe?g$/i.test(f))!), file);
      truncateSync(file, 300 * 1024 * 1024);
    });
    const result = await runCli(['export', '--db', db, '--out', join(dir, 'out'), '--format', 'html,pdf', '--chat', chat, '--no-progress']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/Could not convert image “IMG_0001\.JPG” \(.*\): too large to show as an image \(314,572,800 bytes; up to 268,435,456 are shown\)/);
    expect(result.stderr).toMatch(/PDF: could not read image .*IMG_0001\.JPG; drew a placeholder/);
    expect(filesBelow(join(dir, 'out')).some((f) => f.startsWith('attachments/') && f.endsWith('/IMG_0001.JPG'))).toBe(true);
  });
});

describe('an image file no picture can be drawn from', () => {
  it.each([
    ['empty', 'zr/zero.jpg', '', /the file is empty/],
    ['of garbage bytes', 'gb/garbage.jpg', 'garbage garbage garbage', /it holds no picture of a format known here/],
  ])('(%s) is said not to be shown, and the page asks for no thumbnail that was never written', async (_, path, content, why) => {
    const dir = tempDir('no-picture');
    const { db, chat } = await withAttachmentFile(dir, path, 'image/jpeg', (file) => writeFileSync(file, content));
    const out = join(dir, 'out');
    const result = await runCli(['export', '--db', db, '--out', out, '--format', 'html', '--chat', chat, '--no-progress']);
    expect(result.code, result.stderr).toBe(0);
    const pages = filesBelow(out).filter((f) => f.startsWith('conversations/') && f.endsWith('.html'));
    const asked = pages.flatMap((page) => [...readFileSync(join(out, page), 'utf8').matchAll(/ (?:src|href)="(\.\.\/\.\.\/[^"#]+)"/g)].map((m) => join(out, 'conversations', 'x', decodeURI(m[1]!))));
    expect(asked.length).toBeGreaterThan(0);
    expect(asked.filter((file) => !existsSync(file))).toEqual([]);
    expect(result.stderr).toMatch(new RegExp(`Could not convert image “${basename(path)}” \\(.*\\): ${why.source}`));
    expect(pages.map((page) => readFileSync(join(out, page), 'utf8')).join('')).toContain(`<span class="broken">Picture could not be shown: Photo ${basename(path)}</span>`);
  });
});

describe('a picture cut short (a damaged file): its header is read, but no thumbnail can be made of it', () => {
  let photo: Buffer;
  beforeAll(async () => {
    photo = await sharp({ create: { width: 640, height: 480, channels: 3, background: '#3a7' } }).jpeg().toBuffer();
  });

  /** Every file a page names (relative paths, and file: URLs of originals in link mode), as paths, and those absent. */
  function named(out: string, pages: string[]): { all: string[]; absent: string[] } {
    const all = pages.flatMap((page) => [...readFileSync(join(out, page), 'utf8').matchAll(/ (?:src|href)="((?:\.\.\/\.\.\/|file:)[^"#]+)"/g)]
      .map((m) => (m[1]!.startsWith('file:') ? fileURLToPath(m[1]!.replaceAll('&amp;', '&')) : join(out, 'conversations', 'x', decodeURI(m[1]!)))));
    return { all, absent: all.filter((file) => !existsSync(file)) };
  }

  it.each([
    ['a JPEG', 'copy', 'ct/IMG_0420.JPG', 'image/jpeg'],
    ['a JPEG', 'link', 'ct/IMG_0420.JPG', 'image/jpeg'],
    ['a HEIC (converted for browsers)', 'copy', 'ct/IMG_0421.HEIC', 'image/heic'],
  ])('(%s, --attachments %s) is said not to be shown, linking to the original; the page names no file that is not there', async (_, mode, path, mimeType) => {
    const dir = tempDir('cut-short');
    const { db, chat } = await withAttachmentFile(dir, path, mimeType, (file) => {
      const attachments = join(dir, 'base', 'Attachments');
      const heic = path.endsWith('.HEIC') && readFileSync(join(attachments, filesBelow(attachments).find((f) => f.endsWith('.HEIC'))!));
      // Its header whole (the picture's size is read from it), its pixels cut short.
      writeFileSync(file, heic ? heic.subarray(0, Math.floor(heic.length * 0.7)) : photo.subarray(0, 400));
    });
    const out = join(dir, 'out');
    const result = await runCli(['export', '--db', db, '--out', out, '--format', 'html', '--chat', chat, '--attachments', mode, '--no-progress']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(new RegExp(`Could not convert image “${basename(path)}” \\(`));
    const pages = filesBelow(out).filter((f) => f.startsWith('conversations/') && f.endsWith('.html'));
    const { all, absent } = named(out, pages);
    expect(all.length).toBeGreaterThan(0);
    expect(absent).toEqual([]);
    const html = pages.map((page) => readFileSync(join(out, page), 'utf8')).join('');
    const note = new RegExp(`<a href="([^"]+)"><span class="broken">Picture could not be shown: Photo ${basename(path)}</span></a>`).exec(html);
    expect(note, 'the note, linking to the original').not.toBeNull();
    const original = note![1]!.startsWith('file:') ? fileURLToPath(note![1]!) : join(out, 'conversations', 'x', decodeURI(note![1]!));
    expect(readFileSync(original)).toEqual(readFileSync(join(dir, 'copy', 'Attachments', path)));
    expect(html).not.toContain(`alt="Photo ${basename(path)}"`);
  });
});

describe('an attachment whose name has another extension than its file', () => {
  it('is copied with the extension of its file, so the picture a click opens is the converted one', async () => {
    const dir = tempDir('other-extension');
    const { db, chat } = await withAttachmentFile(dir, 'hx/IMG_8888.HEIC', 'image/heic', (file) => {
      const attachments = join(dir, 'base', 'Attachments');
      const heic = filesBelow(attachments).find((f) => f.endsWith('.HEIC'))!;
      copyFileSync(join(attachments, heic), file);
    }, 'IMG_8888.JPG');
    const out = join(dir, 'out');
    const result = await runCli(['export', '--db', db, '--out', out, '--format', 'txt,html', '--chat', chat, '--no-progress']);
    expect(result.code, result.stderr).toBe(0);
    const text = filesBelow(out).filter((f) => f.endsWith('.txt')).map((f) => readFileSync(join(out, f), 'utf8')).join('');
    expect(text).toMatch(/IMG_8888\.JPG \(image\/heic, .*\) — in this archive as attachments\/\S+\/IMG_8888\.HEIC\]/);
    const page = filesBelow(out).filter((f) => f.startsWith('conversations/') && f.endsWith('.html')).map((f) => readFileSync(join(out, f), 'utf8')).join('');
    expect(page).toMatch(/<a href="[^"]*\/IMG_8888\.jpg"><img [^>]*alt="Photo IMG_8888\.JPG"/);
    expect(filesBelow(out).filter((f) => f.endsWith('IMG_8888.JPG'))).toEqual([]);
  });

  it('links the original HEIC beside the converted picture with --attachments link too', async () => {
    const dir = tempDir('heic-link');
    const { db, chat } = await withAttachmentFile(dir, 'hl/IMG_0005.HEIC', 'image/heic', (file) => {
      const attachments = join(dir, 'base', 'Attachments');
      copyFileSync(join(attachments, filesBelow(attachments).find((f) => f.endsWith('.HEIC'))!), file);
    });
    const out = join(dir, 'out');
    const result = await runCli(['export', '--db', db, '--out', out, '--format', 'html', '--chat', chat, '--attachments', 'link', '--no-progress']);
    expect(result.code, result.stderr).toBe(0);
    const page = filesBelow(out).filter((f) => f.startsWith('conversations/') && f.endsWith('.html')).map((f) => readFileSync(join(out, f), 'utf8')).join('');
    expect(page).toMatch(/<a class="original" href="file:\/\/\/\S+\/hl\/IMG_0005\.HEIC" download>original<\/a>/);
  });
});

describe('an attachment whose name has a backslash (legal on macOS)', () => {
  it('is copied under its whole name, the backslash made safe, not under what follows it', async () => {
    const dir = tempDir('backslash');
    const { db, chat } = await withAttachmentFile(dir, 'bs/back\\slash.pdf', 'application/pdf', (file) => writeFileSync(file, '%PDF-1.4 back'));
    const out = join(dir, 'out');
    const result = await runCli(['export', '--db', db, '--out', out, '--format', 'txt,html', '--chat', chat, '--no-progress']);
    expect(result.code, result.stderr).toBe(0);
    const copies = filesBelow(out).filter((f) => f.startsWith('attachments/') && f.includes('slash'));
    expect(copies.map((f) => basename(f))).toEqual(['back_slash.pdf']);
    const text = filesBelow(out).filter((f) => f.endsWith('.txt')).map((f) => readFileSync(join(out, f), 'utf8')).join('');
    expect(text).toMatch(/back\\slash\.pdf \(application\/pdf, 13 B\) — in this archive as attachments\/\S+\/back_slash\.pdf\]/);
  });
});

describe('an attachment file that is there but empty', () => {
  it('is said to be 0 B in txt, html and pdf, as any file of known size', async () => {
    const dir = tempDir('empty-file');
    const { db, chat } = await withAttachmentFile(dir, 'em/empty.txt', 'text/plain', (file) => writeFileSync(file, ''));
    const out = join(dir, 'out');
    const result = await runCli(['export', '--db', db, '--out', out, '--format', 'txt,html,pdf', '--chat', chat, '--no-progress']);
    expect(result.code, result.stderr).toBe(0);
    const read = (files: string[]) => files.map((f) => readFileSync(join(out, f), 'utf8')).join('');
    expect(read(filesBelow(out).filter((f) => !f.startsWith('attachments/') && f.endsWith('.txt')))).toMatch(/empty\.txt \(text\/plain, 0 B\) — in this archive/);
    expect(read(filesBelow(out).filter((f) => f.startsWith('conversations/') && f.endsWith('.html')))).toMatch(/empty\.txt<\/a> \(0 B\)/);
    if (pdfToolsPresent) {
      const pdfs = filesBelow(out).filter((f) => f.endsWith('.pdf'));
      expect(pdfs.map((f) => pdfText(join(out, f))).join('')).toMatch(/File · text\/plain · 0 B/);
    }
  });
});

describe('an attachment row whose path is a folder', () => {
  it('is named as a folder, not copied, in every format: not as a file missing from the computer', async () => {
    const dir = tempDir('folder-attachment');
    const { db, chat } = await withAttachmentFile(dir, 'fd/Plans.pages', 'application/x-iwork-pages-sffpages', (file) => {
      mkdirSync(file);
      writeFileSync(join(file, 'index.xml'), '<plans/>');
    });
    const out = join(dir, 'out');
    const result = await runCli(['export', '--db', db, '--out', out, '--format', 'txt,html,csv', '--chat', chat, '--no-progress']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/ \(0 missing, 1 not copied: a folder\), /);
    const written = filesBelow(out).filter((f) => /\.(txt|html|csv)$/.test(f) && !f.startsWith('assets/')).map((f) => readFileSync(join(out, f), 'utf8')).join('');
    expect(written.match(/Plans\.pages \S*\s*\(?[^\n]*?a folder, not a file, not copied/g)?.length).toBe(3);
    expect(written).not.toMatch(/Plans\.pages[^\n]*(missing|not on this computer)/);
    expect(written).not.toMatch(/Plans\.pages \([^)]*KB\)/);
  });
});

describe('HTML with --attachments none', () => {
  it('says a file is not on this computer, as txt does, rather than only "not exported"', async () => {
    const dir = tempDir('none-missing');
    const { db, chat } = await withAttachmentFile(dir, 'gn/gone.jpg', 'image/jpeg', () => {});
    const out = join(dir, 'out');
    const result = await runCli(['export', '--db', db, '--out', out, '--format', 'html', '--chat', chat, '--attachments', 'none', '--no-progress']);
    expect(result.code, result.stderr).toBe(0);
    const page = filesBelow(out).filter((f) => f.startsWith('conversations/') && f.endsWith('.html')).map((f) => readFileSync(join(out, f), 'utf8')).join('');
    expect(page).toMatch(/gone\.jpg — not on this computer/);
    expect(page).not.toMatch(/gone\.jpg — not exported/);
  });
});

describe('an attachment stored with a home folder on another disk spelled out', () => {
  it('is looked for in the attachments folder, as one stored under ~ is', async () => {
    const dir = tempDir('home-elsewhere');
    let chat = '';
    const db = spoiledCopy(await makeBase(dir), dir, 'copy', (d) => {
      mkdirSync(join(dir, 'copy', 'Attachments', 'vh'), { recursive: true });
      writeFileSync(join(dir, 'copy', 'Attachments', 'vh', 'notes.txt'), 'notes');
      chat = addAttachment(d, { filename: '/Volumes/Data/Users/ann/Library/Messages/Attachments/vh/notes.txt', transfer_name: 'notes.txt', mime_type: 'text/plain' });
    });
    const out = join(dir, 'out');
    const result = await runCli(['export', '--db', db, '--out', out, '--format', 'txt', '--chat', chat, '--no-progress']);
    expect(result.code, result.stderr).toBe(0);
    const text = filesBelow(out).filter((f) => f.endsWith('.txt')).map((f) => readFileSync(join(out, f), 'utf8')).join('');
    expect(text).toMatch(/notes\.txt \(text\/plain, 5 B\) — in this archive as attachments\/\S+\/notes\.txt\]/);
  });
});
