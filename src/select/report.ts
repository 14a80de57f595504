import { Refusal } from '../errors.js';
import { oneLine } from '../render/control-pictures.js';
import { looksLikeHandle, type Selection } from './match.js';

/** A conversation as the selection report names it. */
export interface Named {
  key: string;
  id: string;
  title: string;
}

/**
 * What `--chat` chose, one line each, for stderr before anything is written: every conversation chosen
 * and why, terms that chose several conversations by part of a name only, and terms that chose nothing.
 */
function selectionLines(selection: Selection, chosen: Named[]): string[] {
  const lines = chosen.map(({ key, id, title }) => `selected “${title}” (${id}): ${selection.chosen.get(key)!.join('; ')}`);
  for (const { term, count } of selection.loose) {
    lines.push(`note: --chat ${term} is no id, phone number, email or full name; it matched ${count} conversations by part of a name (--exact refuses that)`);
  }
  return [...lines.map(oneLine), ...unmatchedLines(selection)];
}

/** The terms that chose nothing, beside others that chose something: said even with --quiet, or a typo went unseen. */
function unmatchedLines(selection: Selection): string[] {
  return selection.unmatched.map(({ term, closest }) => oneLine(`note: --chat ${term} matches no conversation${closestHint(closest)}${contactsHint(selection, [term])}`));
}

/** Bad input when the terms chose nothing at all: one line naming the closest names. */
function requireSomethingChosen(selection: Selection | undefined): void {
  if (!selection || selection.chosen.size > 0) return;
  const terms = selection.unmatched.map((u) => u.term).join(', ');
  const closest = [...new Set(selection.unmatched.flatMap((u) => u.closest))];
  const hint = contactsHint(selection, selection.unmatched.map((u) => u.term));
  throw new Refusal(`No conversation matches --chat ${terms}${closestHint(closest, selection.unmatched.length)}${hint} (see \`textkeeper list\`).`);
}

/**
 * Refuses terms that chose nothing, then says on `log` what `--chat` chose and why (nothing without `--chat`);
 * `quiet`, only the terms that chose nothing.
 */
export function reportChoice(selection: Selection | undefined, chosen: () => Named[], log: (line: string) => void, quiet = false): void {
  requireSomethingChosen(selection);
  if (selection) for (const line of quiet ? unmatchedLines(selection) : selectionLines(selection, chosen())) log(line);
}

/** A name looked for where no contact named anyone (a copied chat.db without --contacts): where names come from. */
function contactsHint(selection: Selection, terms: string[]): string {
  if (!selection.unnamed || terms.every(looksLikeHandle)) return '';
  return '; no contacts named anyone here, so people go by phone number or email: give --contacts for names';
}

function closestHint(names: string[], terms = 1): string {
  return names.length > 0 ? `; closest: ${names.map((n) => `“${oneLine(n)}”`).join(', ')}` : `; no name is close to ${terms > 1 ? 'them' : 'it'}`;
}
