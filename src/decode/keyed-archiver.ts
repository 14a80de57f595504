// NSKeyedArchiver property lists (payload_data and similar): UID references resolved into plain
// JS values (fixtures SCHEMA.md §4.2).
//
//   NSDictionary → plain object (string keys) · NSArray / NSSet → array · NSString → string
//   NSURL → string (relative URL, resolved against its base when there is one) · NSDate → Date
//   NSData → Uint8Array · NSUUID → string · $null → null
//   any other class → plain object of its resolved fields plus `$class` (its class name)

import { DecodeError } from './errors.js';
import { isPlistDict, parsePlist } from './plist.js';

export interface ArchivedInstance {
  $class: string;
  [field: string]: unknown;
}

const APPLE_EPOCH_MS = Date.UTC(2001, 0, 1);
const MAX_DEPTH = 500;

/** Decodes an NSKeyedArchiver plist (bytes or already parsed) to its root value; throws DecodeError. */
export function unarchive(archive: unknown): unknown {
  const parsed = archive instanceof Uint8Array ? parsePlist(archive) : archive;
  if (!isPlistDict(parsed) || !Array.isArray(parsed.$objects) || !isPlistDict(parsed.$top)) {
    throw new DecodeError('not an NSKeyedArchiver archive');
  }
  const top = parsed.$top;
  const rootRef = 'root' in top ? top.root : Object.values(top)[0];
  return new Unarchiver(parsed.$objects).resolve(rootRef, 0);
}

/** The class name of an unarchived custom object, if it is one. */
export function archivedClass(value: unknown): string | undefined {
  return isPlistDict(value) && typeof value.$class === 'string' ? value.$class : undefined;
}

/** A UID as the plist package gives it: `{UID: n}` from binary plists, `{'CF$UID': n}` from XML ones. */
function uidOf(value: unknown): number | undefined {
  if (!isPlistDict(value)) return undefined;
  const keys = Object.keys(value);
  if (keys.length !== 1) return undefined;
  const uid = value.UID ?? value['CF$UID'];
  return typeof uid === 'number' ? uid : undefined;
}

class Unarchiver {
  private readonly resolved = new Map<number, unknown>();

  constructor(private readonly objects: unknown[]) {}

  /** Resolves a UID reference (or an inline value) to a plain value. */
  resolve(reference: unknown, depth: number): unknown {
    const uid = uidOf(reference);
    if (uid === undefined) return this.inline(reference, depth);
    if (this.resolved.has(uid)) return this.resolved.get(uid);
    if (uid < 0 || uid >= this.objects.length) throw new DecodeError(`NSKeyedArchiver reference ${uid} outside $objects`);
    if (depth > MAX_DEPTH) throw new DecodeError('NSKeyedArchiver objects nested too deeply');
    const object = this.objects[uid];
    if (object === '$null') return null;
    if (!isPlistDict(object) || uidOf(object.$class) === undefined) {
      const value = this.inline(object, depth);
      this.resolved.set(uid, value);
      return value;
    }
    return this.instance(uid, object, depth);
  }

  private inline(value: unknown, depth: number): unknown {
    if (Array.isArray(value)) return value.map((item) => this.resolve(item, depth + 1));
    return value;
  }

  private classNames(object: Record<string, unknown>): string[] {
    const cls = this.objects[uidOf(object.$class)!];
    if (!isPlistDict(cls) || typeof cls.$classname !== 'string') throw new DecodeError('NSKeyedArchiver object with a malformed $class');
    return Array.isArray(cls.$classes) ? cls.$classes.filter((name) => typeof name === 'string') : [cls.$classname];
  }

  // Containers are registered before their contents are resolved, so cyclic archives terminate.
  private instance(uid: number, object: Record<string, unknown>, depth: number): unknown {
    const classes = this.classNames(object);
    const next = depth + 1;
    if (classes.includes('NSDictionary')) {
      const keys = object['NS.keys'];
      const values = object['NS.objects'];
      if (!Array.isArray(keys) || !Array.isArray(values) || keys.length !== values.length) throw new DecodeError('malformed archived NSDictionary');
      const dict: Record<string, unknown> = {};
      this.resolved.set(uid, dict);
      keys.forEach((key, i) => setField(dict, String(this.resolve(key, next)), this.resolve(values[i], next)));
      return dict;
    }
    if (classes.includes('NSArray') || classes.includes('NSSet') || classes.includes('NSOrderedSet')) {
      const items = object['NS.objects'];
      if (!Array.isArray(items)) throw new DecodeError('malformed archived collection');
      const array: unknown[] = [];
      this.resolved.set(uid, array);
      for (const item of items) array.push(this.resolve(item, next));
      return array;
    }
    const value = this.simpleInstance(classes, object, next) ?? this.customInstance(uid, classes[0], object, next);
    this.resolved.set(uid, value);
    return value;
  }

  private simpleInstance(classes: string[], object: Record<string, unknown>, depth: number): unknown {
    if (classes.includes('NSString')) return this.resolve(object['NS.string'], depth);
    if (classes.includes('NSURL')) return this.url(object, depth);
    if (classes.includes('NSDate')) {
      const time = object['NS.time'];
      if (typeof time !== 'number' || !(Math.abs(time) < 1e10)) throw new DecodeError('malformed archived NSDate');
      return new Date(APPLE_EPOCH_MS + time * 1000);
    }
    if (classes.includes('NSData')) {
      const data = this.resolve(object['NS.data'], depth);
      if (!(data instanceof Uint8Array)) throw new DecodeError('malformed archived NSData');
      return data;
    }
    if (classes.includes('NSUUID')) {
      const bytes = object['NS.uuidbytes'];
      if (!(bytes instanceof Uint8Array)) throw new DecodeError('malformed archived NSUUID');
      return formatUuid(bytes);
    }
    return undefined;
  }

  private url(object: Record<string, unknown>, depth: number): string {
    const relative = this.resolve(object['NS.relative'], depth);
    const base = this.resolve(object['NS.base'], depth);
    if (typeof relative !== 'string') throw new DecodeError('malformed archived NSURL');
    if (typeof base !== 'string') return relative;
    try {
      return new URL(relative, base).href;
    } catch {
      return relative;
    }
  }

  private customInstance(uid: number, className: string, object: Record<string, unknown>, depth: number): ArchivedInstance {
    const instance: ArchivedInstance = { $class: className };
    this.resolved.set(uid, instance);
    for (const [key, value] of Object.entries(object)) {
      if (key !== '$class') setField(instance, key, this.resolve(value, depth));
    }
    return instance;
  }
}

/** Sets an own property even for keys like "__proto__", which plain assignment would treat specially. */
function setField(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function formatUuid(bytes: Uint8Array): string {
  const hex = Buffer.from(bytes).toString('hex').toUpperCase();
  if (bytes.length !== 16) return hex;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
