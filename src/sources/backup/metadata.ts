/**
 * The property lists at the top of a backup folder:
 * - Info.plist: "Device Name", "Product Version", "Last Backup Date", "Unique Identifier";
 * - Manifest.plist: "IsEncrypted", "BackupKeyBag", "ManifestKey", and a "Lockdown" dictionary
 *   (DeviceName, ProductVersion, UniqueDeviceID) used when Info.plist lacks a field;
 * - Status.plist: "SnapshotState", "finished" once the backup completed.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { asBuffer, isDict, parsePlistBytes, type PlistDict } from './plist-bytes.js';

export interface BackupInfo {
  deviceName?: string;
  productVersion?: string;
  lastBackupDate?: Date;
  encrypted: boolean;
  udid?: string;
  /**
   * Why the backup may not have finished: its Status.plist's SnapshotState is not "finished", or the file
   * cannot be read. Undefined when it finished or does not say.
   */
  unfinished?: string;
}

export interface BackupMetadata {
  info: BackupInfo;
  /** Encrypted backups only. */
  keybag?: Buffer;
  manifestKey?: Buffer;
}

export class MetadataError extends Error {}

function readDict(file: string): PlistDict | undefined {
  if (!existsSync(file)) return undefined;
  let value;
  try {
    value = parsePlistBytes(readFileSync(file));
  } catch (error) {
    throw new MetadataError(`${path.basename(file)} cannot be read (${(error as Error).message})`);
  }
  if (!isDict(value)) throw new MetadataError(`${path.basename(file)} is not a property-list dictionary`);
  return value;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/** Status.plist only says how the backup went: one that cannot be read does not stop it being read. */
function unfinished(backupDir: string): string | undefined {
  let state: string | undefined;
  try {
    state = text(readDict(path.join(backupDir, 'Status.plist'))?.SnapshotState);
  } catch (error) {
    return (error as Error).message;
  }
  return state === undefined || state === 'finished' ? undefined : `its Status.plist says “${state}”`;
}

export function readBackupMetadata(backupDir: string): BackupMetadata {
  const manifest = readDict(path.join(backupDir, 'Manifest.plist')) ?? {};
  const info = readDict(path.join(backupDir, 'Info.plist')) ?? {};
  const lockdown = isDict(manifest.Lockdown) ? manifest.Lockdown : {};
  const backupDate = info['Last Backup Date'] ?? manifest.Date;
  return {
    info: {
      deviceName: text(info['Device Name']) ?? text(lockdown.DeviceName),
      productVersion: text(info['Product Version']) ?? text(lockdown.ProductVersion),
      lastBackupDate: backupDate instanceof Date ? backupDate : undefined,
      encrypted: manifest.IsEncrypted === true,
      udid: text(info['Unique Identifier']) ?? text(lockdown.UniqueDeviceID),
      unfinished: unfinished(backupDir),
    },
    keybag: asBuffer(manifest.BackupKeyBag),
    manifestKey: asBuffer(manifest.ManifestKey),
  };
}
