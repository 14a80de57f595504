import type { Attachment, Part, Person, Reactions, ReactionsByGuid, Tapback, TapbackKind, TapbackRemoval } from '../model/types.js';
import type { ReactionRow } from '../read/rows.js';
import { appleDate } from './dates.js';

const KINDS: { kind: TapbackKind; emoji: string }[] = [
  { kind: 'love', emoji: '❤️' },
  { kind: 'like', emoji: '👍' },
  { kind: 'dislike', emoji: '👎' },
  { kind: 'laugh', emoji: '😂' },
  { kind: 'emphasize', emoji: '‼️' },
  { kind: 'question', emoji: '❓' },
  { kind: 'emoji', emoji: '' },
  { kind: 'sticker', emoji: '' },
];

/** Where a reaction points: `p:2/GUID` (part 2), `bp:GUID` (the whole bubble, part 0), or a bare GUID. */
export function parseTarget(associatedGuid: string): { guid: string; part: number } {
  const partMatch = /^p:(\d+)\/(.+)$/.exec(associatedGuid);
  if (partMatch) return { guid: partMatch[2]!, part: Number(partMatch[1]) };
  if (associatedGuid.startsWith('bp:')) return { guid: associatedGuid.slice(3), part: 0 };
  return { guid: associatedGuid, part: 0 };
}

/** Key prefix of a reaction taken back, kept on its part beside those shown as placed (by `tapbackKey`). */
const TAKEN_BACK = '\u0001';

/**
 * The reactions of a conversation: adds (2000–2007) and removals (3000–3007) replayed in order, so each person
 * has at most one classic tapback per part, plus any stickers they placed (1000, 2007). What was taken back (a
 * removal, or a classic tapback replaced by another) is remembered by target, and kept marked `removedAt` (the
 * latest placement of each, unless it was placed again), as an archive that read the database before the removal
 * keeps it.
 */
export class TapbackIndex {
  // target guid → part index → sender/sticker key (or TAKEN_BACK + tapbackKey) → tapback
  private readonly byTarget = new Map<string, Map<number, Map<string, Tapback>>>();
  private readonly removedFrom = new Map<string, TapbackRemoval[]>();

  constructor(rows: ReactionRow[], senderOf: (row: ReactionRow) => Person, stickerOf: (row: ReactionRow) => Attachment | undefined) {
    for (const row of rows) {
      if (!row.associatedGuid || typeof row.associatedGuid !== 'string') continue;
      const { guid, part } = parseTarget(row.associatedGuid);
      const sender = senderOf(row);
      const type = row.associatedType;
      const isSticker = type === 1000 || type === 2007;
      const slot = isSticker ? `${sender.handle}\u0000${row.guid}` : sender.handle;
      const parts = this.byTarget.get(guid) ?? new Map<number, Map<string, Tapback>>();
      this.byTarget.set(guid, parts);
      const tapbacks = parts.get(part) ?? new Map<string, Tapback>();
      parts.set(part, tapbacks);
      const date = appleDate(row.date) ?? new Date(0);
      if (type >= 3000 || tapbacks.has(slot)) this.removed(guid, { part, handle: sender.handle, sticker: type === 3007, date });
      if (type >= 3000) {
        this.takeBack(tapbacks, sender.handle, type === 3007, date);
        continue;
      }
      const { kind, emoji } = isSticker ? KINDS[7]! : (KINDS[type - 2000] ?? KINDS[6]!);
      place(tapbacks, slot, { kind, emoji: kind === 'emoji' ? String(row.associatedEmoji ?? '') : emoji, sender, date, sticker: isSticker ? stickerOf(row) : undefined });
    }
  }

  private removed(guid: string, removal: TapbackRemoval): void {
    const known = this.removedFrom.get(guid);
    if (known) known.push(removal);
    else this.removedFrom.set(guid, [removal]);
  }

  /** What was taken back from one message's parts (undefined: nothing). */
  removals(guid: string): TapbackRemoval[] | undefined {
    return this.removedFrom.get(guid);
  }

  /** Whether any reaction, or its removal, is aimed at the message. */
  has(guid: string): boolean {
    return this.byTarget.has(guid);
  }

  /** What is aimed at one message: its reactions and what was taken back from it. */
  on(guid: string): Reactions {
    return { tapbacks: this.get(guid), removals: this.removals(guid) };
  }

  /** What is aimed at messages other than these, by GUID, as `source` holds it. */
  except(guids: Set<string>, source: string): ReactionsByGuid {
    return [...this.byTarget.keys()].filter((guid) => !guids.has(guid)).map((guid): ReactionsByGuid[number] => [guid, this.on(guid), source]).filter(([, r]) => r.tapbacks || r.removals);
  }

  /** Takes back the sender's classic tapback, or their stickers, on a part. */
  private takeBack(tapbacks: Map<string, Tapback>, handle: string, sticker: boolean, date: Date): void {
    for (const [key, tapback] of [...tapbacks]) {
      if (key.startsWith(TAKEN_BACK) || tapback.sender.handle !== handle || (tapback.kind === 'sticker') !== sticker) continue;
      tapbacks.delete(key);
      keepTakenBack(tapbacks, tapback, date);
    }
  }

  /** Reactions on one message, by part index. */
  get(guid: string): Map<number, Tapback[]> | undefined {
    const parts = this.byTarget.get(guid);
    if (!parts) return undefined;
    const result = new Map<number, Tapback[]>();
    for (const [part, tapbacks] of parts) {
      const entries = [...tapbacks];
      const shown = entries.filter(([key]) => !key.startsWith(TAKEN_BACK)).map(([, t]) => t);
      const takenBack = entries.filter(([key]) => key.startsWith(TAKEN_BACK)).map(([, t]) => t).sort((a, b) => +a.date - +b.date);
      if (entries.length > 0) result.set(part, [...shown, ...takenBack]);
    }
    return result.size > 0 ? result : undefined;
  }
}

/** The tapback shown in its slot: one it replaces is taken back then, and one placed again is no longer taken back. */
function place(tapbacks: Map<string, Tapback>, slot: string, tapback: Tapback): void {
  const replaced = tapbacks.get(slot);
  if (replaced) keepTakenBack(tapbacks, replaced, tapback.date);
  tapbacks.delete(TAKEN_BACK + tapbackKey(tapback));
  tapbacks.set(slot, tapback);
}

function keepTakenBack(tapbacks: Map<string, Tapback>, tapback: Tapback, removedAt: Date): void {
  tapbacks.set(TAKEN_BACK + tapbackKey(tapback), { ...tapback, removedAt });
}

/** A reaction's identity: who placed which one (a sticker by its file). */
export function tapbackKey(t: Tapback): string {
  return `${t.sender.handle}\u0000${t.kind}\u0000${t.emoji}\u0000${t.sticker?.guid ?? ''}`;
}

/** Puts reactions on the parts they are aimed at (on the first part, when the message has no such part). */
export function attachTapbacks(parts: Part[], byPart: Map<number, Tapback[]> | undefined): void {
  if (!byPart || parts.length === 0) return;
  for (const [index, tapbacks] of byPart) {
    const part = parts.find((p) => p.index === index) ?? parts[0]!;
    part.tapbacks.push(...tapbacks);
  }
}
