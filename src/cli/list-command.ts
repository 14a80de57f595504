import type { ResolvedOptions } from '../engine/options.js';
import { openHistory, type DamageCounts } from '../engine/sources.js';
import type { HistoryConversation } from '../normalize/archive.js';
import { shownHandles } from '../model/people.js';
import { conversationRecord } from '../render/json/records.js';
import { reportChoice } from '../select/report.js';
import { formatTable, type Column } from './table.js';

export type ListSort = 'recent' | 'name' | 'messages';

const SORTS: Record<ListSort, (a: HistoryConversation, b: HistoryConversation) => number> = {
  recent: (a, b) => b.conversation.lastDate!.getTime() - a.conversation.lastDate!.getTime(),
  name: (a, b) => a.conversation.title.localeCompare(b.conversation.title, undefined, { sensitivity: 'base' }),
  messages: (a, b) => b.conversation.messageCount - a.conversation.messageCount,
};

const COLUMNS: Column[] = [
  { header: 'ID' },
  // Names cut to a few letters choose nothing: a 100-column terminal gave each name column 10.
  { header: 'CONVERSATION', shrinks: true, keeps: 16 },
  // On a narrow terminal: the participants are in the name or the id, the services and first day matter least.
  { header: 'PARTICIPANTS', shrinks: true, dropOrder: 1 },
  { header: 'SERVICES', dropOrder: 2 },
  { header: 'MESSAGES', alignRight: true },
  { header: 'FIRST', dropOrder: 3 },
  { header: 'LAST' },
];
const KEPT_COLUMN: Column = { header: 'KEPT ONLY', alignRight: true };

/**
 * Prints the conversations (those `--chat` chooses, if given) as a table sized to the terminal, or as a
 * JSON array; with `--chat`, why each was chosen goes to stderr first.
 */
export async function runList(options: ResolvedOptions, how: { sort: ListSort; json: boolean }): Promise<DamageCounts> {
  const { history: archive, reportDamage, close } = await openHistory(options);
  try {
    const damage = await reportDamage(options.log);
    const all = archive.conversations().sort(SORTS[how.sort]);
    reportChoice(archive.selection, () => all.map(({ key, conversation: c }) => ({ key, id: c.id, title: c.title })), options.log, options.quiet);
    if (how.json) {
      process.stdout.write(`${JSON.stringify(all.map((a) => conversationRecord(archive.withOwnerHandles(a), (date) => options.dates.iso(date), options.selection)), null, 2)}\n`);
      return damage;
    }
    // An archive that kept messages its sources lost counts them in a column of their own.
    const kept = all.some((a) => a.conversation.keptOnly);
    const rows = all.map(({ conversation: c }) => [
      c.id,
      c.title,
      c.participants.flatMap((p) => (c.isGroup ? [p.name] : shownHandles(p))).join(', '),
      c.services.join(', '),
      c.messageCount.toLocaleString('en-US'),
      ...(kept ? [(c.keptOnly?.messages ?? 0).toLocaleString('en-US')] : []),
      c.firstDate ? options.dates.dayKey(c.firstDate) : '',
      c.lastDate ? options.dates.dayKey(c.lastDate) : '',
    ]);
    const columns = kept ? [...COLUMNS.slice(0, 5), KEPT_COLUMN, ...COLUMNS.slice(5)] : COLUMNS;
    const width = process.stdout.isTTY ? process.stdout.columns : Infinity;
    process.stdout.write(`${formatTable(columns, rows, width).join('\n')}\n`);
    return damage;
  } finally {
    await close();
  }
}
