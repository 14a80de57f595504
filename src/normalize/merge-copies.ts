import type { EditVersion, Message, Part, Reactions, Tapback, TextPart } from '../model/types.js';
import { attachTapbacks, tapbackKey } from './tapbacks.js';
import { hasEdits } from '../model/edits.js';

const RECEIPTS = ['dateDelivered', 'dateRead', 'datePlayed'] as const;

/**
 * One message as several sources hold it: the fullest copy (`best`), with what only the others know. Each
 * device learns of reactions and receipts on its own (a Mac that was off, or does not share its read state with
 * the iPhone), so a reaction or a read receipt one copy lacks is taken from another; of a person's reactions the
 * latest any copy saw is kept, unless a copy saw it taken back later.
 */
export function mergeCopies(best: Message, others: Message[]): Message {
  const copies = [best, ...others];
  const removals = copies.flatMap((c) => c.tapbackRemovals ?? []);
  const written = best.parts.map((part) => lastWritten(part, others, best.date));
  const merged: Message = { ...best, date: finestDate(copies), parts: written.map((part) => withTapbacksOf(part, copies)), edited: hasEdits(written) };
  if (removals.length > 0) merged.tapbackRemovals = removals;
  // A copy that went out (sent again, or by the device that holds it) says more than one that did not.
  if (merged.undelivered && others.some((c) => !c.undelivered)) delete merged.undelivered;
  // A Mac before macOS 11 keeps no thread_originator_guid: its copy of a reply reads as no reply.
  const replyTo = best.replyTo ?? others.find((copy) => copy.replyTo)?.replyTo;
  if (replyTo) merged.replyTo = replyTo;
  // A device may keep the sender's number without its country code: the copy that spells it in E.164, whatever the order.
  merged.sender = copies.find((copy) => copy.sender.handle.startsWith('+'))?.sender ?? best.sender;
  // An archive folder an earlier textkeeper wrote does not say which of the owner's handles a message used.
  const ownerHandle = best.ownerHandle ?? others.find((copy) => copy.ownerHandle)?.ownerHandle;
  if (ownerHandle) merged.ownerHandle = ownerHandle;
  return Object.assign(merged, firstKnownReceipts(copies));
}

/**
 * A note when copies of a message hold different texts that no edit explains (the message was changed in one of
 * the files, or a device kept a damaged copy): merging shows `best`'s, and a record must not hide the other.
 */
export function disagreement(best: Message, bestSource: string, others: { message: Message; source: string }[]): string | undefined {
  for (const { message, source } of others) {
    for (const part of message.parts) {
      const shown = best.parts.find((p) => p.index === part.index);
      if (part.kind !== 'text' || shown?.kind !== 'text' || shown.text === part.text) continue;
      if (writtenAfter(shown, part, best.date) || writtenAfter(part, shown, best.date)) continue;
      return `The sources differ on this message's text: ${bestSource} has “${snippet(shown.text)}”, ${source} has “${snippet(part.text)}”; the first is shown.`;
    }
  }
  return undefined;
}

function snippet(text: string): string {
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}

/**
 * The message as a source that lacks it tells of it: with the reactions that source holds of it and their removals,
 * and no others (a device that purged a message keeps the reactions placed on it later, and the removals).
 */
export function toldCopy(message: Message, { tapbacks, removals }: Reactions): Message {
  const parts = message.parts.map((part) => ({ ...part, tapbacks: [] }));
  attachTapbacks(parts, tapbacks);
  return { ...message, parts, tapbackRemovals: removals };
}

/** When it was sent, as finely as a copy knows it: an older macOS kept it cut to the second. */
function finestDate(copies: Message[]): Date {
  return copies.reduce((finest, copy) => (+copy.date > +finest.date ? copy : finest)).date;
}

/**
 * Whether copy `later` of a part shows a state of it written after the one copy `part` shows: a device that
 * stopped getting messages (an old Mac) shows a part as it was before an edit, or before the unsending, that
 * another device saw. Unsending is a text's last state; of two texts, the one written last, when the other's
 * text is one of its versions.
 */
export function writtenAfter(later: Part, part: Part, sent: Date): boolean {
  if (part.kind !== 'text') return false;
  if (later.kind === 'unsent') return true;
  if (later.kind !== 'text') return false;
  const versions = [...(later.edits ?? []).map((e) => e.text), later.text];
  return +writtenAt(part, sent) < +writtenAt(later, sent) && versions.includes(part.text);
}

function writtenAt(part: TextPart, sent: Date): Date {
  return part.editedAt ?? part.edits?.at(-1)?.date ?? sent;
}

/**
 * The copy of a text part written last among the others', with the texts of those it was written after as its
 * earlier versions (see `withVersionsOf`), and the reactions of the fullest copy's.
 */
function lastWritten(part: Part, others: Message[], sent: Date): Part {
  const copies = [part, ...others.flatMap((copy) => partOf(copy, part.index) ?? [])];
  const latest = copies.reduce((last, copy) => (writtenAfter(copy, last, sent) ? copy : last));
  const versioned = copies.filter((copy) => writtenAfter(latest, copy, sent)).reduce((kept, copy) => withVersionsOf(kept, copy, sent), latest);
  return versioned === part ? part : { ...versioned, tapbacks: part.tapbacks };
}

/**
 * The part with every version of `before` (a copy of it another source holds, or the archive kept) that its
 * own lack, as earlier versions: a device that only says "unsent" keeps no text, and the one `before` shows
 * is what the part said.
 */
export function withVersionsOf(part: Part, before: Part | undefined, sent: Date): Part {
  if (part.kind !== 'unsent' && part.kind !== 'text') return part;
  const known = new Set([...(part.edits ?? []).map((e) => e.text), ...(part.kind === 'text' ? [part.text] : [])]);
  const lacking = versionsOf(before, sent).filter((version) => !known.has(version.text));
  if (lacking.length === 0) return part;
  return { ...part, edits: [...(part.edits ?? []), ...lacking].sort((a, b) => a.date.getTime() - b.date.getTime()) };
}

/** Every version of a part's text: its earlier versions, and for a text its current one (written at its last edit). */
function versionsOf(part: Part | undefined, sent: Date): EditVersion[] {
  if (part?.kind === 'unsent') return part.edits ?? [];
  if (part?.kind !== 'text') return [];
  return [...(part.edits ?? []), { text: part.text, date: writtenAt(part, sent) }];
}

type Receipts = Partial<Pick<Message, (typeof RECEIPTS)[number]>>;

/**
 * When the message was delivered, read and played, as first known to any of its copies: a device that never
 * learned it takes nothing away, and of two that learned it at different times the earlier counts.
 */
export function firstKnownReceipts(copies: Message[]): Receipts {
  const receipts: Receipts = {};
  for (const field of RECEIPTS) {
    const known = copies.map((c) => c[field]).filter((date): date is Date => date !== undefined);
    if (known.length > 0) receipts[field] = known.reduce(earlier);
  }
  return receipts;
}

/** The earlier of two dates; of a date and the same cut to the second, the finer. */
function earlier(a: Date, b: Date): Date {
  if (cutToSecond(a, b)) return b;
  if (cutToSecond(b, a)) return a;
  return +b < +a ? b : a;
}

/** Whether `coarse` is the date `fine` cut to the second, as an older macOS keeps it. */
export function cutToSecond(coarse: Date, fine: Date): boolean {
  return +coarse % 1000 === 0 && +fine !== +coarse && Math.floor(+fine / 1000) * 1000 === +coarse;
}

function withTapbacksOf(part: Part, copies: Message[]): Part {
  if (copies.every((copy) => tapbacksOf(copy, part.index).length === 0)) return part;
  const latest = new Map<string, Tapback>();
  for (const copy of copies) {
    for (const tapback of tapbacksOf(copy, part.index).filter(shownPlaced)) {
      const known = latest.get(slotOf(tapback));
      if (!known || +tapback.date > +known.date) latest.set(slotOf(tapback), tapback);
    }
  }
  // The fullest copy's own, in its order (each as the latest copy of its slot), then those only others have.
  const ownPlaced = part.tapbacks.filter(shownPlaced);
  const own = new Set(ownPlaced.map(slotOf));
  const shown = [...ownPlaced.map((t) => latest.get(slotOf(t))!), ...[...latest].filter(([slot]) => !own.has(slot)).map(([, t]) => t)].map((t) => {
    const removedAt = takenBackAt(t, part.index, copies);
    return removedAt ? { ...t, removedAt } : t;
  });
  const placed = shown.filter(shownPlaced);
  const tapbacks = [...placed, ...latestTakenBack([...copies.flatMap((copy) => tapbacksOf(copy, part.index)), ...shown], placed)];
  const same = tapbacks.length === part.tapbacks.length && tapbacks.every((t, i) => t === part.tapbacks[i]);
  return same ? part : { ...part, tapbacks };
}

function shownPlaced(t: Tapback): boolean {
  return !t.removedAt;
}

/** When a copy that saw the reaction taken back after it was placed, and does not show it placed, saw that first. */
function takenBackAt(t: Tapback, part: number, copies: Message[]): Date | undefined {
  const unaware = copies.filter((copy) => !tapbacksOf(copy, part).some((own) => shownPlaced(own) && slotOf(own) === slotOf(t) && +own.date === +t.date));
  const removals = unaware.flatMap((copy) => copy.tapbackRemovals ?? []);
  const dates = removals.filter((r) => r.part === part && r.handle === t.sender.handle && r.sticker === (t.kind === 'sticker') && +r.date > +t.date).map((r) => r.date);
  return dates.length > 0 ? dates.reduce((first, date) => (+date < +first ? date : first)) : undefined;
}

/** Of the reactions taken back, the latest placement of each that is not shown placed again, in the order they were placed. */
function latestTakenBack(tapbacks: Tapback[], placed: Tapback[]): Tapback[] {
  const placedAgain = new Set(placed.map(tapbackKey));
  const latest = new Map<string, Tapback>();
  for (const t of tapbacks) {
    const key = tapbackKey(t);
    if (t.removedAt && !placedAgain.has(key) && +t.date > +(latest.get(key)?.date ?? -Infinity)) latest.set(key, t);
  }
  return [...latest.values()].sort((a, b) => +a.date - +b.date);
}

function tapbacksOf(copy: Message, part: number): Tapback[] {
  return partOf(copy, part)?.tapbacks ?? [];
}

function partOf(copy: Message, index: number): Part | undefined {
  return copy.parts.find((p) => p.index === index);
}

/** Whose reaction it is: a person has one classic or emoji reaction on a part, and any number of stickers. */
export function slotOf(t: Tapback): string {
  return t.kind === 'sticker' ? `${t.sender.handle}\u0000${t.sticker?.guid ?? ''}` : t.sender.handle;
}
