/**
 * The backup keybag (Manifest.plist `BackupKeyBag`): a TLV list (4-byte ASCII tag, 4-byte big-endian length,
 * value). Header tags (VERS, TYPE, UUID, HMCK, WRAP, SALT, ITER, DPWT, DPIC, DPSL) come first; each later UUID
 * starts a class key (CLAS, WRAP, KTYP, WPKY).
 *
 *   const keybag = parseKeybag(bytes);
 *   const passcodeKey = await derivePasscodeKey(keybag, password);   // slow by design
 *   const classKeys = unlockClassKeys(keybag, passcodeKey);           // undefined: wrong password
 */
import { pbkdf2 } from 'node:crypto';
import { promisify } from 'node:util';
import { unwrapKey } from './aes.js';

const pbkdf2Async = promisify(pbkdf2);

/** WRAP flag of a class key protected by the backup password. */
const WRAP_PASSCODE = 2;
const INTEGER_TAGS = new Set(['VERS', 'TYPE', 'WRAP', 'ITER', 'DPWT', 'DPIC', 'CLAS', 'KTYP']);

export interface ClassKey {
  protectionClass: number;
  wrap: number;
  wrappedKey: Buffer;
}

export interface Keybag {
  salt: Buffer;
  iterations: number;
  /** Present since iOS 10.2: an extra PBKDF2-SHA256 round before the SHA1 one. */
  dpSalt?: Buffer;
  dpIterations?: number;
  classKeys: ClassKey[];
}

export class KeybagFormatError extends Error {}

type Fields = Map<string, Buffer | number>;

function readTlv(bytes: Buffer): { tag: string; value: Buffer }[] {
  const items: { tag: string; value: Buffer }[] = [];
  for (let at = 0; at < bytes.length; ) {
    if (at + 8 > bytes.length) throw new KeybagFormatError('keybag ends inside a tag header');
    const tag = bytes.toString('latin1', at, at + 4);
    const length = bytes.readUInt32BE(at + 4);
    if (at + 8 + length > bytes.length) throw new KeybagFormatError(`keybag tag ${tag} runs past the end`);
    items.push({ tag, value: bytes.subarray(at + 8, at + 8 + length) });
    at += 8 + length;
  }
  return items;
}

export function parseKeybag(bytes: Buffer): Keybag {
  const header: Fields = new Map();
  const classes: Fields[] = [];
  for (const { tag, value } of readTlv(bytes)) {
    const field = INTEGER_TAGS.has(tag) && value.length === 4 ? value.readUInt32BE(0) : value;
    if (tag === 'UUID' && header.has('UUID')) classes.push(new Map());
    (classes.at(-1) ?? header).set(tag, field);
  }
  const salt = header.get('SALT');
  const iterations = header.get('ITER');
  if (!Buffer.isBuffer(salt) || typeof iterations !== 'number') throw new KeybagFormatError('keybag has no SALT/ITER');
  const dpSalt = header.get('DPSL');
  const dpIterations = header.get('DPIC');
  return {
    salt,
    iterations,
    dpSalt: Buffer.isBuffer(dpSalt) ? dpSalt : undefined,
    dpIterations: typeof dpIterations === 'number' ? dpIterations : undefined,
    classKeys: classes.flatMap((fields) => {
      const protectionClass = fields.get('CLAS');
      const wrap = fields.get('WRAP');
      const wrappedKey = fields.get('WPKY');
      if (typeof protectionClass !== 'number' || typeof wrap !== 'number' || !Buffer.isBuffer(wrappedKey)) return [];
      return [{ protectionClass, wrap, wrappedKey }];
    }),
  };
}

/** PBKDF2-HMAC-SHA1(PBKDF2-HMAC-SHA256(password, DPSL, DPIC, 32), SALT, ITER, 32); async so a spinner can run. */
export async function derivePasscodeKey(keybag: Keybag, password: string): Promise<Buffer> {
  let secret: Buffer = Buffer.from(password, 'utf8');
  if (keybag.dpSalt && keybag.dpIterations) {
    secret = await pbkdf2Async(secret, keybag.dpSalt, keybag.dpIterations, 32, 'sha256');
  }
  return pbkdf2Async(secret, keybag.salt, keybag.iterations, 32, 'sha1');
}

/** Class keys by protection class, or undefined when the passcode key does not open them (wrong password). */
export function unlockClassKeys(keybag: Keybag, passcodeKey: Buffer): Map<number, Buffer> | undefined {
  const keys = new Map<number, Buffer>();
  for (const classKey of keybag.classKeys) {
    if (!(classKey.wrap & WRAP_PASSCODE)) continue;
    const key = unwrapKey(passcodeKey, classKey.wrappedKey);
    if (!key) return undefined;
    keys.set(classKey.protectionClass, key);
  }
  return keys.size > 0 ? keys : undefined;
}
