import { attachmentsOf, withheldWhy } from '../model/attachments.js';
import type { Message } from '../model/types.js';
import type { MessageStream } from '../render/renderer.js';

/** What rendering some conversations counted. */
export interface ShardCounts {
  messages: number;
  attachments: number;
  /** Of those, Live Photos' movies (see `Attachment.livePhoto`). */
  livePhotoMovies: number;
  /** Not on disk (withheld ones not counted). */
  missingAttachments: number;
  /** Of those, the ones the database says Messages offloaded to iCloud (`Attachment.missingReason`). */
  inICloudOnly: number;
  /** Of those, the ones an iPhone backup lacks (`Attachment.fromBackup`): a new backup brings them, not another run. */
  inICloudOnlyInBackups: number;
  /** On disk but not copied: outside the attachments folder, over --max-attachment-size, unreadable (permissions, a failing disk), or a folder. */
  withheldAttachments: number;
  /** Those, by why (see withheldWhy). */
  withheldWhy: Map<string, number>;
  warnings: number;
  /** Conversations that failed and were left out (each said on stderr as it happened). */
  skipped: number;
  /** With several sources: messages found in only one of them, by source. */
  onlyIn: Map<string, number>;
  /** Attachment placeholders with no attachment row (not counted as attachments). */
  notInDatabase: number;
  /** With several sources: messages every source has. */
  inEvery: number;
  /** Conversations unchanged since the archive's last run: their files were kept, not read again. */
  kept: number;
}

/** Counts before anything is rendered; with several sources, each starts at no message found only in it. */
export function noCounts(archive: { sourceNames: string[] }): ShardCounts {
  const onlyIn = new Map(archive.sourceNames.length > 1 ? archive.sourceNames.map((name) => [name, 0]) : []);
  return { messages: 0, attachments: 0, livePhotoMovies: 0, missingAttachments: 0, inICloudOnly: 0, inICloudOnlyInBackups: 0, withheldAttachments: 0, withheldWhy: new Map(), warnings: 0, skipped: 0, onlyIn, inEvery: 0, notInDatabase: 0, kept: 0 };
}

/**
 * What a conversation's files count of its attachments, as the store keeps it with them (`rendered.counts`): a run
 * that keeps every file of the conversation still counts them.
 */
export function attachmentCounts({ attachments, livePhotoMovies, missingAttachments, inICloudOnly, inICloudOnlyInBackups, withheldAttachments, withheldWhy, notInDatabase }: ShardCounts): string {
  return JSON.stringify({ attachments, livePhotoMovies, missingAttachments, inICloudOnly, inICloudOnlyInBackups, withheldAttachments, withheldWhy: Object.fromEntries(withheldWhy), notInDatabase });
}

/** The sum of these conversations' `attachmentCounts`; undefined when one is not known (its files were written before they were kept). */
export function addAttachmentCounts(counted: (string | undefined)[]): ShardCounts | undefined {
  if (counted.includes(undefined)) return undefined;
  return addCounts(counted.map((json) => {
    const { withheldWhy, ...counts } = JSON.parse(json!) as Omit<ShardCounts, 'withheldWhy'> & { withheldWhy: Record<string, number> };
    return { ...noCounts({ sourceNames: [] }), ...counts, withheldWhy: new Map(Object.entries(withheldWhy)) };
  }));
}

export function addCounts(all: ShardCounts[]): ShardCounts {
  const total = noCounts({ sourceNames: [] });
  for (const c of all) {
    total.messages += c.messages;
    total.attachments += c.attachments;
    total.livePhotoMovies += c.livePhotoMovies;
    total.missingAttachments += c.missingAttachments;
    total.inICloudOnly += c.inICloudOnly;
    total.inICloudOnlyInBackups += c.inICloudOnlyInBackups;
    total.withheldAttachments += c.withheldAttachments;
    for (const [why, n] of c.withheldWhy) total.withheldWhy.set(why, (total.withheldWhy.get(why) ?? 0) + n);
    total.warnings += c.warnings;
    total.skipped += c.skipped;
    for (const [source, n] of c.onlyIn) total.onlyIn.set(source, (total.onlyIn.get(source) ?? 0) + n);
    total.inEvery += c.inEvery;
    total.notInDatabase += c.notInDatabase;
    total.kept += c.kept;
  }
  return total;
}

/** Counts messages, attachments and problems on the first renderer's first pass only. */
export function counting(stream: MessageStream, summary: ShardCounts, warn: (m: string) => void): MessageStream {
  let counted = false;
  return function* () {
    const first = !counted;
    counted = true;
    for (const message of stream()) {
      if (first) tally(message, summary, warn);
      yield message;
    }
  };
}

function tally(message: Message, summary: ShardCounts, warn: (m: string) => void): void {
  summary.messages++;
  // Sticker reactions' files too: the missing ones are as lost as a photo's.
  for (const a of attachmentsOf(message)) {
    if (a.notInDatabase) {
      summary.notInDatabase++;
      continue;
    }
    summary.attachments++;
    if (a.livePhoto) summary.livePhotoMovies++;
    if (a.withheld) {
      summary.withheldAttachments++;
      const why = withheldWhy(a.withheld);
      summary.withheldWhy.set(why, (summary.withheldWhy.get(why) ?? 0) + 1);
    } else if (a.missing) {
      summary.missingAttachments++;
      if (a.missingReason === 'icloud') summary.inICloudOnly++;
      if (a.missingReason === 'icloud' && a.fromBackup) summary.inICloudOnlyInBackups++;
    }
  }
  for (const problem of message.problems) warn(`message ${message.guid}: ${problem}`);
  // One only the archive keeps is in no source now: not in the one that had it last.
  if (message.absentSince) return;
  if (message.sources?.length === 1) {
    const only = message.sources[0]!;
    summary.onlyIn.set(only, (summary.onlyIn.get(only) ?? 0) + 1);
  }
  if (summary.onlyIn.size > 0 && !message.sources) summary.inEvery++;
}
