/** Slots (fingerprint pairs) to begin with; the table doubles whenever it is half full. */
const FIRST_SLOTS = 1 << 14;

/**
 * A set of GUIDs kept as 64-bit fingerprints in one typed array (open addressing): 16 bytes a GUID at most.
 * A Set of the strings kept each one alive, about 80 bytes a message (a 1M-message first export peaked at
 * 300 MB against 243 MB). Should two GUIDs share a fingerprint (a million random ones would, about 3 times
 * in 10^8), `has` says yes to one never added, which only costs its caller the slower way.
 */
export class GuidFingerprints {
  private slots = new Uint32Array(2 * FIRST_SLOTS);
  private count = 0;

  has(guid: string): boolean {
    const [high, low] = fingerprint(guid);
    return this.slots[this.find(this.slots, high, low) + 1] !== 0;
  }

  add(guid: string): void {
    const [high, low] = fingerprint(guid);
    const at = this.find(this.slots, high, low);
    if (this.slots[at + 1] !== 0) return;
    this.slots[at] = high;
    this.slots[at + 1] = low;
    if (++this.count * 4 > this.slots.length) this.grow();
  }

  /** Where the fingerprint is, or the empty slot where it would go (a slot is empty when its low half is 0). */
  private find(slots: Uint32Array, high: number, low: number): number {
    const mask = slots.length - 2;
    let at = (high * 2) & mask;
    while (slots[at + 1] !== 0 && (slots[at] !== high || slots[at + 1] !== low)) at = (at + 2) & mask;
    return at;
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Uint32Array(old.length * 2);
    for (let at = 0; at < old.length; at += 2) {
      if (old[at + 1] === 0) continue;
      const to = this.find(this.slots, old[at]!, old[at + 1]!);
      this.slots[to] = old[at]!;
      this.slots[to + 1] = old[at + 1]!;
    }
  }
}

/** Two independent 32-bit FNV-1a hashes of the GUID's code units (the low half never 0: 0 marks an empty slot). */
function fingerprint(guid: string): [number, number] {
  let high = 0x811c9dc5;
  let low = 0x050c5d1f;
  for (let i = 0; i < guid.length; i++) {
    const unit = guid.charCodeAt(i);
    high = Math.imul(high ^ unit, 0x01000193);
    low = Math.imul(low ^ unit, 0x01000197) ^ (low >>> 15);
  }
  return [high >>> 0, low >>> 0 || 1];
}
