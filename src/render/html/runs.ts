import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ArchiveRun, SourceCheck } from '../../model/types.js';
import { writeAtomically } from '../../output/files.js';
import type { DateFormatter } from '../dates.js';
import { countOf, formatCount } from '../../words/counts.js';
import { outsideFindings } from '../../words/outside-findings.js';
import { escapeHtml } from './escape.js';
import { refreshAssets } from './assets.js';

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
  const section = runsSection(runs, dates);
  const updated = SECTION.test(index) ? index.replace(SECTION, () => section) : index.replace(BEFORE, () => `${section}${BEFORE}`);
  await refreshAssets(outDir, ['runs.css']);
  await writeAtomically(path, updated);
}

/** What each outcome of a source's check is called. */
const CHECKS: Record<SourceCheck, string> = {
  sound: 'checked: sound',
  'sound with its -wal': 'checked with its -wal: sound',
  damaged: 'checked: damaged',
  off: 'not checked (--no-check)',
  earlier: 'not checked again: an earlier run checked this very file',
};

/**
 * The section itself, written here rather than from a template: a run that keeps every page would
 * otherwise load and compile Handlebars (a tenth of a second) for this table alone.
 */
function runsSection(runs: ArchiveRun[], dates: DateFormatter): string {
  // Folded under one line: an archive exported into every month for years has a long table, and the conversations come after it.
  const latest = dates.at(runs.at(-1)!.startedAt).dateTime;
  return `<section class="runs">
  <link rel="stylesheet" href="assets/runs.css">
  <details>
  <summary><h2>Runs</h2> <span class="latest">${formatCount(runs.length)} exports into this folder, the latest on ${latest}</span></summary>
  <p class="summary">Every export into this folder, oldest first. A message no source of a run had any more is kept, marked “not on the device since” that run.</p>
  <div class="table-scroll">
  <table>
    <colgroup><col class="when"><col class="version"><col><col class="counts"></colgroup>
    <thead><tr><th>Started</th><th>textkeeper</th><th>Sources</th><th>Messages</th></tr></thead>
    <tbody>
${runs.map((run) => runRow(run, dates)).join('')}    </tbody>
  </table>
  </div>
  </details>
</section>
`;
}

function runRow(run: ArchiveRun, dates: DateFormatter): string {
  const unfinished = run.finishedAt ? '' : ' <span class="unfinished">(did not finish)</span>';
  return `      <tr>
        <td>${dates.at(run.startedAt).dateTime}${unfinished}</td>
        <td>${escapeHtml(run.toolVersion)}</td>
        <td>${run.sources.map((source) => sourceCell(source, dates)).join('')}</td>
        <td>${describeCounts(run.counts ?? {})}</td>
      </tr>
`;
}

function sourceCell(source: ArchiveRun['sources'][number], dates: DateFormatter): string {
  const device = source.device ? ` · ${escapeHtml(source.device)}` : '';
  const sha256 = source.sha256 ? `<br><code title="SHA-256 of its database file">SHA-256 ${escapeHtml(source.sha256)}</code>` : '';
  const wal = source.walSha256 ? `<br><code title="SHA-256 of the -wal read with its database file">its -wal's SHA-256 ${escapeHtml(source.walSha256)}</code>` : '';
  const check = source.check ? `<br><span class="check">${CHECKS[source.check]}</span>` : '';
  const older = source.olderThan === undefined ? '' : `<br><span class="check">an older copy of the database the run of ${dates.at(new Date(source.olderThan)).dateTime} read: what it lacks was not taken as gone</span>`;
  return `<div class="source">${escapeHtml(source.description)}${device}${sha256}${wal}${check}${older}</div>`;
}

function describeCounts(counts: Record<string, number>): string {
  const said = [
    ['messages', 'messages'], ['added', 'added'], ['changed', 'changed'], ['absent', 'newly not on the device'],
  ].filter(([key]) => counts[key!] !== undefined).map(([key, label]) => `${formatCount(counts[key!]!)} ${label}`);
  if (counts.returned) said.push(`${formatCount(counts.returned)} back on the device`);
  if (counts.replaced) said.push(`${countOf(counts.replaced, 'attachment')} changed on the device (both kept)`);
  if (counts.attachments !== undefined) said.push(attachmentsCount(counts));
  const found = outsideFindings(counts).map((line) => `<strong class="found">${line}</strong>`);
  // (A run that did not finish has nothing else to say.)
  return [`${said.join(', ')}${unfinishedCounted(counts.unfinished)}`, ...found].filter((part) => part !== '').join('<br>');
}

/** The runs before a run that did not finish recorded no counts: what they took in is in this run's. */
function unfinishedCounted(unfinished: number | undefined): string {
  if (!unfinished) return '';
  const before = unfinished === 1 ? 'the run before it' : `the ${formatCount(unfinished)} runs before it`;
  return `<br><span class="unfinished">added, changed and newly not on the device include what ${before}, which did not finish, took in</span>`;
}

/** Conversations whose files a run kept were not read again, so their attachments were not counted. */
function attachmentsCount({ attachments, conversations, kept }: Record<string, number>): string {
  if (!kept) return `${formatCount(attachments!)} attachments`;
  const written = conversations! - kept;
  if (written <= 0) return 'every file kept as it was';
  return `${formatCount(attachments!)} attachments in the ${countOf(written, 'conversation')} written`;
}
