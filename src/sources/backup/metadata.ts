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
  /** Status.plist's SnapshotState: "finished" when the backup completed; undefined when it does not say. */
  snapshotState?: string;
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

export function readBackupMetadata(backupDir: string): BackupMetadata {
  const manifest = readDict(path.join(backupDir, 'Manifest.plist')) ?? {};
  const info = readDict(path.join(backupDir, 'Info.plist')) ?? {};
  const status = readDict(path.join(backupDir, 'Status.plist')) ?? {};
  const lockdown = isDict(manifest.Lockdown) ? manifest.Lockdown : {};
  const backupDate = info['Last Backup Date'] ?? manifest.Date;
  return {
    info: {
      deviceName: text(info['Device Name']) ?? text(lockdown.DeviceName),
      productVersion: text(info['Product Version']) ?? text(lockdown.ProductVersion),
      lastBackupDate: backupDate instanceof Date ? backupDate : undefined,
      encrypted: manifest.IsEncrypted === true,
      udid: text(info['Unique Identifier']) ?? text(lockdown.UniqueDeviceID),
      snapshotState: text(status.SnapshotState),
    },
    keybag: asBuffer(manifest.BackupKeyBag),
    manifestKey: asBuffer(manifest.ManifestKey),
  };
}
