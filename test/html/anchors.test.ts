import { describe, expect, it } from 'vitest';
import { MessageAnchors, messageAnchor } from '../../src/render/html/anchors.js';

const SENT = new Date('2024-03-01T08:00:00.250Z');

/** Two GUIDs whose hashes are alike: found by trying (a 32-bit hash repeats after about 77,000 tries). */
function alikeGuids(): [string, string] {
  const seen = new Map<string, string>();
  for (let i = 0; ; i++) {
    const guid = `GUID-${i}`;
    const anchor = messageAnchor(guid, SENT);
    const earlier = seen.get(anchor);
    if (earlier) return [earlier, guid];
    seen.set(anchor, guid);
  }
}

describe('message anchors', () => {
  it('name the second a message was sent and its GUID, the same whatever its milliseconds', () => {
    expect(messageAnchor('A-GUID', SENT)).toMatch(/^m[0-9a-z]+_[0-9a-z]+$/);
    expect(messageAnchor('A-GUID', SENT)).toBe(messageAnchor('A-GUID', new Date('2024-03-01T08:00:00.000Z')));
    expect(messageAnchor('A-GUID', SENT)).not.toBe(messageAnchor('B-GUID', SENT));
    expect(messageAnchor('A-GUID', SENT)).not.toBe(messageAnchor('A-GUID', new Date('2024-03-01T08:00:01Z')));
  });

  it('tell apart two messages of one second whose GUIDs hash alike, and link a reply to the later one', () => {
    const [first, second] = alikeGuids();
    const anchors = new MessageAnchors();
    expect(anchors.next(first, SENT)).toBe(messageAnchor(first, SENT));
    expect(anchors.next(second, SENT)).toBe(`${messageAnchor(second, SENT)}_2`);
    expect(anchors.of(second, SENT)).toBe(`${messageAnchor(second, SENT)}_2`);
    expect(anchors.of(first, SENT)).toBe(messageAnchor(first, SENT));
    // In another second the two are apart by their second alone.
    const later = new Date(SENT.getTime() + 1000);
    expect(anchors.next(second, later)).toBe(messageAnchor(second, later));
  });
});
