import type { ResolvedOptions } from '../engine/options.js';
import { openHistory, type DamageCounts } from '../engine/sources.js';
import { reportChoice } from '../select/report.js';
import { conversationRecord, type ConversationRecord } from '../render/json/records.js';
import { StatsCollector, type Stats } from './collector.js';
import { Progress } from '../engine/progress.js';

export interface ArchiveStats {
  total: Stats;
  conversations: { conversation: ConversationRecord; stats: Stats }[];
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
    const conversations: ArchiveStats['conversations'] = [];
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
    return { total: total.result(), conversations };
  } finally {
    await close();
  }
}
