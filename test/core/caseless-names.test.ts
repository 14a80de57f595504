// Windows and macOS ignore letter case in file names as upper case sees it: ΝΙΚΟΣ and Νικοσ (final ς, and σ)
// are one file there, though lower case keeps them apart. Two conversations so named each had a file of that
// name, and on those disks the one written last replaced the other.
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli, tempDir } from '../support/cli.js';

const card = (name: string, phone: string) => `BEGIN:VCARD\nVERSION:3.0\nFN:${name}\nTEL:${phone}\nEND:VCARD\n`;

describe('two conversations whose names differ only where upper case does not', () => {
  it('get two file names that stay two on a disk ignoring case', async () => {
    const dir = tempDir('caseless');
    const contacts = join(dir, 'contacts.vcf');
    writeFileSync(contacts, card('ΝΙΚΟΣ', '+15555550107') + card('Νικοσ', '+15555550108'));
    const out = join(dir, 'out');
    const run = await runCli(['export', '--db', join(ROOT, 'sample-data', 'chat.db'), '--contacts', contacts, '--out', out, '--format', 'txt', '--quiet']);
    expect(run.code).toBe(0);
    const named = readdirSync(out).filter((name) => name.toUpperCase().startsWith('ΝΙΚΟΣ'));
    expect(named).toHaveLength(2);
    expect(new Set(named.map((name) => name.toUpperCase())).size).toBe(2);
  });
});
