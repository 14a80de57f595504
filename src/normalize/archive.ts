import type { DatabaseReach, Conversation, Message, Person, Reactions, ReactionsByGuid, SourceCheck } from '../model/types.js';
import { sourceIds, type Found, type Lineage, type MessageSource, type SourceFacts } from '../read/source.js';
import type { MessageStream } from '../render/renderer.js';
import { conversationId, plannedKeys, type ConversationPlan } from './conversations.js';
import { everyService } from '../model/services.js';
import { compareText, everyParticipant, numbersOnce } from '../model/people.js';
import { everyOwnerHandle } from '../model/owner.js';
import { filesOf } from '../model/attachments.js';
import { selectConversations, type Selectable, type Selection } from '../select/match.js';
import { SourceArchive, type SourceOptions } from './source-archive.js';
import { disagreement, mergeCopies, toldCopy } from './merge-copies.js';
import { earlierNames, type Naming } from './earlier-names.js';

export interface ArchiveOptions extends SourceOptions {
  /** `--chat` terms; empty means every conversation. */
  chatTerms: string[];
  /** `--exact`: terms never match part of a name. */
  exactChat: boolean;
  /** The day a date falls on, as the run shows days (2021-03-04): when a group's earlier name ended. */
  dayOf(date: Date): string;
  /** What the sources are known by, given what each would be alone and a Mac database's lineage (see `lineageIds`). */
  identify?: (found: Found[]) => string[];
}

/** A conversation as one source has it. */
interface Member {
  source: SourceArchive;
  plan: ConversationPlan;
}

/** One conversation as the archive shows it, read from one or more sources. */
export interface ArchivedConversation {
  /** Conversations with the same key are the same thread, in any source. */
  key: string;
  conversation: Conversation;
  members: Member[];
}

/** A conversation as any history gives it: the key that identifies it across sources and runs, and its model. */
export interface HistoryConversation {
  key: string;
  conversation: Conversation;
}

/** What an export reads conversations from: the sources' Archive below, or an archive folder's store. */
export interface History {
  readonly description: string;
  /** The sources as the run's files name them. */
  readonly sourceNames: string[];
  /** What the archive knows each source by, in the order of `sourceNames` (see `sourceIds`). */
  readonly sourceIds: string[];
  candidates(): CandidateConversation[];
  conversations(only?: Set<string>): HistoryConversation[];
  /**
   * The conversation with the owner's handles its messages use, as its record tells it (list --json, stats, the
   * library's conversations()): an export has its store collect them as it reads the messages (see `Conversation.ownerHandles`).
   */
  withOwnerHandles(conversation: HistoryConversation): Conversation;
  /** The GUIDs of the chat rows the conversation with this key is made of, in every source. */
  chatGuids(key: string): string[];
  /** Its messages; a message some sources lack names those it was found in as `sourceNames` does, or `byId` as `sourceIds` does (what the store records). */
  messages(conversation: HistoryConversation, byId?: boolean): MessageStream;
  /**
   * A cheap fingerprint of the conversation with this key in the sources, equal while its messages are
   * (undefined: unknown); found without counting or reading them.
   */
  changeMark?(key: string): string | undefined;
  /**
   * Whether any of these files, missing when the conversation with this key was last read (by the paths the
   * databases store), is now where a source of it looks for it: downloaded from iCloud since.
   */
  findsAny?(key: string, storedPaths: string[]): boolean;
  /**
   * What the sources hold of the reactions on messages of the conversation they did not give (purged since, the
   * reactions placed later or their removals kept), by GUID, once for each source; asked once its messages were read.
   */
  reactionsOfMissing?(conversation: HistoryConversation): ReactionsByGuid;
  releaseAttachments(): Promise<void>;
  close(): Promise<void>;
}

/** A conversation `Archive.conversations()` may return, before its messages are counted. */
export interface CandidateConversation {
  key: string;
  /** The conversation's id, as `list` shows it. */
  id: string;
  title: string;
  participants: Person[];
  /** Roughly how many messages it shows. */
  estimate: number;
  /** Roughly when its latest message was sent (milliseconds since 2001; 0 when unknown). */
  latest: number;
}

/**
 * The normalizer's face to the CLI: every source (Mac databases, iPhone backups) as one history.
 * Conversations are matched by their chats' GUIDs, else by their participants (see `withStoredKeys`); a
 * message seen in several sources (same GUID) appears once — the copy with more information — and records
 * which sources had it.
 */
export class Archive implements History {
  /** What the `--chat` terms chose, and why; undefined without terms. */
  readonly selection?: Selection;
  /** The keys of the conversations chosen with `--chat`; undefined: all. */
  private readonly chosen?: Set<string>;
  /** Each Mac database's lineage, by what the archive knows it by (see `Lineage`). */
  lineages: (readonly [string, Lineage])[] = [];
  /** The same for every handle of one person (see `Contacts.personKey`). */
  private readonly personKey: (handle: string) => string;
  /** One spelling per handle (see `Contacts.normalize`). */
  private readonly spell: (handle: string) => string;

  private constructor(private readonly sources: SourceArchive[], options: ArchiveOptions) {
    this.personKey = (handle) => options.contacts.personKey(handle);
    this.spell = (handle) => options.contacts.normalize(handle);
    if (options.chatTerms.length === 0) return;
    const { contacts, chatTerms, exactChat } = options;
    this.selection = selectConversations(this.selectables(options.dayOf), chatTerms, { exact: exactChat, personKey: (h) => contacts.personKey(h) });
    this.chosen = new Set(this.selection.chosen.keys());
  }

  static async open(sources: MessageSource[], options: ArchiveOptions): Promise<Archive> {
    const opened: SourceArchive[] = [];
    const ids = sourceIds(sources.map((s) => s.facts));
    try {
      for (const [i, source] of sources.entries()) {
        const earlier = [...opened];
        const storedKey = plannedKeys(() => earlier.flatMap((s) => s.plans()), options.storedKey);
        opened.push(await SourceArchive.open(source, ids[i]!, { ...options, storedKey }));
      }
      const found = opened.map((s, i): Found => ({ id: s.id, path: sources[i]!.facts.path, lineage: s.lineage(), backedUp: sources[i]!.facts.backedUp?.getTime() }));
      const known = options.identify?.(found) ?? ids;
      opened.forEach((s, i) => (s.id = known[i]!));
      const archive = new Archive(opened, options);
      archive.lineages = found.flatMap((f, i) => (f.lineage ? [[known[i]!, f.lineage] as const] : []));
      return archive;
    } catch (error) {
      await Promise.all(opened.map((s) => s.close()));
      throw error;
    }
  }

  get description(): string {
    return this.sources.map((s) => s.description).join('; ');
  }

  /**
   * One line per damage found in a source's database, and one per row that could not be read
   * (empty when every database checked sound, or was not checked); waits for the checks to finish.
   * `inMacDatabase`: some of the damage is in a Mac's chat.db (a copy of one, as a rule); `damaged`: the
   * sources where damage was found, when the archive reads several.
   */
  async damage(): Promise<{ findings: string[]; unreadable: string[]; uncounted: boolean; inMacDatabase: boolean; damaged: string[] }> {
    const lines = { findings: [] as string[], unreadable: [] as string[], uncounted: false, inMacDatabase: false, damaged: [] as string[] };
    for (const source of this.sources) {
      const damage = await source.damage;
      if (!damage) continue;
      lines.inMacDatabase ||= source.isMacDatabase;
      if (this.sources.length > 1) lines.damaged.push(source.description);
      lines.findings.push(...damage.findings.map((line) => `${source.description} is damaged: ${line}`));
      lines.findings.push(...damage.uncounted.map((line) => `${source.description}: ${line}`));
      lines.uncounted ||= damage.uncounted.length > 0;
      lines.unreadable.push(...damage.unreadable.map((row) => `${source.description}: ${row} could not be read; it is not in the archive`));
    }
    return lines;
  }

  get sourceNames(): string[] {
    return this.sources.map((s) => s.description);
  }

  get sourceIds(): string[] {
    return this.sources.map((s) => s.id);
  }

  /** What each source is, as it was read (see `SourceArchive.facts`), in the order of `sourceNames`. */
  get facts(): SourceFacts[] {
    return this.sources.map((s) => s.facts);
  }

  /** How far each Mac database had got, in the order of `sourceNames` (see `SourceArchive.reach`). */
  reaches(): (DatabaseReach | undefined)[] {
    return this.sources.map((s) => s.reach());
  }

  /** What became of each source's check (see `damage`, which is awaited first). */
  checks(): Promise<SourceCheck[]> {
    return Promise.all(this.sources.map((s) => s.check()));
  }

  /**
   * Conversations with messages, most recent first: those chosen with `--chat` (all without it), or
   * only those with these keys, when given.
   */
  conversations(only?: Set<string>): ArchivedConversation[] {
    const byKey = new Map<string, ArchivedConversation>();
    for (const source of this.sources) {
      for (const plan of source.conversations(only ?? this.chosen)) {
        const found = byKey.get(plan.key) ?? { key: plan.key, conversation: { ...plan.conversation, chatIdentifiers: [] }, members: [] };
        found.members.push({ source, plan });
        // Each source may know the conversation by other chat rows.
        found.conversation.chatIdentifiers = [...new Set([...found.conversation.chatIdentifiers!, ...(plan.conversation.chatIdentifiers ?? [])])];
        byKey.set(plan.key, found);
      }
    }
    const all = [...byKey.values()];
    for (const merged of all) {
      const inEvery = merged.members.length > 1 ? this.combine(merged) : 0;
      if (this.sources.length > 1) merged.conversation.sourceCounts = { bySource: this.bySource(merged), inEvery };
    }
    return all.sort((a, b) => b.conversation.lastDate!.getTime() - a.conversation.lastDate!.getTime());
  }

  withOwnerHandles({ conversation, members }: ArchivedConversation): Conversation {
    const handles = everyOwnerHandle(...members.map(({ source, plan }) => source.ownerHandles(plan)));
    return handles.length > 0 ? { ...conversation, ownerHandles: handles } : conversation;
  }

  /**
   * What `conversations()` may return, sized and dated roughly from the join tables alone, most recent
   * first: to name files and share work out before any message is read.
   */
  candidates(): CandidateConversation[] {
    const byKey = new Map<string, CandidateConversation>();
    const plans = new Map<string, Conversation[]>();
    for (const source of this.sources) {
      for (const { plan, estimate, latest } of source.candidates(this.chosen)) {
        const found = byKey.get(plan.key);
        const seen = [...(plans.get(plan.key) ?? []), plan.conversation];
        plans.set(plan.key, seen);
        if (found) {
          found.estimate += estimate;
          found.id = conversationId(seen.map((c) => c.id));
          found.participants = this.everyone(seen.map((c) => c.participants));
          if (latest > found.latest) found.title = plan.conversation.title;
          found.latest = Math.max(found.latest, latest);
        } else {
          const { id, title, participants } = plan.conversation;
          byKey.set(plan.key, { key: plan.key, id, title, participants, estimate, latest });
        }
      }
    }
    return [...byKey.values()].sort((a, b) => b.latest - a.latest);
  }

  /** Every conversation of every source, as `--chat` terms see it. */
  private selectables(dayOf: (date: Date) => string): Selectable[] {
    const byKey = new Map<string, Member[]>();
    for (const source of this.sources) for (const plan of source.plans()) byKey.set(plan.key, [...(byKey.get(plan.key) ?? []), { source, plan }]);
    return [...byKey].map(([key, members]) => {
      const { isGroup } = members[0]!.plan.conversation;
      const participants = this.everyone(members.map((m) => m.plan.conversation.participants));
      const latest = lastSeen(members);
      const { title, groupName } = latest.plan.conversation;
      const ids = members.flatMap(({ plan: { conversation: c, chatGuids } }) => [c.id, ...chatGuids, ...(c.isGroup ? (c.chatIdentifiers ?? []) : [])]);
      // Another source's name for the group was its name when that source last saw it: an earlier name, when a rename dates its end.
      const named = members.filter((m) => m !== latest && m.plan.conversation.groupName).map(({ source, plan }): Naming => [plan.conversation.groupName!, source.lastSeen(plan)]).filter(([, at]) => at > 0);
      const namings = isGroup ? [...members.flatMap(({ source, plan }) => source.namingsOf(plan)), ...named] : [];
      return { key, title, groupName, participants, ids, earlierNames: earlierNames(namings, groupName, dayOf) };
    });
  }

  /** Streams a conversation's messages in order; every call reads them anew. */
  messages(archived: ArchivedConversation, byId = false): MessageStream {
    if (this.sources.length === 1) return archived.members[0]!.source.messages(archived.members[0]!.plan);
    const names = archived.members.map(({ source }) => (byId ? source.id : source.description));
    return () => mergeStreams(archived.members.map(({ source, plan }) => source.reading(plan)), names, this.sources.length);
  }

  reactionsOfMissing(archived: ArchivedConversation): ReactionsByGuid {
    return archived.members.flatMap(({ source, plan }) => source.reactionsOfMissing(plan));
  }

  chatGuids(key: string): string[] {
    const only = new Set([key]);
    return [...new Set(this.sources.flatMap((source) => source.plans(only).flatMap((plan) => plan.chatGuids)))];
  }

  changeMark(key: string): string | undefined {
    const only = new Set([key]);
    const marks = this.sources.flatMap((source) => source.plans(only).map((plan) => source.changeMark(plan)));
    return marks.length === 0 ? undefined : marks.join('|');
  }

  findsAny(key: string, storedPaths: string[]): boolean {
    const only = new Set([key]);
    return this.sources.some((source) => source.plans(only).length > 0 && storedPaths.some((stored) => source.findsFile(stored)));
  }

  /** Lets sources delete the attachment files they decrypted so far (disk use stays bounded). */
  async releaseAttachments(): Promise<void> {
    await Promise.all(this.sources.map((s) => s.releaseAttachments()));
  }

  async close(): Promise<void> {
    await Promise.all(this.sources.map((s) => s.close()));
  }

  /**
   * Counts, dates, name, id and participants (everyone any source says took part) of a conversation found in
   * several sources, duplicates counted once; returns how many of its messages every source of the archive has.
   */
  private combine(merged: ArchivedConversation): number {
    const c = merged.conversation;
    const plans = merged.members.map((m) => m.plan.conversation);
    const seen = new Map<string, number>();
    for (const { source, plan } of merged.members) for (const guid of new Set(source.messageGuids(plan))) seen.set(guid, (seen.get(guid) ?? 0) + 1);
    c.messageCount = seen.size;
    c.firstDate = new Date(Math.min(...plans.map((p) => p.firstDate!.getTime())));
    c.lastDate = new Date(Math.max(...plans.map((p) => p.lastDate!.getTime())));
    const { title, groupName } = lastSeen(merged.members).plan.conversation;
    Object.assign(c, { title, groupName });
    c.id = conversationId(plans.map((p) => p.id));
    c.participants = this.everyone(plans.map((p) => p.participants));
    c.services = everyService(plans.map((p) => p.services));
    c.chatIdentifiers = [...new Set(plans.flatMap((p) => p.chatIdentifiers ?? []))];
    let inEvery = 0;
    for (const times of seen.values()) if (times === this.sources.length) inEvery++;
    return inEvery;
  }

  /** Everyone these lists of a conversation's participants name, once (see `everyParticipant`), each number of theirs once. */
  private everyone(lists: Person[][]): Person[] {
    return everyParticipant(lists, this.personKey).map((p) => numbersOnce(p, this.spell));
  }

  /**
   * How many of a conversation's messages each source has, in the order of their names, as an archive's store
   * names them (the header's "from …"), whatever the order they were given in.
   */
  private bySource(merged: ArchivedConversation): { source: string; messages: number }[] {
    return [...this.sources].sort((a, b) => compareText(a.description, b.description) || compareText(a.id, b.id)).map((source) => {
      const member = merged.members.find((m) => m.source === source);
      return { source: source.description, messages: member?.plan.conversation.messageCount ?? 0 };
    });
  }
}

/** The member whose source saw the conversation last (the first such): a group renamed on one device only is named as it is now. */
function lastSeen(members: Member[]): Member {
  const seen = members.map(({ source, plan }) => source.lastSeen(plan));
  return members[seen.indexOf(Math.max(...seen))]!;
}

/** A source's reading of a conversation (see `SourceArchive.reading`). */
interface Reading {
  messages: Iterator<Message>;
  reactionsOn(guid: string): Reactions;
}

/**
 * Merges date-ordered streams. Copies of one message (same GUID) share its second (an older macOS kept dates in
 * whole seconds, where a newer one or an iPhone keeps the same message's to the nanosecond), so duplicates are
 * found among the messages of one second only: memory stays bounded by the busiest second. A source that lacks a
 * message may still hold reactions to it (it purged the message, and kept those placed later): they are merged as
 * another copy's.
 */
function* mergeStreams(readings: Reading[], names: string[], sourceCount: number): Generator<Message> {
  const iterators = readings.map((r) => r.messages);
  const heads = iterators.map((it) => it.next());
  for (;;) {
    let now = Infinity;
    for (const head of heads) if (!head.done) now = Math.min(now, secondOf(head.value));
    if (now === Infinity) return;
    const second: { message: Message; source: number }[] = [];
    heads.forEach((head, source) => {
      while (!head.done && secondOf(head.value) === now) {
        second.push({ message: head.value, source });
        head = heads[source] = iterators[source]!.next();
      }
    });
    type Copy = { message: Message; source: string };
    const byGuid = new Map<string, { best: Copy; others: Copy[]; sources: Set<string> }>();
    for (const { message, source } of second) {
      const copy = { message, source: names[source]! };
      const seen = byGuid.get(message.guid);
      if (!seen) byGuid.set(message.guid, { best: copy, others: [], sources: new Set([copy.source]) });
      else {
        seen.sources.add(copy.source);
        if (fuller(message, seen.best.message)) {
          seen.others.push(seen.best);
          seen.best = copy;
        } else seen.others.push(copy);
      }
    }
    const merged = [...byGuid.values()].map(({ best, others, sources }) => {
      const copies = others.map((o) => o.message);
      if (sources.size < readings.length) copies.push(...toldBy(readings, names, best.message, sources));
      const message = copies.length > 0 ? mergeCopies(best.message, copies) : best.message;
      const differ = disagreement(best.message, best.source, others);
      if (differ) message.problems = [...message.problems, differ];
      // Its sources tell something only when some source lacks the message.
      return sources.size < sourceCount ? { ...message, sources: [...sources] } : message;
    });
    yield* merged.sort((a, b) => +a.date - +b.date);
  }
}

/**
 * The message as each reading that lacks it tells of it, when it holds anything of it. It is not found in those: a
 * source's messages alone say when it had messages (see `lackedInItsTime`).
 */
function toldBy(readings: Reading[], names: string[], message: Message, sources: Set<string>): Message[] {
  return readings.flatMap((reading, source) => {
    if (sources.has(names[source]!)) return [];
    const reactions = reading.reactionsOn(message.guid);
    return reactions.tapbacks || reactions.removals ? [toldCopy(message, reactions)] : [];
  });
}

function secondOf(message: Message): number {
  return Math.floor(message.date.getTime() / 1000);
}

/**
 * Whether copy `a` of a message holds more than copy `b`; of two that hold as much, the one dated finer than the
 * second: it comes from a newer macOS, which keeps more of a message (what it replies to, a sticker's description).
 */
function fuller(a: Message, b: Message): boolean {
  const [ra, rb] = [richness(a), richness(b)];
  return ra !== rb ? ra > rb : a.date.getMilliseconds() !== 0 && b.date.getMilliseconds() === 0;
}

/** How much a copy of a message holds: files present on disk count most. */
function richness(message: Message): number {
  let score = message.parts.length;
  for (const part of message.parts) {
    score += part.tapbacks.length;
    score += filesOf(part).filter((a) => !a.missing).length * 10;
    if (part.kind === 'app') score += part.app.poll?.options.reduce((votes, o) => votes + o.votes.length, 0) ?? 0;
  }
  return score;
}
