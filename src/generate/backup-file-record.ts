/**
 * Writes the `Files.file` blob of a generated backup: an NSKeyedArchiver binary plist whose root is an MBFile,
 * with `EncryptionKey` as an NSMutableData object (4-byte little-endian class, then the wrapped key) when the
 * backup is encrypted. src/sources/backup/file-record.ts reads it back.
 */
import * as plist from 'plist';

export interface FileRecordFields {
  relativePath: string;
  size: number;
  mode: number;
  lastModified: Date;
  protectionClass: number;
  /** Class-prefixed wrapped key, encrypted backups only. */
  encryptionKey?: Buffer;
}

const uid = (index: number) => ({ UID: index });

export function encodeFileRecord(fields: FileRecordFields): Buffer {
  const seconds = Math.floor(fields.lastModified.getTime() / 1000);
  // $objects: 0 $null, 1 MBFile, 2 its class, 3 relative path, then the key data and its class.
  const objects: plist.PlistValue[] = ['$null'];
  const root: Record<string, plist.PlistValue> = {
    $class: uid(2),
    RelativePath: uid(3),
    Size: fields.size,
    Mode: fields.mode,
    Flags: 0,
    ProtectionClass: fields.protectionClass,
    LastModified: seconds,
    LastStatusChange: seconds,
    Birth: seconds,
    UserID: 501,
    GroupID: 501,
    InodeNumber: 0,
  };
  objects.push(root, { $classname: 'MBFile', $classes: ['MBFile', 'NSObject'] }, fields.relativePath);
  if (fields.encryptionKey) {
    root.EncryptionKey = uid(4);
    objects.push(
      { 'NS.data': fields.encryptionKey, $class: uid(5) },
      { $classname: 'NSMutableData', $classes: ['NSMutableData', 'NSData', 'NSObject'] },
    );
  }
  const archive = { $version: 100000, $archiver: 'NSKeyedArchiver', $top: { root: uid(1) }, $objects: objects };
  return Buffer.from(plist.buildBinary(archive));
}
