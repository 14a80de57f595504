import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runGenerator, tempDir } from '../support/cli.js';

describe('the generator on the command line', () => {
  it('--help names everything --out gets', async () => {
    const out = tempDir('generate-help');
    const made = await runGenerator(['--messages', '30', '--seed', '2', '--out', out]);
    expect(made.code, made.stderr).toBe(0);
    const help = await runGenerator(['--help']);
    expect(help.code, help.stderr).toBe(0);
    const outOption = /--out <dir>([\s\S]*?)\n\s+--/.exec(help.stdout)![1]!.replace(/\s+/g, ' ');
    const written = readdirSync(out).filter((name) => !name.startsWith('.'));
    expect(written.length).toBeGreaterThan(0);
    expect(written.filter((name) => !outOption.includes(name))).toEqual([]);
  });

  it('--single-conversation writes a card for its one person (a file of no cards named no one)', async () => {
    const out = tempDir('generate-single');
    const made = await runGenerator(['--messages', '300', '--seed', '4', '--single-conversation', '--out', out]);
    expect(made.code, made.stderr).toBe(0);
    expect(readFileSync(join(out, 'contacts.vcf'), 'utf8')).toContain('FN:Mom');
  });
});
