import { readdirSync } from 'node:fs';
import { Refusal } from '../errors.js';

const SHOWN = 3;

/**
 * Bates numbers run across the PDFs one run writes. A PDF in the folder that this run does not write (kept
 * for a conversation --chat, --since or --until left out, or put there by hand) would keep numbers from
 * another sequence or none, and bates.csv would not list it: such a run is refused before anything is written.
 */
export function refuseBatesBesideOtherPdfs(outDir: string, written: string[]): void {
  const ours = new Set(written);
  const others = readdirSync(outDir).filter((name) => name.toLowerCase().endsWith('.pdf') && !ours.has(name)).sort();
  if (others.length === 0) return;
  const named = others.slice(0, SHOWN).map((name) => `“${name}”`).join(', ') + (others.length > SHOWN ? ', …' : '');
  throw new Refusal(
    `--bates numbers every PDF of ${outDir} as one sequence, but this run would not write ${others.length} of them (${named}): ` +
      `export into a new folder (\`textkeeper export --archive ${outDir} --out NEW …\`), or run without --chat, --since and --until.`,
  );
}
