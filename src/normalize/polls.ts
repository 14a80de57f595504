// A conversation's polls. A vote (associated_message_type 4000) and a poll's later version (2: an option
// added) are messages of their own, aimed at the poll's GUID: they are folded into the message that shows
// the poll, as tapbacks are, which then carries every option and the votes on each. A vote's sender has one
// vote message at a time (a later one lists all they vote for now). Whatever cannot be folded (its poll is not
// shown, or it cannot be read) is shown on its own: a readable vote then says what it chose.

import { DecodeError } from '../decode/errors.js';
import { decodePollPayload, isPollBalloon, POLL_VOTE, type PollPayload } from '../decode/polls.js';
import type { AppBalloon, Person, PollOption } from '../model/types.js';
import type { ConversationRows } from '../read/messages-reader.js';
import type { MessageRow } from '../read/rows.js';
import { APPLE_EPOCH, appleDate } from './dates.js';
import { parseTarget } from './tapbacks.js';

interface Decoded {
  row: MessageRow;
  payload: PollPayload;
}

/** One poll's messages: its first version (when the database has it), its later versions and its votes, oldest first. */
interface Thread {
  guid: string;
  original?: Decoded;
  versions: Decoded[];
  votes: Decoded[];
}

/** What settling a conversation's poll rows reads of the database. */
export interface PollRowsReader {
  /** These rows, whole (a row a damaged page hides is left out). */
  rows(ids: number[]): MessageRow[];
  byGuid(guid: string): MessageRow | undefined;
}

/** Who the people of a poll are. */
export interface PollPeople {
  me: Person;
  senderOf(row: MessageRow): Person;
  /** The person with a handle of the database that an address names, if any. */
  byAddress(address: string): Person | undefined;
  stranger(address: string): Person;
  keyOf(address: string): string;
}

export class PollIndex {
  /** The row that shows each poll (its first version, else its earliest later version shown) → the poll's thread. */
  private readonly shownBy = new Map<number, Thread>();
  /** Votes shown on their own, by row id. */
  private readonly ballots = new Map<number, Decoded & { thread: Thread }>();
  /** The addresses the owner's own poll messages give them, and their person keys (found when first asked). */
  private readonly ownerAddresses: string[] = [];
  private ownerKeys?: Set<string>;

  /**
   * Folds a conversation's poll rows (see ConversationRows.pollRows) into the polls shown; returns the
   * conversation's rows with those that stay messages (in the window) among the messages shown, and the index.
   */
  static settle(rows: ConversationRows, reader: PollRowsReader): { rows: ConversationRows; index: PollIndex } {
    const index = new PollIndex();
    if (rows.pollRows.length === 0) return { rows, index };
    const alone = new Set<number>();
    const threads = index.threads(reader.rows(rows.pollRows.map((r) => r.id)), alone);
    const shown = new Set(rows.ids);
    const inWindow = new Set(rows.pollRows.flatMap((r) => (r.at === undefined ? [] : [r.id])));
    for (const thread of threads) {
      index.findOriginal(thread, reader);
      const original = thread.original?.row.rowId;
      const by = original !== undefined && shown.has(original) ? original : thread.versions.find((v) => inWindow.has(v.row.rowId))?.row.rowId;
      if (by !== undefined) {
        index.shownBy.set(by, thread);
        if (by !== original) alone.add(by);
        continue;
      }
      for (const vote of thread.votes) {
        index.ballots.set(vote.row.rowId, { ...vote, thread });
        alone.add(vote.row.rowId);
      }
    }
    return { rows: withRowsShown(rows, alone), index };
  }

  /** The readable votes and later versions, by the poll they aim at (oldest first); the other rows go `alone`. */
  private threads(rows: MessageRow[], alone: Set<number>): Thread[] {
    const threads = new Map<string, Thread>();
    for (const row of rows) {
      const target = typeof row.associatedGuid === 'string' ? parseTarget(row.associatedGuid).guid : undefined;
      const payload = readPayload(row);
      const vote = row.associatedType === POLL_VOTE;
      if (!target || !payload || (vote ? !payload.votes : payload.options.length === 0)) {
        alone.add(row.rowId);
        continue;
      }
      const thread = threads.get(target) ?? { guid: target, versions: [], votes: [] };
      threads.set(target, thread);
      (vote ? thread.votes : thread.versions).push({ row, payload });
      this.learnOwner(row, payload);
    }
    return [...threads.values()];
  }

  /** The poll's first version, when the database has it and it can be read, wherever it is. */
  private findOriginal(thread: Thread, reader: PollRowsReader): void {
    const row = reader.byGuid(thread.guid);
    const payload = row && isPollBalloon(row.balloonBundleId) ? readPayload(row) : undefined;
    if (!row || !payload || payload.options.length === 0) return;
    thread.original = { row, payload };
    this.learnOwner(row, payload);
  }

  /**
   * The balloon of a poll message (a poll with every option and its votes) or of a vote shown on its own (its
   * choices); undefined for any other row, or one whose payload cannot be read (it is shown as any app balloon).
   */
  balloon(row: MessageRow, people: PollPeople): AppBalloon | undefined {
    const ballot = this.ballots.get(row.rowId);
    if (ballot) {
      const texts = optionTexts(ballot.thread);
      const choices = uniqueVotes(ballot.payload).map(({ optionId }) => ({ id: optionId, text: texts.get(optionId) }));
      return { type: 'app', bundleId: row.balloonBundleId ?? undefined, appName: 'Polls', captions: [], ballot: { pollGuid: ballot.thread.guid, choices } };
    }
    let thread = this.shownBy.get(row.rowId);
    if (!thread && isPollBalloon(row.balloonBundleId) && row.associatedType !== POLL_VOTE) {
      const payload = readPayload(row);
      if (payload && payload.options.length > 0) thread = { guid: row.guid, original: { row, payload }, versions: [], votes: [] };
    }
    return thread && this.pollBalloon(thread, people);
  }

  /** The GUIDs of the rows read as part of the poll this row shows (its votes and its other later versions); undefined for any other row. */
  folded(row: MessageRow): string[] | undefined {
    const thread = this.shownBy.get(row.rowId);
    return thread && [...thread.versions, ...thread.votes].flatMap((v) => (v.row.rowId === row.rowId ? [] : [v.row.guid]));
  }

  private pollBalloon(thread: Thread, people: PollPeople): AppBalloon {
    const options = this.options(thread, people);
    for (const { row, payload } of latestVotes(thread, people)) {
      const voter = people.senderOf(row);
      for (const vote of uniqueVotes(payload)) {
        let option = options.get(vote.optionId);
        if (!option) options.set(vote.optionId, (option = { id: vote.optionId, votes: [] }));
        option.votes.push({ voter, date: vote.date ?? appleDate(row.date) ?? APPLE_EPOCH });
      }
    }
    for (const option of options.values()) option.votes.sort((a, b) => a.date.getTime() - b.date.getTime());
    const question = versionsOf(thread).map((v) => v.payload.question).filter(Boolean).at(-1);
    const shownBy = thread.original ?? thread.versions[0]!;
    return { type: 'app', bundleId: shownBy.row.balloonBundleId ?? undefined, appName: 'Polls', title: question, captions: [], poll: { question, options: [...options.values()] } };
  }

  /** Every option of every version, in the order they came, by id; each with who added it and its latest wording. */
  private options(thread: Thread, people: PollPeople): Map<string, PollOption> {
    const options = new Map<string, PollOption>();
    for (const version of versionsOf(thread)) {
      for (const option of version.payload.options) {
        const key = option.id || `\u0000${option.text}`;
        const known = options.get(key);
        if (known) known.text = option.text;
        else options.set(key, { id: option.id, text: option.text, addedBy: this.addedBy(option.creatorHandle, version, thread, people), votes: [] });
      }
    }
    return options;
  }

  /**
   * Who added an option: whoever sent the later version it first appears in; for one of the first version,
   * the person its creatorHandle names (the poll's creator when it names no one else).
   */
  private addedBy(handle: string | undefined, version: Decoded, thread: Thread, people: PollPeople): Person | undefined {
    if (version !== thread.original) return people.senderOf(version.row);
    if (!handle || handle === version.payload.creatorHandle) return people.senderOf(version.row);
    return people.byAddress(handle) ?? (this.isOwner(handle, people) ? people.me : people.stranger(handle));
  }

  /** The owner's own addresses, as their polls name their creator and their votes their voter. */
  private learnOwner(row: MessageRow, payload: PollPayload): void {
    if (!row.isFromMe) return;
    const vote = row.associatedType === POLL_VOTE;
    const own = vote ? (payload.votes ?? []).map((v) => v.handle) : [row.associatedType ? undefined : payload.creatorHandle];
    for (const address of own) if (address) this.ownerAddresses.push(address);
  }

  private isOwner(address: string, people: PollPeople): boolean {
    this.ownerKeys ??= new Set(this.ownerAddresses.map((own) => people.keyOf(own)));
    return this.ownerKeys.has(people.keyOf(address));
  }
}

function readPayload(row: MessageRow): PollPayload | undefined {
  if (!(row.payloadData instanceof Uint8Array)) return undefined;
  try {
    return decodePollPayload(row.payloadData);
  } catch (error) {
    if (error instanceof DecodeError) return undefined;
    throw error;
  }
}

/** Each voter's latest vote message (it lists everything they vote for now). */
function latestVotes(thread: Thread, people: PollPeople): Decoded[] {
  const byVoter = new Map<string, Decoded>();
  for (const vote of thread.votes) {
    const key = people.senderOf(vote.row).handle;
    const known = byVoter.get(key)?.row;
    if (!known || vote.row.date > known.date || (vote.row.date === known.date && vote.row.rowId > known.rowId)) byVoter.set(key, vote);
  }
  return [...byVoter.values()];
}

function uniqueVotes(payload: PollPayload): NonNullable<PollPayload['votes']> {
  const seen = new Set<string>();
  return (payload.votes ?? []).filter((vote) => !seen.has(vote.optionId) && seen.add(vote.optionId));
}

/** The poll's versions the database has, oldest first. */
function versionsOf(thread: Thread): Decoded[] {
  return thread.original ? [thread.original, ...thread.versions] : thread.versions;
}

function optionTexts(thread: Thread): Map<string, string> {
  const texts = new Map<string, string>();
  for (const version of versionsOf(thread)) for (const o of version.payload.options) if (o.id) texts.set(o.id, o.text);
  return texts;
}

/** The conversation's rows with these poll rows (those in the window) among the messages shown, each in its place. */
function withRowsShown(rows: ConversationRows, alone: Set<number>): ConversationRows {
  const placed = rows.pollRows.filter((r) => r.at !== undefined && alone.has(r.id));
  if (placed.length === 0) return rows;
  const ids = new Float64Array(rows.ids.length + placed.length);
  let from = 0;
  let to = 0;
  for (const { id, at } of placed) {
    ids.set(rows.ids.subarray(from, at!), to);
    to += at! - from;
    from = at!;
    ids[to++] = id;
  }
  ids.set(rows.ids.subarray(from), to);
  const whens = placed.map((r) => r.when);
  const shown = rows.ids.length > 0;
  return {
    ...rows,
    ids,
    first: Math.min(...whens, ...(shown ? [rows.first] : [])),
    last: Math.max(...whens, ...(shown ? [rows.last] : [])),
  };
}
