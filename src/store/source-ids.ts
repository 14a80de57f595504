import type { ArchiveRun } from '../model/types.js';

type RunSource = ArchiveRun['sources'][number];

/**
 * The kind of source a description names, whatever folder it was read from: `chat.db`, or an iPhone backup
 * by the device's name (`iPhone backup: Anna’s iPhone, iOS 17.5, backed up 2024-05-01` → `iPhone backup of
 * Anna’s iPhone`); undefined for another archive.
 */
function kindOf(description: string): string | undefined {
  if (description.startsWith('chat.db at ')) return 'chat.db';
  const backup = /^iPhone backup: (.+?)(?:, iOS [^,]+)?(?:, backed up \d{4}-\d\d-\d\d(?: \d\d:\d\d UTC)?)?(?:, encrypted)?$/.exec(description);
  return backup ? `iPhone backup of ${backup[1]}` : undefined;
}

/**
 * The names of sources a store before version 7 knew by their description (`chat.db at /copies/2026-03/chat.db`)
 * that one of this run's sources is, by that source's id: its kind is the name's, and neither is read beside
 * another source of that kind (two Macs' databases stay apart). A name another archive gave is left alone.
 */
export function legacyNamesOf(run: RunSource[], earlier: RunSource[][], names: string[]): Map<string, string> {
  const shared = new Set<string>();
  const imported = new Set<string>();
  const own = new Set<string>();
  for (const sources of [run, ...earlier]) {
    const kinds = sources.map((s) => kindOf(s.description));
    sources.forEach((s, i) => {
      if (kinds.indexOf(kinds[i]) !== kinds.lastIndexOf(kinds[i])) shared.add(s.description);
      if (!s.id && !s.recorded) own.add(s.description);
      for (const r of s.recorded ?? []) imported.add(r.description);
    });
  }
  const adopted = new Map<string, string>();
  for (const source of run) {
    const kind = kindOf(source.description);
    if (!source.id || !kind || shared.has(source.description)) continue;
    for (const name of names) {
      if (name !== source.id && own.has(name) && !imported.has(name) && !shared.has(name) && kindOf(name) === kind) adopted.set(name, source.id);
    }
  }
  return adopted;
}

/**
 * When the latest of `runs` that read the Mac database `source` is a copy of (by its id) further on began, undefined
 * when none did: further on, it had given a message a higher ROWID and had no older newest message. `source` is then
 * an older copy; a database restored from an older backup is not, once it has got a message newer than that run's.
 */
export function readFurtherAt(source: RunSource, runs: ArchiveRun[]): number | undefined {
  const { id, newest } = source;
  if (id === undefined || newest === undefined) return undefined;
  const further = (s: RunSource) => s.id === id && s.newest !== undefined && s.newest.rowId > newest.rowId && s.newest.sent >= newest.sent;
  return runs.filter((run) => run.sources.some(further)).at(-1)?.startedAt.getTime();
}
