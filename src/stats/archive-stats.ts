import type { ResolvedOptions } from '../engine/options.js';
import { openHistory, type DamageCounts } from '../engine/sources.js';
import { reportChoice } from '../select/report.js';
import { conversationRecord, type ConversationRecord } from '../render/json/records.js';
import { StatsCollector, type PersonStats, type Stats } from './collector.js';
import { countedPeople, personLabels } from './person-labels.js';
import { Progress } from '../engine/progress.js';

/** A handle's counts, and whose handle it is. */
export interface CountedPerson extends PersonStats {
  /** The person the handle is one of (see personLabels): their name, a namesake's told apart (`Ann Lee (+15555550100)`). */
  person: string;
}

export type PeopleStats = Omit<Stats, 'people'> & { people: CountedPerson[] };

export interface ArchiveStats {
  total: PeopleStats;
  conversations: { conversation: ConversationRecord; stats: PeopleStats }[];
}

/**
 * Reads every chosen conversation once and sums it up, per conversation and in total. As `list` does, it
 * says on stderr (`options.log`) what checking the databases found and what `--chat` chose, and refuses
 * terms that chose nothing; `damage` is told what the check found.
 */
export async function archiveStats(options: ResolvedOptions, damage: (counts: DamageCounts) => void = () => {}): Promise<ArchiveStats> {
  const { history: archive, reportDamage, close } = await openHistory(options);
  try {
    damage(await reportDamage(options.log));
    reportChoice(archive.selection, () => archive.conversations().map(({ key, conversation: c }) => ({ key, id: c.id, title: c.title })), options.log, options.quiet);
    const total = new StatsCollector(options.dates);
    const conversations: { conversation: ConversationRecord; stats: Stats }[] = [];
    const plans = archive.conversations();
    // Reading a million messages takes half a minute: shown as an export's reading is.
    const progress = new Progress(options.progress, plans.reduce((sum, p) => sum + p.conversation.messageCount, 0), plans.length, options.log, 'counting');
    for (const plan of plans) {
      // A signal is handled between conversations (Ctrl-C ends stats at once, not after the last).
      await new Promise(setImmediate);
      progress.reading(plan.conversation.title);
      const one = new StatsCollector(options.dates);
      for (const message of archive.messages(plan)()) {
        one.add(message);
        total.add(message);
        progress.tick();
      }
      conversations.push({ conversation: conversationRecord(archive.withOwnerHandles(plan), (d) => options.dates.iso(d), options.selection), stats: one.result() });
    }
    progress.stop();
    const all = total.result();
    const labels = personLabels(countedPeople(plans.flatMap((p) => p.conversation.participants), all.people));
    const withPersons = (s: Stats): PeopleStats => ({ ...s, people: s.people.map((p) => ({ ...p, person: labels.get(p.handle)! })) });
    return { total: withPersons(all), conversations: conversations.map((c) => ({ ...c, stats: withPersons(c.stats) })) };
  } finally {
    await close();
  }
}

/** People as a reader counts them: the handles of one person (a contact's phone and email) as one, named as `person` says; most messages first. */
export function peopleByPerson(people: CountedPerson[]): CountedPerson[] {
  const byPerson = new Map<string, CountedPerson>();
  for (const p of people) {
    const entry = byPerson.get(p.person);
    if (!entry) byPerson.set(p.person, { ...p });
    else {
      entry.messages += p.messages;
      entry.reactionsGiven += p.reactionsGiven;
      entry.reactionsReceived += p.reactionsReceived;
    }
  }
  return [...byPerson.values()].sort((a, b) => b.messages - a.messages || a.person.localeCompare(b.person));
}
