/**
 * Keys of a generated encrypted backup: seeded "random" bytes, class keys wrapped with the password-derived
 * key, and the BackupKeyBag TLV that src/sources/backup/keybag.ts parses.
 *
 *   const keys = await makeBackupKeys({ password, seed, dpIterations: 1000, iterations: 10 });
 *   keys.keybag;  keys.classKeys.get(3);  keys.random(32)
 */
import { createHash } from 'node:crypto';
import { derivePasscodeKey, type Keybag } from '../sources/backup/keybag.js';
import { wrapKey } from '../sources/backup/aes.js';

export const PROTECTION_CLASSES = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
/** WRAP value of backup class keys: bit 1 = wrapped with the password-derived key. */
const WRAP_DEVICE_AND_PASSCODE = 3;

export interface BackupKeys {
  keybag: Buffer;
  classKeys: Map<number, Buffer>;
  random(length: number): Buffer;
}

/** Deterministic byte stream from a seed (SHA-256 of seed and counter): test data, not security. */
export function seededBytes(seed: number, label: string): (length: number) => Buffer {
  let counter = 0;
  return (length) => {
    const chunks: Buffer[] = [];
    for (let have = 0; have < length; have += 32) {
      chunks.push(createHash('sha256').update(`${seed}/${label}/${counter++}`).digest());
    }
    return Buffer.concat(chunks).subarray(0, length);
  };
}

function tlv(tag: string, value: Buffer | number): Buffer {
  const data = typeof value === 'number' ? Buffer.alloc(4) : value;
  if (typeof value === 'number') data.writeUInt32BE(value, 0);
  const header = Buffer.alloc(8);
  header.write(tag, 0, 'latin1');
  header.writeUInt32BE(data.length, 4);
  return Buffer.concat([header, data]);
}

export async function makeBackupKeys(opts: {
  password: string;
  seed: number;
  dpIterations: number;
  iterations: number;
}): Promise<BackupKeys> {
  const random = seededBytes(opts.seed, 'backup-keys');
  const salt = random(20);
  const dpSalt = random(20);
  const params: Keybag = { salt, iterations: opts.iterations, dpSalt, dpIterations: opts.dpIterations, classKeys: [] };
  const passcodeKey = await derivePasscodeKey(params, opts.password);
  const classKeys = new Map(PROTECTION_CLASSES.map((protectionClass) => [protectionClass, random(32)]));
  const parts = [
    tlv('VERS', 4),
    tlv('TYPE', 1),
    tlv('UUID', random(16)),
    tlv('HMCK', random(40)),
    tlv('WRAP', 0),
    tlv('SALT', salt),
    tlv('ITER', params.iterations),
    tlv('DPWT', 1),
    tlv('DPIC', opts.dpIterations),
    tlv('DPSL', dpSalt),
  ];
  for (const [protectionClass, key] of classKeys) {
    parts.push(
      tlv('UUID', random(16)),
      tlv('CLAS', protectionClass),
      tlv('WRAP', WRAP_DEVICE_AND_PASSCODE),
      tlv('KTYP', 0),
      tlv('WPKY', wrapKey(passcodeKey, key)),
    );
  }
  return { keybag: Buffer.concat(parts), classKeys, random };
}
