/**
 * A message's anchor on its conversation's pages, `m<second>_<hash>`: the second it was sent (UTC, in base 36) and a
 * hash of its GUID, which tells apart the messages of one second. A ROWID is no anchor: a conversation merged
 * from several sources has messages of the same ROWID; the GUID is the message's own, and neither it nor the
 * second changes when a later run adds messages or sources (a copy of a message that knows its time to the
 * millisecond, beside one cut to the second, keeps its second). The second finds the page a message is on in
 * pages.js, once later runs have moved it to another (see app.js).
 */
export function messageAnchor(guid: string, date: Date): string {
  return `m${secondOf(date).toString(36)}_${fnv1a(guid).toString(36)}`;
}

/** The second a message was sent, as its anchor and pages.js name it: UTC, since 1970. */
export function secondOf(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}

/** FNV-1a, 32 bits, over UTF-16 code units. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

/**
 * The anchors of one conversation's messages, given in its order (by date): unique on its pages. Two messages of
 * one second whose GUIDs hash alike (about one pair in four billion) are told apart by a count after the later one's.
 */
export class MessageAnchors {
  private second = '';
  private readonly inSecond = new Set<string>();
  /** Messages whose anchor has a count, by GUID: what a reply quoting one links to. */
  private readonly counted = new Map<string, string>();

  /** The anchor of the next message of the conversation. */
  next(guid: string, date: Date): string {
    const anchor = messageAnchor(guid, date);
    const second = anchor.slice(0, anchor.indexOf('_'));
    if (second !== this.second) {
      this.second = second;
      this.inSecond.clear();
    }
    let unique = anchor;
    for (let n = 2; this.inSecond.has(unique); n++) unique = `${anchor}_${n}`;
    this.inSecond.add(unique);
    if (unique !== anchor) this.counted.set(guid, unique);
    return unique;
  }

  /** The anchor of a message given one already (the original a reply quotes). */
  of(guid: string, date: Date): string {
    return this.counted.get(guid) ?? messageAnchor(guid, date);
  }
}
