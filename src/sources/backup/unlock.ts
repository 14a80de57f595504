/**
 * Opens the keys of an encrypted backup: asks for the password, derives the passcode key (slow by design;
 * the progress reporter shows a spinner meanwhile), unwraps the class keys and the Manifest.db key.
 *
 *   const { classKeys, manifestKey } = await unlockBackup(backupDir, metadata, askPassword, spinner);
 */
import { unwrapKey } from './aes.js';
import { BackupError } from './backup-error.js';
import { derivePasscodeKey, KeybagFormatError, parseKeybag, unlockClassKeys, type Keybag } from './keybag.js';
import type { BackupMetadata } from './metadata.js';

/** Shown while a slow step runs (key derivation takes seconds by design, decrypting a large sms.db too). */
export interface SlowStepReporter {
  start(label: string): void;
  stop(): void;
}

export interface UnlockedKeys {
  classKeys: Map<number, Buffer>;
  manifestKey: Buffer;
}

export async function unlockBackup(
  backupDir: string,
  metadata: BackupMetadata,
  password: ((tried: number) => Promise<string | undefined>) | undefined,
  progress?: SlowStepReporter,
): Promise<UnlockedKeys> {
  if (!metadata.keybag) throw new BackupError(`The encrypted backup in ${backupDir} has no BackupKeyBag in Manifest.plist`);
  if (!password) throw new BackupError(`The backup in ${backupDir} is encrypted: its password is needed`);
  let keybag: Keybag;
  try {
    keybag = parseKeybag(metadata.keybag);
  } catch (error) {
    if (error instanceof KeybagFormatError) throw new BackupError(`The backup keybag in ${backupDir} is damaged: ${error.message}`);
    throw error;
  }
  const wrong: string[] = [];
  for (let typed = await password(0); typed !== undefined; typed = await password(wrong.length)) {
    const classKeys = await tryPassword(keybag, typed, progress);
    if (classKeys) return { classKeys, manifestKey: unwrapManifestKey(backupDir, metadata, classKeys) };
    wrong.push(typed);
  }
  if (wrong.length === 0) throw new BackupError(`The backup in ${backupDir} is encrypted: its password is needed`);
  throw new BackupError(`Wrong password for the encrypted backup in ${backupDir}${spacesAround(wrong)}`);
}

/** The class keys this password unlocks; undefined when it is not the backup's. */
async function tryPassword(keybag: Keybag, typed: string, progress?: SlowStepReporter): Promise<Map<number, Buffer> | undefined> {
  progress?.start('Unlocking the encrypted backup (this takes a while)');
  let passcodeKey: Buffer;
  try {
    passcodeKey = await derivePasscodeKey(keybag, typed);
  } finally {
    progress?.stop();
  }
  return unlockClassKeys(keybag, passcodeKey);
}

/** A hint when a password given starts or ends with white space (Windows' `echo secret > file` writes "secret "). */
function spacesAround(tried: string[]): string {
  return tried.every((typed) => typed.trim() === typed) ? '' : ' (the password given starts or ends with a space: is that part of it?)';
}

/** ManifestKey: 4-byte little-endian protection class, then the wrapped key of Manifest.db. */
function unwrapManifestKey(backupDir: string, metadata: BackupMetadata, classKeys: Map<number, Buffer>): Buffer {
  const wrapped = metadata.manifestKey;
  if (!wrapped || wrapped.length <= 4) throw new BackupError(`The encrypted backup in ${backupDir} has no ManifestKey in Manifest.plist`);
  const classKey = classKeys.get(wrapped.readUInt32LE(0));
  const key = classKey && unwrapKey(classKey, wrapped.subarray(4));
  if (!key) throw new BackupError(`The ManifestKey of the encrypted backup in ${backupDir} does not unlock (damaged Manifest.plist?)`);
  return key;
}
