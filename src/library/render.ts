import { runExport, type ExportSummary } from '../engine/export.js';
import { refuseUnused } from '../engine/format-options.js';
import { resolveOptions } from '../engine/options.js';
import { rawOptions, stateOf, type MessageArchive } from './archive.js';
import { inLibraryTerms } from './option-names.js';

export type Format = 'txt' | 'html' | 'pdf' | 'json' | 'ndjson' | 'csv';

export interface RenderOptions {
  /** One format or several. */
  format: Format | Format[];
  /** The folder to write into (made when missing). */
  out: string;
  attachments?: 'copy' | 'link' | 'none';
  pdfStyle?: 'chat' | 'transcript';
  pageSize?: 'letter' | 'a4';
  pdfStandard?: 'pdf-a-2b' | 'none';
  csvBom?: boolean;
  /** 'quote': a cell a spreadsheet would run as a formula starts with an apostrophe (default 'keep'). */
  csvFormulas?: 'keep' | 'quote';
  /** Set `interrupted` to true to stop early; unfinished files are removed. */
  signal?: { interrupted: boolean };
}

/**
 * Writes the archive's conversations in these formats, as `textkeeper export` does (worker threads included),
 * reading its sources again; refused once the archive is closed. The warnings opening them gave, openArchive
 * said: the summary counts the others, which onWarning gets.
 */
export async function render(archive: MessageArchive, options: RenderOptions): Promise<ExportSummary> {
  const { format, csvBom, signal, ...rest } = options;
  const raw = {
    ...rawOptions(archive.options),
    ...rest,
    format: [format].flat().join(','),
    csvBom: csvBom === undefined ? undefined : String(csvBom),
  };
  const { stillOpen, warnings } = stateOf(archive);
  return inLibraryTerms(async () => {
    stillOpen();
    const resolved = resolveOptions(raw, true);
    const given = new Map(Object.entries(options));
    refuseUnused((name) => given.get(name) !== undefined, resolved.formats);
    const { log, saidAlready } = warnings.rendering();
    const summary = await runExport({ ...resolved, log }, signal ?? { interrupted: false });
    return { ...summary, warnings: summary.warnings - saidAlready() };
  });
}
