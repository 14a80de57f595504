import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ArchiveRun, SourceCheck } from '../../model/types.js';
import { AtomicFile } from '../../output/files.js';
import type { DateFormatter } from '../dates.js';
import { compileTemplate, TEMPLATE_DIR } from './templates.js';

const SECTION = /<section class="runs">[^]*?<\/section>\n/;
/** Where the section goes in index.html: after the activity chart, before the conversations. */
const BEFORE = '<div class="sort"';

/**
 * Shows the archive's runs in its index.html ("Runs"), once the folder has been exported into more than
 * once; the section is replaced on every run, also when the conversations' pages were all kept. An index
 * of one run stays as an export without a store writes it.
 */
export async function showRuns(outDir: string, runs: ArchiveRun[], dates: DateFormatter): Promise<void> {
  if (runs.length < 2) return;
  const path = join(outDir, 'index.html');
  const index = await readFile(path, 'utf8').catch(() => undefined);
  if (index === undefined || !index.includes(BEFORE)) return;
  const section = compileTemplate('runs.hbs')({ runs: runs.map((run) => runView(run, dates)) });
  const updated = SECTION.test(index) ? index.replace(SECTION, () => section) : index.replace(BEFORE, () => `${section}${BEFORE}`);
  await mkdir(join(outDir, 'assets'), { recursive: true });
  await copyFile(join(TEMPLATE_DIR, 'runs.css'), join(outDir, 'assets', 'runs.css'));
  const file = new AtomicFile(path);
  await file.write(updated);
  await file.commit();
}

/** What each outcome of a source's check is called. */
const CHECKS: Record<SourceCheck, string> = {
  sound: 'checked: sound',
  'sound with its -wal': 'checked with its -wal: sound',
  damaged: 'checked: damaged',
  off: 'not checked (--no-check)',
  earlier: 'not checked again: an earlier run checked this very file',
};

function runView(run: ArchiveRun, dates: DateFormatter) {
  return {
    started: dates.at(run.startedAt).dateTime,
    unfinished: !run.finishedAt,
    version: run.toolVersion,
    sources: run.sources.map((source) => ({ ...source, check: source.check && CHECKS[source.check] })),
    counts: describeCounts(run.counts ?? {}),
  };
}

function describeCounts(counts: Record<string, number>): string {
  const said = [
    ['messages', 'messages'], ['added', 'added'], ['changed', 'changed'], ['absent', 'newly not on the device'], ['attachments', 'attachments'],
  ].filter(([key]) => counts[key!] !== undefined).map(([key, label]) => `${counts[key!]!.toLocaleString('en-US')} ${label}`);
  return said.join(', ');
}
