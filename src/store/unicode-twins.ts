// A name in two Unicode forms (é as one letter, or as e and ´) is one name to macOS and two to most other systems:
// a folder there can hold a file under each, which look alike when printed.

/**
 * The names in `found` kept apart from a name of the archive's by their Unicode form alone (see `listFilesAs`, which
 * takes any that are the archive's file for it): each by the archive's spelling of its name, and that by it.
 */
export function twinsApart(archive: ReadonlySet<string>, found: Iterable<string>): Map<string, string> {
  const twins = new Map<string, string>();
  let byName: Map<string, string> | undefined;
  for (const path of found) {
    if (archive.has(path) || ASCII.test(path)) continue;
    byName ??= new Map([...archive].map((known) => [known.normalize('NFC'), known]));
    const twin = byName.get(path.normalize('NFC'));
    if (twin === undefined) continue;
    twins.set(path, twin);
    twins.set(twin, path);
  }
  return twins;
}

/**
 * What tells a name from its twin (see `twinsApart`), said after it: " (spelled Zoe\u0308.txt: the name of the
 * archive's Zo\u00eb.txt in another Unicode form, another file on this disk)", or for the archive's name " (spelled
 * Zo\u00eb.txt: Zoe\u0308.txt, its name in another Unicode form, is another file on this disk)"; nothing without a twin.
 */
export function twinNote(path: string, twins: ReadonlyMap<string, string>, archive: ReadonlySet<string>): string {
  const twin = twins.get(path);
  if (twin === undefined) return '';
  if (archive.has(path)) return ` (spelled ${escaped(path)}: ${escaped(twin)}, its name in another Unicode form, is another file on this disk)`;
  return ` (spelled ${escaped(path)}: the name of the archive's ${escaped(twin)} in another Unicode form, another file on this disk)`;
}

const ASCII = /^[\x00-\x7f]*$/;

/** What differs between a name's Unicode forms, as escapes: a letter with its mark (ë: \u00eb), a mark (\u0308), a Hangul jamo. */
function escaped(path: string): string {
  return path.replace(/[^\x00-\x7f]/gu, (c) => (c.normalize('NFD') !== c || /[\p{M}\u1100-\u11ff]/u.test(c) ? codePoint(c) : c));
}

function codePoint(c: string): string {
  const code = c.codePointAt(0)!;
  return code > 0xffff ? `\\u{${code.toString(16)}}` : `\\u${code.toString(16).padStart(4, '0')}`;
}
