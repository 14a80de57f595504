import type { ResolvedOptions } from '../engine/options.js';
import { openHistory } from '../engine/sources.js';
import { conversationRecord, type ConversationRecord } from '../render/json/records.js';
import { StatsCollector, type Stats } from './collector.js';

export interface ArchiveStats {
  total: Stats;
  conversations: { conversation: ConversationRecord; stats: Stats }[];
}

/** Reads every chosen conversation once and sums it up, per conversation and in total. */
export async function archiveStats(options: ResolvedOptions): Promise<ArchiveStats> {
  const { history: archive, close } = await openHistory(options);
  try {
    const total = new StatsCollector(options.dates);
    const conversations: ArchiveStats['conversations'] = [];
    for (const plan of archive.conversations()) {
      const one = new StatsCollector(options.dates);
      for (const message of archive.messages(plan)()) {
        one.add(message);
        total.add(message);
      }
      conversations.push({ conversation: conversationRecord(plan.conversation, (d) => options.dates.iso(d)), stats: one.result() });
    }
    return { total: total.result(), conversations };
  } finally {
    await close();
  }
}
