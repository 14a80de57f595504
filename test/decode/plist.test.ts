// Property-list parsing: binary and XML from bytes, and hostile binary object graphs.
import * as plist from 'plist';
import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../src/decode/errors.js';
import { unarchive } from '../../src/decode/keyed-archiver.js';
import { parsePlist } from '../../src/decode/plist.js';

/** A bplist whose `levels` arrays each hold two references to the next (or, with `cycle`, to themselves). */
function nestedArrays(levels: number, cycle = false): Buffer {
  const objects = Array.from({ length: levels }, (_, i) => Buffer.from([0xa2, cycle ? i : i + 1, cycle ? i : i + 1]));
  objects.push(Buffer.from([0x10, 0x01]));
  const offsets: number[] = [];
  let at = 8;
  for (const object of objects) {
    offsets.push(at);
    at += object.length;
  }
  const table = Buffer.alloc(offsets.length * 2);
  offsets.forEach((offset, i) => table.writeUInt16BE(offset, i * 2));
  const trailer = Buffer.alloc(32);
  trailer[6] = 2;
  trailer[7] = 1;
  trailer.writeBigUInt64BE(BigInt(offsets.length), 8);
  trailer.writeBigUInt64BE(BigInt(at), 24);
  return Buffer.concat([Buffer.from('bplist00'), ...objects, table, trailer]);
}

describe('property lists', () => {
  it('reads binary and XML plists given as bytes', () => {
    const value = { a: [1, 2, 'three'], b: true, c: { d: 'e' } };
    expect(parsePlist(Buffer.from(plist.buildBinary(value)))).toEqual(value);
    expect(parsePlist(Buffer.from(plist.build(value)))).toEqual(value);
  });

  it('reads a small nested graph', () => {
    expect(parsePlist(nestedArrays(3))).toEqual([[[1, 1], [1, 1]], [[1, 1], [1, 1]]]);
  });

  it('rejects reference bombs and cycles quickly instead of hanging', () => {
    expect(() => parsePlist(nestedArrays(40))).toThrow(/too many objects/);
    expect(() => parsePlist(nestedArrays(2, true))).toThrow(/cycle/);
  });

  it('rejects garbage, truncated trailers and non-plists', () => {
    expect(() => parsePlist(Buffer.from('bplist00'))).toThrow(DecodeError);
    expect(() => parsePlist(Buffer.from('hello'))).toThrow(DecodeError);
    const good = Buffer.from(plist.buildBinary({ a: 1 }));
    for (let length = 0; length < good.length; length++) expect(() => parsePlist(good.subarray(0, length))).toThrow(DecodeError);
  });
});

describe('NSKeyedArchiver', () => {
  const archive = (objects: unknown[]) => ({ $archiver: 'NSKeyedArchiver', $version: 100000, $top: { root: { UID: 1 } }, $objects: objects });

  it('resolves dictionaries, arrays, URLs, dates, data and UUIDs', () => {
    const objects = [
      '$null',
      { 'NS.keys': [{ UID: 2 }, { UID: 3 }, { UID: 4 }, { UID: 5 }], 'NS.objects': [{ UID: 6 }, { UID: 9 }, { UID: 11 }, { UID: 13 }], $class: { UID: 15 } },
      'list', 'link', 'when', 'id',
      { 'NS.objects': [{ UID: 7 }, { UID: 0 }], $class: { UID: 8 } },
      'item',
      { $classname: 'NSMutableArray', $classes: ['NSMutableArray', 'NSArray', 'NSObject'] },
      { 'NS.base': { UID: 0 }, 'NS.relative': { UID: 10 }, $class: { UID: 16 } },
      'https://example.com/',
      { 'NS.time': 1.5, $class: { UID: 12 } },
      { $classname: 'NSDate', $classes: ['NSDate', 'NSObject'] },
      { 'NS.uuidbytes': new Uint8Array(16).fill(0xab), $class: { UID: 14 } },
      { $classname: 'NSUUID', $classes: ['NSUUID', 'NSObject'] },
      { $classname: 'NSDictionary', $classes: ['NSDictionary', 'NSObject'] },
      { $classname: 'NSURL', $classes: ['NSURL', 'NSObject'] },
    ];
    expect(unarchive(archive(objects))).toEqual({
      list: ['item', null],
      link: 'https://example.com/',
      when: new Date(Date.UTC(2001, 0, 1) + 1500),
      id: 'ABABABAB-ABAB-ABAB-ABAB-ABABABABABAB',
    });
  });

  it('accepts XML-style UIDs and keeps custom classes as plain objects', () => {
    const objects = ['$null', { title: { 'CF$UID': 2 }, $class: { 'CF$UID': 3 } }, 'Hello', { $classname: 'RichLink' }];
    expect(unarchive({ ...archive(objects), $top: { root: { 'CF$UID': 1 } } })).toEqual({ $class: 'RichLink', title: 'Hello' });
  });

  it('terminates on cyclic archives and rejects dangling references', () => {
    const cyclic = ['$null', { self: { UID: 1 }, $class: { UID: 2 } }, { $classname: 'Node' }];
    const node = unarchive(archive(cyclic)) as { self: unknown };
    expect(node.self).toBe(node);
    expect(() => unarchive(archive(['$null', { x: { UID: 99 }, $class: { UID: 2 } }, { $classname: 'Node' }]))).toThrow(DecodeError);
    expect(() => unarchive({ not: 'an archive' })).toThrow(DecodeError);
  });
});
