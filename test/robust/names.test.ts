// Issue #10 item 9 and file-name safety: names are cut by bytes (the file system's 255-byte limit),
// and control and bidi-override characters never reach a file name.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../support/cli.js';
import { addAttachment, expectNoPartials, filesBelow, makeBase, spoiledCopy } from './support.js';

const EMOJI = '👨‍👩‍👧‍👦';

describe('long and hostile names', () => {
  const dir = tempDir('names');
  let db = '';

  beforeAll(async () => {
    const base = await makeBase(dir);
    db = spoiledCopy(base, dir, 'names', (d) => {
      const groups = d.prepare('SELECT ROWID FROM chat WHERE style = 43 ORDER BY ROWID').pluck().all() as number[];
      expect(groups.length).toBeGreaterThanOrEqual(2);
      const titles = ['😀'.repeat(300), '한국어 대화방 이름 '.repeat(40), `Evil\u202Etxt.exe\u0007\u001b[2J`];
      titles.forEach((title, i) => d.prepare('UPDATE chat SET display_name = ? WHERE ROWID = ?').run(title, groups[i % groups.length]));
      // A second group of the same long name: the " (2)" suffix must fit too.
      if (groups.length > 3) d.prepare('UPDATE chat SET display_name = ? WHERE ROWID = ?').run(titles[0], groups[3]);
      addAttachment(d, { filename: `~/Library/Messages/Attachments/${'x'.repeat(10)}/a.jpg`, transfer_name: `${EMOJI.repeat(100)}.jpg`, mime_type: 'image/jpeg' });
      addAttachment(d, { filename: null, transfer_name: `${'😀'.repeat(100)}\u202Egnp.exe`, mime_type: 'application/octet-stream' });
    });
  });

  const componentsOk = (out: string) => {
    for (const file of filesBelow(out)) {
      for (const component of file.split('/')) {
        expect(Buffer.byteLength(component), component).toBeLessThanOrEqual(255);
        expect(component).not.toMatch(/[\u0000-\u001f\u007f\u202a-\u202e\u2066-\u2069]/);
      }
    }
  };

  for (const format of ['txt', 'html', 'pdf']) {
    it(`${format}: every name fits in 255 bytes, none keeps a control or bidi character`, async () => {
      const out = join(dir, `out-${format}`);
      const result = await runCli(['export', '--db', db, '--out', out, '--format', format]);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).not.toMatch(/ENAMETOOLONG|\n\s+at /);
      componentsOk(out);
      expectNoPartials(out);
    });
  }

  it('txt: the long titles are cut between whole characters, and the file shows the whole title', async () => {
    const out = join(dir, 'out-txt');
    const names = filesBelow(out).filter((f) => f.endsWith('.txt'));
    const emoji = names.filter((f) => f.startsWith('😀'));
    expect(emoji.length).toBeGreaterThanOrEqual(1);
    for (const name of emoji) expect(name).toMatch(/^(😀)+( \(\d+\))?\.txt$/);
    expect(names.some((f) => f.startsWith('한국어 대화방 이름'))).toBe(true);
    const evil = names.find((f) => f.startsWith('Evil'))!;
    expect(evil).toBe('Eviltxt.exe_[2J.txt');
    expect(readFileSync(join(out, names.find((f) => f.startsWith('😀'))!), 'utf8')).toContain(`Conversation: ${'😀'.repeat(300)}`);
  });
});
