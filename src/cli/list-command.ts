import type { ResolvedOptions } from '../engine/options.js';
import { openArchive, reportDamage, type DamageCounts } from '../engine/sources.js';

/** Prints one line per conversation: id, name or participants, message count, first and last date. */
export async function runList(options: ResolvedOptions): Promise<DamageCounts> {
  const { archive, close } = await openArchive(options);
  try {
    const damage = reportDamage(archive, options.log);
    const rows = archive.conversations().map(({ conversation: c }) => [
      c.id,
      c.title,
      String(c.messageCount),
      c.firstDate ? options.dates.dateTime(c.firstDate) : '',
      c.lastDate ? options.dates.dateTime(c.lastDate) : '',
    ]);
    const lines = [['ID', 'CONVERSATION', 'MESSAGES', 'FIRST', 'LAST'], ...rows].map((cells) => cells.join('\t'));
    process.stdout.write(`${lines.join('\n')}\n`);
    return damage;
  } finally {
    await close();
  }
}
