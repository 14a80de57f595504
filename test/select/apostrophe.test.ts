import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTinyChatDb } from '../sources/tiny-chat-db.js';
import { runCli, tempDir } from '../support/cli.js';

describe('--chat by a name with an apostrophe', () => {
  it('finds it whichever apostrophe the contact card and the command line have (O’Brien, O\'Brien)', async () => {
    const dir = tempDir('select-apostrophe');
    const { chatDb } = makeTinyChatDb(dir);
    for (const [card, typed] of [['Zoë O’Brien', "zoe o'brien"], ["Zoë O'Brien", 'Zoe O’Brien']]) {
      const vcf = join(dir, 'people.vcf');
      writeFileSync(vcf, `BEGIN:VCARD\r\nVERSION:3.0\r\nFN:${card}\r\nTEL:(555) 555-0123\r\nEND:VCARD\r\n`);
      const result = await runCli(['list', '--db', chatDb, '--contacts', vcf, '--json', '--exact', '--chat', typed]);
      expect(result.stderr).toBe(`selected “${card}” (SMS;-;+15555550123): ${card} (+15555550123) takes part\n`);
      expect(result.code).toBe(0);
    }
  });
});
