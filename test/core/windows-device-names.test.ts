// Windows takes CON, NUL, AUX, COM1 … for devices also when a dot follows (NUL.tar.gz, "Con. Ed.pdf"):
// a conversation or attachment of such a name was written to the device, or could not be written at all.
import { describe, expect, it } from 'vitest';
import { safeFileName } from '../../src/media/safe-names.js';
import { safeStem } from '../../src/output/files.js';

describe('names Windows keeps for devices', () => {
  it('are never given to a conversation’s files', () => {
    for (const [title, stem] of [['CON', '_CON'], ['Con. Ed', '_Con. Ed'], ['aux .notes', '_aux .notes'], ['com¹', '_com¹'], ['CONOUT$', '_CONOUT$'], ['Nul.', '_Nul']]) {
      expect(safeStem(title), title).toBe(stem);
    }
  });

  it('are never given to an attachment’s copy', () => {
    expect(safeFileName('nul.tar.gz')).toBe('_nul.tar.gz');
    expect(safeFileName('LPT1.jpg')).toBe('_LPT1.jpg');
  });

  it('leave other names as they are', () => {
    for (const title of ['Con Ed', 'Console', 'Auxiliary.notes', 'Company', 'com10']) expect(safeStem(title)).toBe(title);
    expect(safeFileName('contract.pdf')).toBe('contract.pdf');
  });
});
