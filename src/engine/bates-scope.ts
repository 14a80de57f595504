import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { endsTheRun, Refusal } from '../errors.js';
import { unquoteFormula } from '../output/spreadsheet-cell.js';
import { inBatesOrder, label } from '../render/pdf/bates.js';
import type { BatesOptions } from '../render/renderer.js';

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

/**
 * A PDF this run numbers: its conversation's title and file, and whether its pages are those an earlier run wrote
 * (throws when its conversation cannot be read from the store).
 */
export interface NumberedPdf {
  title: string;
  file: string;
  unchanged: () => boolean;
}

/** A row of bates.csv. */
interface Produced {
  file: string;
  first: string;
  last: string;
}

/**
 * A Bates number, once produced, names one page for ever: a run that would give a number of the folder's
 * bates.csv to another page (a numbered PDF changed since, another PDF put before it, another start) is refused
 * before anything is written, unless none of its numbers can be one of those (another prefix, a start after them).
 */
export function refuseMovingBatesNumbers(outDir: string, bates: BatesOptions, pdfs: NumberedPdf[]): void {
  const produced = producedBefore(outDir);
  if (!produced.some((row) => mayReuse(row, bates))) return;
  const order = inBatesOrder(pdfs, (p) => p.title, (p) => p.file);
  const moved = produced.findIndex((row, i) => whyMoved(row, i, order[i], bates) !== undefined);
  if (moved < 0) return;
  const row = produced[moved]!;
  const last = Math.max(...produced.map((r) => numberOf(r.last)));
  throw new Refusal(
    `--bates ${bates.prefix}:${bates.start} would give ${row.first}, the first page of “${row.file}” in this folder's bates.csv, to another page ` +
      `(${whyMoved(row, moved, order[moved], bates)}): a Bates number, once produced, names one page. Make this production in a new folder ` +
      `(\`textkeeper export --archive ${outDir} --out NEW --format pdf --bates ${bates.prefix}:${bates.start}\`), ` +
      `or give another prefix or a start after the last number produced (--bates ${bates.prefix}:${last + 1}).`,
  );
}

function whyMoved(row: Produced, i: number, now: NumberedPdf | undefined, bates: BatesOptions): string | undefined {
  if (i === 0 && row.first !== label(bates, bates.start)) return `the numbers would start at ${label(bates, bates.start)}`;
  if (now?.file !== row.file) return now ? `“${now.file}” would have it` : `no PDF would have it`;
  return keepsPages(row, now, bates) ? undefined : `“${row.file}” changed since it was numbered`;
}

/**
 * Whether the PDF's pages are those the row numbered. A conversation that cannot be read (a damaged page of the
 * store) would be left out, and the numbers after it moved: the run is refused, saying so; a failure of the
 * machine (a failing disk) ends it as such.
 */
function keepsPages(row: Produced, pdf: NumberedPdf, bates: BatesOptions): boolean {
  try {
    return pdf.unchanged();
  } catch (error) {
    if (endsTheRun(error)) throw error;
    throw new Refusal(
      `--bates ${bates.prefix}:${bates.start} cannot tell whether “${row.file}” keeps ${row.first} to ${row.last}, its numbers in this folder's bates.csv: ` +
        `its conversation “${pdf.title}” could not be read from the archive's store (${(error as Error).message}).`,
    );
  }
}

/** Whether the run's numbers may be among this row's: the same prefix, from a start not after its last. */
function mayReuse(row: Produced, bates: BatesOptions): boolean {
  return prefixOf(row.last) === bates.prefix && bates.start <= numberOf(row.last);
}

function prefixOf(label: string): string {
  return label.slice(0, label.lastIndexOf('-'));
}

function numberOf(label: string): number {
  return Number(label.slice(label.lastIndexOf('-') + 1));
}

/** The rows of the folder's bates.csv (as `PdfRenderer.finish` writes it), none when there is none. */
function producedBefore(outDir: string): Produced[] {
  const path = join(outDir, 'bates.csv');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return csvRecords(text, path).slice(1).filter((cells) => cells.length === 3).map((cells) => {
    const [file, first, last] = cells.map(unquoteFormula) as [string, string, string];
    return { file, first, last };
  });
}

/** A CSV file's records, those of empty cells only left out; a file that is not CSV is refused, as its numbers cannot be kept. */
function csvRecords(text: string, path: string): string[][] {
  try {
    return parse(text, { bom: true, relax_column_count: true, skip_records_with_empty_values: true }) as string[][];
  } catch (error) {
    throw new Refusal(`${path} lists the Bates numbers produced, but it cannot be read as CSV (${(error as Error).message}): restore it from a backup, or make this production in a new folder.`);
  }
}
