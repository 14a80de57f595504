// Windows refuses to open, replace or remove a file another program holds open (a sharing violation, EBUSY):
// that is said in words, and it is about the machine, not about one conversation (it was "skipped the
// conversation …: EBUSY: resource busy or locked", for an attachment it could not read).
import { describe, expect, it } from 'vitest';
import { describeSystemError, endsTheRun, systemReason } from '../../src/errors.js';

describe('a file another program holds open', () => {
  it('is said in words, naming the file', () => {
    const error = Object.assign(new Error("EBUSY: resource busy or locked, open 'C:\\Copy\\Attachments\\ab\\IMG_0001.HEIC'"), {
      code: 'EBUSY',
      syscall: 'open',
      path: 'C:\\Copy\\Attachments\\ab\\IMG_0001.HEIC',
    });
    expect(systemReason(error)).toBe('another program has it open (close it there, then run again)');
    expect(describeSystemError(error)).toBe('C:\\Copy\\Attachments\\ab\\IMG_0001.HEIC: another program has it open (close it there, then run again) (open)');
    expect(endsTheRun(error)).toBe(true);
  });
});

describe("SQLite's errors", () => {
  it('end the run for a failing disk (SQLITE_IOERR and its extended codes), not for a damaged database', () => {
    const sqlite = (code: string) => Object.assign(new Error('disk I/O error'), { code });
    for (const code of ['SQLITE_IOERR', 'SQLITE_IOERR_READ', 'SQLITE_IOERR_SHORT_READ', 'SQLITE_IOERR_FSTAT', 'SQLITE_IOERR_WRITE']) expect(endsTheRun(sqlite(code)), code).toBe(true);
    expect(systemReason(sqlite('SQLITE_IOERR_READ'))).toBe('it could not be read (a failing disk?)');
    expect(systemReason(sqlite('SQLITE_IOERR_FSTAT'))).toBe('an input/output error (a failing disk?)');
    for (const code of ['SQLITE_CORRUPT', 'SQLITE_CORRUPT_INDEX', 'SQLITE_NOTADB', 'SQLITE_IOERRX']) expect(endsTheRun(sqlite(code)), code).toBe(false);
  });
});
