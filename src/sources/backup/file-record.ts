/**
 * The `Files.file` column of Manifest.db: an NSKeyedArchiver binary plist whose root object is an MBFile.
 * In encrypted backups it carries `EncryptionKey` (4-byte little-endian protection class, then the wrapped
 * file key), either as raw data or as an NSData object ({ "NS.data": … }), and `ProtectionClass`.
 */
import { asBuffer, isDict, parsePlistBytes, type PlistDict, type PlistValue } from './plist-bytes.js';

export interface FileRecord {
  size?: number;
  protectionClass?: number;
  /** The wrapped key, without its class prefix. */
  wrappedKey?: Buffer;
  /** The class named by the key's 4-byte prefix. */
  keyClass?: number;
}

function resolve(objects: PlistValue[], ref: PlistValue | undefined): PlistValue | undefined {
  return isDict(ref) && typeof ref.UID === 'number' ? objects[ref.UID] : ref;
}

export function decodeFileRecord(blob: Buffer): FileRecord {
  const archive = parsePlistBytes(blob);
  if (!isDict(archive) || !Array.isArray(archive.$objects) || !isDict(archive.$top)) {
    throw new Error('not a keyed archive');
  }
  const objects = archive.$objects as PlistValue[];
  const root = resolve(objects, archive.$top.root);
  if (!isDict(root)) throw new Error('keyed archive has no root object');
  const record: FileRecord = {};
  const size = resolve(objects, root.Size);
  if (typeof size === 'number') record.size = size;
  const protectionClass = resolve(objects, root.ProtectionClass);
  if (typeof protectionClass === 'number') record.protectionClass = protectionClass;
  const keyObject = resolve(objects, root.EncryptionKey);
  const keyBytes = asBuffer(isDict(keyObject) ? (keyObject as PlistDict)['NS.data'] : keyObject);
  if (keyBytes && keyBytes.length > 4) {
    record.keyClass = keyBytes.readUInt32LE(0);
    record.wrappedKey = keyBytes.subarray(4);
  }
  return record;
}
