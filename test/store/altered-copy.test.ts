import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../support/cli.js';
import { pdfText, pdfToolsPresent } from '../pdf/pdf-tools.js';
import { deviceSlice, exportFrom, filesOf, generateHistory, type History } from './device.js';

// An attachment's copy in the archive is named by its SHA-256: one whose bytes another program replaced (another
// photo under the same name) is never shown, nor taken in by another archive, as the message's photo.

const FORMATS = 'txt,html,pdf,json';
const ALTERED = 'copy altered since the archive was sealed, not shown';

let history: History;

beforeAll(async () => {
  history = await generateHistory(120, 331, 1);
});

const sha256Of = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const warnings = (stderr: string) => stderr.split('\n').filter((line) => line.startsWith('warning: ')).sort();
const transcript = (out: string) => readdirSync(out).filter((f) => f.endsWith('.txt')).map((f) => readFileSync(join(out, f), 'utf8')).join('');
const pages = (out: string) => filesOf(join(out, 'conversations')).filter((p) => p.endsWith('.html')).map((p) => readFileSync(join(out, 'conversations', p), 'utf8')).join('');
const pdfs = (out: string) => readdirSync(out).filter((f) => f.endsWith('.pdf')).map((f) => join(out, f));
const verifyLines = async (out: string) => (await runCli(['verify', out])).stdout.trim().split('\n').filter((line) => !line.startsWith('history: ')).sort();

/** The photos the archive's transcripts show from their copies (each a file of its own: no other name shares its bytes), by their path there. */
function photoCopies(out: string): string[] {
  const shown = [...transcript(out).matchAll(/^\[Attachment: .*\(image\/.*— in this archive as (attachments\/[^\]\n]+\.(?:jpe?g|png))\]$/gim)].map((m) => m[1]!);
  return [...new Set(shown)].filter((p) => statSync(join(out, p)).nlink === 1 && sha256Of(join(out, p)) === p.split('/')[2]).sort();
}

/** The pictures drawn in a folder's PDFs, whatever page or object holds them (what they are, as poppler lists them). */
function pdfPictures(out: string): string[] {
  return pdfs(out).flatMap((pdf) => execFileSync('pdfimages', ['-list', pdf], { encoding: 'utf8' }).split('\n').slice(2).filter(Boolean).map((line) => {
    const [, , type, width, height, color, , , enc, , , , , , size] = line.trim().split(/\s+/);
    return [type, width, height, color, enc, size].join(' ');
  })).sort();
}

/** The attachments of the folder's JSON that say `withheld`, and how many name `path` as theirs. */
function jsonAttachments(out: string, withheld: string, path: string): { withheld: Record<string, unknown>[]; at: number } {
  const messages = readdirSync(out).filter((f) => f.endsWith('.json')).flatMap((f) => (JSON.parse(readFileSync(join(out, f), 'utf8')) as { messages: { parts: { attachment?: Record<string, unknown> }[] }[] }).messages);
  const attachments = messages.flatMap((m) => m.parts.flatMap((p) => (p.attachment ? [p.attachment] : [])));
  return { withheld: attachments.filter((a) => a.withheld === withheld), at: attachments.filter((a) => a.path === path).length };
}

/**
 * An archive of the device before its last third of messages (the next run from the whole history writes the
 * conversation's files again), with one photo's copy replaced by another photo's bytes; the copy and that photo.
 */
async function archiveWithAlteredCopy(label: string): Promise<{ out: string; copy: string; substitute: Buffer; original: Buffer }> {
  const out = join(tempDir(label), 'archive');
  await exportFrom(deviceSlice(history, undefined, history.thirds[1]), out, FORMATS);
  const [copy, other] = photoCopies(out);
  expect(other).toBeDefined();
  const original = readFileSync(join(out, copy!));
  const substitute = readFileSync(join(out, other!));
  writeFileSync(join(out, copy!), substitute);
  return { out, copy: copy!, substitute, original };
}

/** A copy of the whole history's device without the original of `sha256` (the phone deleted the photo). */
function deviceWithout(sha256: string): string {
  const device = tempDir('altered-device');
  cpSync(history.dir, device, { recursive: true });
  const originals = filesOf(join(device, 'Attachments')).filter((f) => sha256Of(join(device, 'Attachments', f)) === sha256);
  expect(originals.length).toBeGreaterThan(0);
  for (const original of originals) rmSync(join(device, 'Attachments', original));
  return device;
}

describe('a copy of an attachment altered in the archive folder is never passed off as the original', () => {
  it('is shown in every format as altered, counted, and left out of the seal, when no source has the original', async () => {
    const { out, copy, substitute } = await archiveWithAlteredCopy('altered-gone');
    const name = basename(copy);
    const device = deviceWithout(copy.split('/')[2]!);

    const next = await exportFrom(device, out, FORMATS);
    expect(warnings(next.stderr)).toEqual([
      `warning: ${copy} was changed since the last export, not by textkeeper: its bytes are not those of the SHA-256 its folder names, and this export had no original to copy again: every format shows its attachment as a copy altered since the archive was sealed, not as the file, and the archive's record keeps it as textkeeper wrote it (verify reports it until it is restored from a backup)`,
    ]);
    expect(next.stdout).toMatch(/\(\d+ missing, 1 not copied: copy altered since the archive was sealed\)/);
    // The new messages were read: the conversation's files were all written again.
    expect(next.stdout).toMatch(/since the last run: \d+ messages added/);
    expect(readFileSync(join(out, copy))).toEqual(substitute);

    const text = transcript(out);
    expect(text).not.toContain(`in this archive as ${copy}]`);
    expect(text).toContain(`${name} (image/`);
    expect(text).toContain(`— ${ALTERED} (${copy})]`);
    const html = pages(out);
    expect(html).not.toContain(`href="../../${encodeURI(copy)}"`);
    expect(html).toContain(`${name} — ${ALTERED} (${copy})`);
    const json = jsonAttachments(out, `${ALTERED} (${copy})`, copy);
    expect(json.withheld).toEqual([expect.objectContaining({ fileName: name, missing: true })]);
    expect(json.withheld[0]).not.toHaveProperty('path');
    expect(json.at).toBe(0);
    if (pdfToolsPresent) {
      expect(pdfs(out).map((pdf) => pdfText(pdf)).join('').replace(/\s+/g, ' ')).toContain(`Not included: ${ALTERED}`);
      // The PDF draws what a fresh archive of this device draws: the substitute no more often than its own message.
      const reference = join(tempDir('altered-gone-reference'), 'archive');
      await exportFrom(device, reference, 'pdf');
      expect(pdfPictures(out)).toEqual(pdfPictures(reference));
    }
    expect(await verifyLines(out)).toEqual([`altered: ${copy}`]);

    // The next run keeps what it wrote, and says the same.
    const again = await exportFrom(device, out, FORMATS);
    expect(again.stdout).toMatch(/1 conversation unchanged since the last run: its files were kept/);
    expect(warnings(again.stderr)).toEqual(warnings(next.stderr));
    expect(await verifyLines(out)).toEqual([`altered: ${copy}`]);
  });

  it('copies the original again from the device that still has it, and says so', async () => {
    const { out, copy, original } = await archiveWithAlteredCopy('altered-restored');
    const [from] = filesOf(join(history.dir, 'Attachments')).filter((f) => sha256Of(join(history.dir, 'Attachments', f)) === copy.split('/')[2]);

    const next = await exportFrom(history.dir, out, FORMATS);
    expect(warnings(next.stderr)).toEqual([
      `warning: ${copy} was changed since the last export, not by textkeeper: its bytes were not those of the SHA-256 its folder names; this export copied the original again from ${join(history.dir, 'Attachments', from!)}`,
    ]);
    expect(readFileSync(join(out, copy))).toEqual(original);
    expect(sha256Of(join(out, copy))).toBe(copy.split('/')[2]);
    expect(transcript(out)).toContain(`in this archive as ${copy}]`);
    expect(pages(out)).toContain(`href="../../${encodeURI(copy)}"`);
    if (pdfToolsPresent) {
      const reference = join(tempDir('altered-restored-reference'), 'archive');
      await exportFrom(history.dir, reference, 'pdf');
      expect(pdfPictures(out)).toEqual(pdfPictures(reference));
    }
    expect(await verifyLines(out)).toEqual([expect.stringMatching(/^Intact: /)]);
    expect(warnings((await exportFrom(history.dir, out, FORMATS)).stderr)).toEqual([]);
  });

  it('is not taken in by an archive that reads that folder as a source (--archive)', async () => {
    const { out, copy, substitute } = await archiveWithAlteredCopy('altered-source');
    const name = basename(copy);
    const other = join(tempDir('altered-other'), 'archive');

    const read = await runCli(['export', '--archive', out, '--out', other, '--format', FORMATS, '--no-progress']);
    expect(read.code).toBe(0);
    expect(warnings(read.stderr)).toEqual([
      `warning: Attachment “${name}” at ${join(out, copy)} is not the file its folder names (its SHA-256 is another: copy altered since the archive was sealed): not copied, its conversation says so`,
    ]);
    expect(read.stdout).toMatch(/1 not copied: copy altered since the archive was sealed\), 1 warning in /);
    // Not filed under the substitute's SHA-256, nor under any other.
    expect(filesOf(join(other, 'attachments')).filter((p) => basename(p) === name)).toEqual([]);
    const substituteSha256 = createHash('sha256').update(substitute).digest('hex');
    expect(filesOf(join(other, 'attachments')).filter((p) => p.split('/')[1] === substituteSha256).map((p) => basename(p))).not.toContain(name);
    expect(transcript(other)).toContain(`${name} (image/`);
    expect(transcript(other)).toContain(`— ${ALTERED} (${join(out, copy)})]`);
    expect(pages(other)).toContain(`${name} — ${ALTERED} (${join(out, copy)})`);
    expect(jsonAttachments(other, `${ALTERED} (${join(out, copy)})`, copy).withheld).toEqual([expect.objectContaining({ fileName: name, missing: true })]);
    if (pdfToolsPresent) expect(pdfs(other).map((pdf) => pdfText(pdf)).join('').replace(/\s+/g, ' ')).toContain(`Not included: ${ALTERED}`);
    expect(await verifyLines(other)).toEqual([expect.stringMatching(/^Intact: /)]);
    // The folder read is left as it was.
    expect(readFileSync(join(out, copy))).toEqual(substitute);
  });
});
