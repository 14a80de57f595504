import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTinyChatDb } from '../sources/tiny-chat-db.js';
import { runCli, tempDir } from '../support/cli.js';

describe('--chat by a name holding invisible direction marks', () => {
  it('finds a contact whose card puts LRM, RLM or isolates in the name (as phones in Hebrew and Arabic do)', async () => {
    const dir = tempDir('select-marks');
    const { chatDb } = makeTinyChatDb(dir);
    for (const [card, typed] of [['Dana\u200e Levi', 'Dana Levi'], ['\u200fנועה לוי', 'נועה לוי'], ['\u2067Omar\u2069', 'omar'], ['خانه\u200cی ما', 'خانهی ما']]) {
      const vcf = join(dir, 'people.vcf');
      writeFileSync(vcf, `BEGIN:VCARD\r\nVERSION:3.0\r\nFN:${card}\r\nTEL:(555) 555-0123\r\nEND:VCARD\r\n`);
      const result = await runCli(['list', '--db', chatDb, '--contacts', vcf, '--json', '--exact', '--chat', typed]);
      expect(result.stderr, card).toMatch(/^selected “.*” \(SMS;-;\+15555550123\)/);
      expect(result.code).toBe(0);
    }
  });
});
