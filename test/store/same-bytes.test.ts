import { copyFileSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../support/cli.js';
import { changedDevice, generateHistory } from './device.js';

interface Sent {
  file: string;
  name: string;
  date: number;
}

let device: string;
let first: Sent;
let second: Sent;

/**
 * Two photos under two names, the second sent later with the very bytes of the first. The second name is a
 * hard link where the file system cannot clone (ext4, tmpfs: as the tests run): one inode.
 */
beforeAll(async () => {
  const history = await generateHistory(240, 307);
  let photos: Sent[] = [];
  device = changedDevice(history, (db) => {
    photos = db.prepare(`SELECT a.filename AS file, a.transfer_name AS name, m.date FROM attachment a
      JOIN message_attachment_join j ON j.attachment_id = a.ROWID JOIN message m ON m.ROWID = j.message_id
      WHERE a.mime_type = 'image/jpeg' ORDER BY m.date`).all() as Sent[];
  });
  [first, second] = [photos[0]!, photos.find((p) => p.name !== photos[0]!.name)!];
  const onDevice = (file: string) => join(device, file.replace(/^~\/Library\/Messages\//, ''));
  copyFileSync(onDevice(first.file), onDevice(second.file));
});

const exportTo = async (out: string, ...extra: string[]) => {
  const result = await runCli(['export', '--db', join(device, 'chat.db'), '--out', out, '--format', 'txt,html', '--quiet', ...extra]);
  expect(result.code, result.stderr).toBe(0);
};

/** The folder of the archive's copies of those bytes, and the names in it. */
function copiesOf(out: string): { folder: string; names: string[] } {
  const transcripts = readdirSync(out).filter((f) => f.endsWith('.txt')).map((f) => readFileSync(join(out, f), 'utf8')).join('\n');
  const folder = new RegExp(`in this archive as (attachments/[0-9a-f]{2}/[0-9a-f]{64})/${first.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\]`).exec(transcripts)![1]!;
  return { folder, names: readdirSync(join(out, folder)).sort() };
}

const appleTime = (date: number) => new Date(Date.UTC(2001, 0, 1) + date / 1e6).toISOString();

describe('the same bytes under two names are kept once in the archive folder', () => {
  it.each([
    ['in one run', (out: string) => exportTo(out)],
    ['the second name in a later run', async (out: string) => {
      await exportTo(out, '--until', appleTime(second.date));
      expect(copiesOf(out).names).toEqual([first.name]);
      await exportTo(out);
    }],
  ])('%s: each name is in the copies’ folder, the second a hard link to the first; verify passes, and a name removed leaves the other', async (_, make) => {
    const out = join(tempDir('same-bytes'), 'archive');
    await make(out);
    const { folder, names } = copiesOf(out);
    expect(names).toEqual([first.name, second.name].sort());
    const [a, b] = names.map((name) => statSync(join(out, folder, name)));
    expect(b!.ino).toBe(a!.ino);
    expect(a!.nlink).toBe(2);
    const page = readdirSync(join(out, 'conversations'), { recursive: true }).map(String).filter((f) => f.endsWith('.html'))
      .map((f) => readFileSync(join(out, 'conversations', f), 'utf8')).join('\n');
    for (const name of names) expect(page).toContain(encodeURI(`${folder}/${name}`));
    expect((await runCli(['verify', out])).stdout).toMatch(/^Intact: /);

    rmSync(join(out, folder, first.name));
    const verify = await runCli(['verify', out]);
    expect(verify.stdout.trim().split('\n')).toEqual([`missing: ${folder}/${first.name}`]);
    expect(readFileSync(join(out, folder, second.name)).length).toBe(a!.size);
  });

  it('a name changed in place changes the other (one file): verify reports both', async () => {
    const out = join(tempDir('same-bytes-changed'), 'archive');
    await exportTo(out);
    const { folder } = copiesOf(out);
    const bytes = readFileSync(join(out, folder, first.name));
    bytes[bytes.length - 1] ^= 1;
    writeFileSync(join(out, folder, first.name), bytes);
    const verify = await runCli(['verify', out]);
    expect(verify.stdout.trim().split('\n').sort()).toEqual([first.name, second.name].sort().map((name) => `altered: ${folder}/${name}`));
  });
});
