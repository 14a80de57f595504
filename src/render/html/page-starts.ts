/** A message's place in a conversation's stream, which is ordered by date, then row id, then GUID. */
export interface StreamKey {
  date: number;
  rowId: number;
  guid: string;
}

function compare(a: StreamKey, b: StreamKey): number {
  return a.date - b.date || a.rowId - b.rowId || (a.guid < b.guid ? -1 : a.guid > b.guid ? 1 : 0);
}

/**
 * The first message of every page written so far, to find the page of an earlier message (a reply's
 * original) without keeping every message's page: memory grows with the pages, not the messages.
 */
export class PageStarts {
  private readonly starts: StreamKey[] = [];
  private latest: StreamKey | undefined;

  /** The message just put on `page` (1-based, pages in order). */
  add(page: number, key: StreamKey): void {
    if (this.starts.length < page) this.starts.push(key);
    this.latest = key;
  }

  /**
   * The page a message at `key` was put on, or undefined when it comes before the first or after the
   * latest message added. (A key between them is taken to be one of them: replies quote messages of
   * their own conversation.)
   */
  pageOf(key: StreamKey): number | undefined {
    if (!this.latest || compare(key, this.starts[0]!) < 0 || compare(key, this.latest) > 0) return undefined;
    let low = 0;
    let high = this.starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (compare(this.starts[middle]!, key) <= 0) low = middle;
      else high = middle - 1;
    }
    return low + 1;
  }
}
