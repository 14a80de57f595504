import { resolve, sep } from 'node:path';
import { safeStem, SHELL_FILES } from '../output/files.js';

/**
 * A file name safe to create on any system, from whatever name the database gives an attachment.
 * Only the last path segment survives, so names like `../../x.txt` cannot climb out of a folder.
 * Names come from macOS and iOS, where a backslash is a character of the name (`back\slash.jpg`): it is
 * made safe with the rest, not taken for a separator.
 */
export function safeFileName(name: string): string {
  const last = name.split('/').pop() ?? '';
  const dot = last.lastIndexOf('.');
  const base = dot > 0 ? last.slice(0, dot) : last;
  const extension = dot > 0 ? last.slice(dot + 1).replace(/[^A-Za-z0-9]/g, '').slice(0, 10) : '';
  const stem = base.replace(/^[.\s]+/, '') === '' ? 'attachment' : safeStem(base, 100);
  const safe = extension ? `${stem}.${extension}` : stem;
  return SHELL_FILES.test(safe) ? `_${safe}` : safe;
}

/** Resolves a relative path inside `root`, refusing any that would land outside it. */
export function insideFolder(root: string, relativePath: string): string {
  const base = resolve(root);
  const full = resolve(base, relativePath);
  if (!full.startsWith(base.endsWith(sep) ? base : base + sep)) throw new Error(`refusing to write outside the archive: ${relativePath}`);
  return full;
}
