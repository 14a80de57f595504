import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { GuidFingerprints } from '../../src/store/guid-fingerprints.js';

describe('GUID fingerprints', () => {
  it('knows every GUID added, through the table growing, and none other', () => {
    const set = new GuidFingerprints();
    const added = Array.from({ length: 100_000 }, () => randomUUID().toUpperCase());
    for (const guid of added) set.add(guid);
    set.add(added[0]!);
    expect(added.every((guid) => set.has(guid))).toBe(true);
    const others = Array.from({ length: 100_000 }, () => randomUUID().toUpperCase());
    expect(others.filter((guid) => set.has(guid))).toEqual([]);
    expect(set.has('p:0/' + added[1])).toBe(false);
  });
});
