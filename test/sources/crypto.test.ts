import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createCipheriv } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { decryptFile, decryptFileSync, encryptCbc, trimPlaintext, unwrapKey, wrapKey } from '../../src/sources/backup/aes.js';
import { derivePasscodeKey, parseKeybag, unlockClassKeys } from '../../src/sources/backup/keybag.js';
import { decodeFileRecord } from '../../src/sources/backup/file-record.js';
import { attachmentDomainPath } from '../../src/sources/backup/layout.js';
import { makeBackupKeys } from '../../src/generate/backup-keys.js';
import { encodeFileRecord } from '../../src/generate/backup-file-record.js';

const work = mkdtempSync(path.join(tmpdir(), 'tk-crypto-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const hex = (s: string) => Buffer.from(s.replace(/\s/g, ''), 'hex');

describe('AES key wrap', () => {
  it('matches the RFC 3394 test vector (256-bit key with a 256-bit KEK) and rejects a wrong KEK', () => {
    const kek = hex('000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F');
    const key = hex('00112233445566778899AABBCCDDEEFF000102030405060708090A0B0C0D0E0F');
    const wrapped = hex('28C9F404C4B810F4 CBCCB35CFB87F826 3F5786E2D80ED326 CBC7F0E71A99F43B FB988B9B7A02DD21');
    expect(wrapKey(kek, key)).toEqual(wrapped);
    expect(unwrapKey(kek, wrapped)).toEqual(key);
    expect(unwrapKey(Buffer.alloc(32, 7), wrapped)).toBeUndefined();
  });
});

describe('file decryption', () => {
  const key = Buffer.alloc(32, 3);

  it('removes PKCS7 padding, or cuts to the recorded size', async () => {
    for (const length of [0, 1, 15, 16, 17, 100_000]) {
      const plain = Buffer.alloc(length, 0x61);
      const encrypted = path.join(work, `enc-${length}`);
      writeFileSync(encrypted, encryptCbc(key, plain));
      const viaStream = path.join(work, `stream-${length}`);
      await decryptFile(key, encrypted, viaStream);
      trimPlaintext(viaStream);
      expect(readFileSync(viaStream)).toEqual(plain);
      const viaSync = path.join(work, `sync-${length}`);
      decryptFileSync(key, encrypted, viaSync);
      trimPlaintext(viaSync, length);
      expect(readFileSync(viaSync)).toEqual(plain);
    }
  });

  it('keeps unpadded plaintext whole when the size is known, even if it ends like padding', () => {
    const plain = Buffer.concat([Buffer.alloc(31, 0x62), Buffer.from([0x01])]);
    const cipher = createCipheriv('aes-256-cbc', key, Buffer.alloc(16)).setAutoPadding(false);
    const encrypted = path.join(work, 'unpadded');
    writeFileSync(encrypted, Buffer.concat([cipher.update(plain), cipher.final()]));
    const out = path.join(work, 'unpadded-out');
    decryptFileSync(key, encrypted, out);
    trimPlaintext(out, 32);
    expect(readFileSync(out)).toEqual(plain);
  });
});

describe('keybag and file records', () => {
  it('a generated keybag parses, unlocks with its password and not with another', async () => {
    const keys = await makeBackupKeys({ password: 'pw', seed: 4, dpIterations: 50, iterations: 3 });
    const keybag = parseKeybag(keys.keybag);
    expect(keybag).toMatchObject({ iterations: 3, dpIterations: 50 });
    expect(keybag.classKeys.map((k) => k.protectionClass)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(unlockClassKeys(keybag, await derivePasscodeKey(keybag, 'pw'))).toEqual(keys.classKeys);
    expect(unlockClassKeys(keybag, await derivePasscodeKey(keybag, 'pW'))).toBeUndefined();
  });

  it('an MBFile keyed archive gives back its class-prefixed key and size', () => {
    const wrapped = Buffer.alloc(40, 9);
    const prefixed = Buffer.concat([Buffer.from([3, 0, 0, 0]), wrapped]);
    const blob = encodeFileRecord({ relativePath: 'Library/SMS/sms.db', size: 123456, mode: 0o100644, lastModified: new Date(0), protectionClass: 3, encryptionKey: prefixed });
    expect(decodeFileRecord(blob)).toEqual({ size: 123456, protectionClass: 3, keyClass: 3, wrappedKey: wrapped });
    const plain = encodeFileRecord({ relativePath: 'a', size: 1, mode: 0o100644, lastModified: new Date(0), protectionClass: 4 });
    expect(decodeFileRecord(plain)).toEqual({ size: 1, protectionClass: 4 });
  });
});

describe('attachment paths', () => {
  it('maps the phone’s spellings to MediaDomain and nothing else', () => {
    const expected = { domain: 'MediaDomain', relativePath: 'Library/SMS/Attachments/0a/10/X/IMG_1.HEIC' };
    expect(attachmentDomainPath('~/Library/SMS/Attachments/0a/10/X/IMG_1.HEIC')).toEqual(expected);
    expect(attachmentDomainPath('/var/mobile/Library/SMS/Attachments/0a/10/X/IMG_1.HEIC')).toEqual(expected);
    expect(attachmentDomainPath('/private/var/mobile/Library/SMS/Attachments/0a/10/X/IMG_1.HEIC')).toEqual(expected);
    expect(attachmentDomainPath('~/Library/Messages/Attachments/0a/10/X/IMG_1.HEIC')).toBeUndefined();
    expect(attachmentDomainPath('~/Library/SMS/../../etc/passwd')).toBeUndefined();
  });
});
