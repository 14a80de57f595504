import type { ResolvedOptions } from '../engine/options.js';
import type { DamageCounts } from '../engine/sources.js';
import { oneLine } from '../render/control-pictures.js';
import { formatBytes } from '../render/describe.js';
import { countOf } from '../words/counts.js';
import { distinctTitles } from '../output/distinct-titles.js';
import { archiveStats, peopleByPerson, type PeopleStats } from '../stats/archive-stats.js';
import type { MonthStats } from '../stats/collector.js';

const n = (x: number) => x.toLocaleString('en-US');
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Prints the statistics of the chosen conversations: in total, then one block per conversation (or all as JSON). */
export async function runStats(options: ResolvedOptions, json: boolean): Promise<DamageCounts> {
  let damage: DamageCounts = { findings: 0, unreadable: 0 };
  const stats = await archiveStats(options, (found) => (damage = found));
  if (json) {
    process.stdout.write(`${JSON.stringify(stats, null, 2)}\n`);
  } else {
    // Conversations sharing a title are told apart as their files are (`Book club (Ann Lee)`).
    const titles = distinctTitles(stats.conversations.map((c) => c.conversation));
    const blocks = [describe('All conversations', stats.total), ...stats.conversations.map((c, i) => describe(titles[i]!, c.stats))];
    process.stdout.write(`${blocks.join('\n')}`);
  }
  return damage;
}

function describe(title: string, s: PeopleStats): string {
  const events = s.events > 0 ? ` (and ${countOf(s.events, 'group event')})` : '';
  const lines = [`${oneLine(title)}: ${countOf(s.messages, 'message')}${events}${s.firstDate ? `, ${s.firstDate.slice(0, 10)} to ${s.lastDate!.slice(0, 10)}` : ''}`];
  const people = peopleByPerson(s.people).map((p) => ({ ...p, name: oneLine(p.person) }));
  lines.push(`  by person: ${listed(people.filter((p) => p.messages > 0).map((p) => `${p.name} ${n(p.messages)}`))}`);
  lines.push(`  busiest days: ${listed(s.busiestDays.map((d) => `${d.day} (${n(d.messages)})`))}`);
  const kinds = Object.entries(s.attachments.byKind).map(([kind, k]) => `${kind} ${n(k.count)} (${formatBytes(k.bytes)})`);
  lines.push(`  attachments: ${n(s.attachments.count)}, ${formatBytes(s.attachments.bytes)}${kinds.length > 0 ? `: ${kinds.join(', ')}` : ''}`);
  const reacting = people.filter((p) => p.reactionsGiven + p.reactionsReceived > 0);
  lines.push(`  reactions: ${n(s.reactions.count)}${reacting.length > 0 ? `; given/received: ${listed(reacting.map((p) => `${p.name} ${n(p.reactionsGiven)}/${n(p.reactionsReceived)}`))}` : ''}`);
  // Counted as the first line counts, so that it adds up to list's KEPT ONLY (which counts group events too).
  const keptEvents = s.keptOnlyEvents > 0 ? ` (and ${countOf(s.keptOnlyEvents, 'group event')})` : '';
  if (s.keptOnly + s.keptOnlyEvents > 0) lines.push(`  kept only by this archive: ${countOf(s.keptOnly, 'message')}${keptEvents}, no longer in the sources`);
  lines.push(...monthTable(s.months));
  return `${lines.join('\n')}\n`;
}

/** How many people a line names: all 400 of a million-message history made it 8,800 characters long (--json has everyone). */
const PEOPLE_SHOWN = 20;

function listed(items: string[]): string {
  if (items.length === 0) return 'none';
  const more = items.length - PEOPLE_SHOWN;
  return more > 1 ? `${items.slice(0, PEOPLE_SHOWN).join(', ')} and ${n(more)} more (--json lists everyone)` : items.join(', ');
}

/** Messages per month as a year a row, January to December. */
function monthTable(months: MonthStats[]): string[] {
  if (months.length === 0) return ['  per month: none'];
  const width = Math.max(3, ...months.map((m) => n(m.messages).length));
  const row = (label: string, cells: string[]) => `    ${label.padEnd(6)}${cells.map((c) => c.padStart(width)).join(' ')}`.trimEnd();
  const years = new Map<string, string[]>();
  for (const { month, messages } of months) {
    const year = month.slice(0, 4);
    if (!years.has(year)) years.set(year, new Array<string>(12).fill(''));
    years.get(year)![Number(month.slice(5, 7)) - 1] = n(messages);
  }
  return ['  per month:', row('', MONTHS), ...[...years].map(([year, cells]) => row(year, cells))];
}
