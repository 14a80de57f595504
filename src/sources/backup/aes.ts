/**
 * The two ciphers of encrypted iPhone backups, on Node's crypto:
 * - AES key wrap (RFC 3394) for class keys and per-file keys: wrapKey / unwrapKey;
 * - AES-256-CBC with a zero IV and PKCS7 padding for Manifest.db and every file: encryptCbc (used by the
 *   sample-data generator), decryptFile (streaming, async) and decryptFileSync (streaming, for lazy attachments).
 * Decryption strips the padding only when it is well-formed, so unpadded ciphertext still decrypts.
 */
import { closeSync, createReadStream, createWriteStream, openSync, readSync, writeSync } from 'node:fs';
import { createCipheriv, createDecipheriv, type Decipher } from 'node:crypto';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

const WRAP_IV = Buffer.alloc(8, 0xa6);
const ZERO_IV = Buffer.alloc(16, 0);
const BLOCK = 16;

export function wrapKey(kek: Buffer, key: Buffer): Buffer {
  const cipher = createCipheriv('id-aes256-wrap', kek, WRAP_IV);
  return Buffer.concat([cipher.update(key), cipher.final()]);
}

/** Undefined when the integrity check fails, i.e. the wrapping key is wrong. */
export function unwrapKey(kek: Buffer, wrapped: Buffer): Buffer | undefined {
  try {
    const decipher = createDecipheriv('id-aes256-wrap', kek, WRAP_IV);
    return Buffer.concat([decipher.update(wrapped), decipher.final()]);
  } catch {
    return undefined;
  }
}

export function encryptCbc(key: Buffer, plain: Buffer): Buffer {
  const cipher = createCipheriv('aes-256-cbc', key, ZERO_IV);
  return Buffer.concat([cipher.update(plain), cipher.final()]);
}

/** CBC decryption that holds back the last block until the end, to strip PKCS7 padding if present. */
class CbcDecryptor {
  private readonly decipher: Decipher;
  private pending = Buffer.alloc(0);

  constructor(key: Buffer) {
    this.decipher = createDecipheriv('aes-256-cbc', key, ZERO_IV).setAutoPadding(false);
  }

  update(chunk: Buffer): Buffer {
    const plain = Buffer.concat([this.pending, this.decipher.update(chunk)]);
    const keep = Math.min(BLOCK, plain.length);
    this.pending = plain.subarray(plain.length - keep);
    return plain.subarray(0, plain.length - keep);
  }

  final(): Buffer {
    const last = Buffer.concat([this.pending, this.decipher.final()]);
    const pad = last.length > 0 ? last[last.length - 1] : 0;
    const padded = pad >= 1 && pad <= BLOCK && pad <= last.length && last.subarray(last.length - pad).every((b) => b === pad);
    return padded ? last.subarray(0, last.length - pad) : last;
  }
}

export async function decryptFile(key: Buffer, from: string, to: string): Promise<void> {
  const decryptor = new CbcDecryptor(key);
  const transform = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      done(null, decryptor.update(chunk));
    },
    flush(done) {
      done(null, decryptor.final());
    },
  });
  await pipeline(createReadStream(from), transform, createWriteStream(to, { mode: 0o600 }));
}

/** Read buffer shared by synchronous decryptions (they cannot overlap). */
const syncChunk = Buffer.allocUnsafe(1 << 20);

export function decryptFileSync(key: Buffer, from: string, to: string): void {
  const decryptor = new CbcDecryptor(key);
  const input = openSync(from, 'r');
  const output = openSync(to, 'w', 0o600);
  try {
    for (let n; (n = readSync(input, syncChunk)) > 0; ) writeSync(output, decryptor.update(syncChunk.subarray(0, n)));
    writeSync(output, decryptor.final());
  } finally {
    closeSync(input);
    closeSync(output);
  }
}
