import { countOf, formatCount } from './counts.js';

/**
 * What a run found changed in the archive folder since the run before it sealed it, not by textkeeper, from its
 * record's counts (`storeAltered`, `changedFiles`, `removedFiles`, `addedFiles`): one phrase each for the store and
 * the files, "found …" (none when it found nothing). `verify`'s history lines and HTML's Runs section say the same.
 */
export function outsideFindings(counts: Record<string, number>): string[] {
  const store = counts.storeAltered ? ['found textkeeper.sqlite changed by another program since the run before: every conversation read again from the sources'] : [];
  const files = (['changed', 'removed', 'added'] as const).filter((kind) => counts[`${kind}Files`]);
  if (files.length === 0) return store;
  const said = files.map((kind, i) => `${i === 0 ? countOf(counts[`${kind}Files`]!, 'file') : formatCount(counts[`${kind}Files`]!)} ${kind}`);
  return [...store, `found ${said.join(', ')} by another program since the run before`];
}
