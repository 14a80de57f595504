// The command line: commands, options, and how every error is reported.
import { resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { describeSystemError, Interrupted, SystemFailure, systemReason, UserError, type RunSignal } from '../errors.js';
import { expandHome, refuseKeptQuote } from '../home-path.js';
import { valuesOf, watchSignals } from './launcher.js';
import type { ListSort } from './list-command.js';
import { VERSION } from '../version.js';
import { DEFAULT_OWNER_NAME } from '../model/owner.js';
import { formatCount as n } from '../words/counts.js';
import { STORE_FILE, SUMS_FILE } from '../store/file-names.js';
import type { RawOptions, ResolvedOptions } from '../engine/options.js';
import type { DamageCounts } from '../engine/sources.js';
import type { ExportSummary } from '../engine/export.js';
import { refuseUnused } from '../engine/format-options.js';

/** Exit codes: see the README ("Bad input"). */
const EXIT_BAD_INPUT = 1;
const EXIT_INTERNAL = 2;
const EXIT_INCOMPLETE = 3;
const EXIT_INTERRUPTED = 130;

const signal: RunSignal = { interrupted: false };

const collect = (value: string, previous: string[] = []) => [...previous, value];
/** A comma list given again adds to it (`--chat Mom --chat Ann`): the last alone silently dropped the others. */
const joined = (value: string, previous?: string) => (previous === undefined ? value : `${previous},${value}`);

/**
 * Commands load what they need when they run, so --help, --version and a mistyped option start at once,
 * and each command only its own modules (an export does not load list's tables).
 */
async function resolved(raw: RawOptions, needsOutput: boolean): Promise<ResolvedOptions> {
  return (await import('../engine/options.js')).resolveOptions(raw, needsOutput);
}

/** "1 attachment", "2 attachments". */
const count = (x: number, word: string) => `${n(x)} ${word}${x === 1 ? '' : 's'}`;

/**
 * "2 conversations unchanged since the last run: their files were kept"; after a run that did not finish (a first
 * one too: no run finished before), that their files were written as they are now, by that run or an earlier one.
 */
function keptLine(s: ExportSummary): string {
  const [its, as] = s.kept === 1 ? ['its', 'it is'] : ['their', 'they are'];
  const since = s.afterUnfinished ? `already written as ${as} now (the last run did not finish)` : 'unchanged since the last run';
  return `${count(s.kept, 'conversation')} ${since}: ${its} files were kept`;
}

/**
 * What to do of missing files Messages offloaded to iCloud: opened in Messages, they are downloaded again, and a run
 * after adds them; those an iPhone backup lacks come with a new backup of the phone.
 */
function inICloudLines(inICloud: number, inBackups: number, missing: number): string[] {
  const onMac = inICloud - inBackups;
  return [
    onMac > 0 && `${whichMissing(onMac, missing, 'stored in iCloud only')}: open ${its(onMac)} in Messages (or turn off Optimize Storage) to download ${them(onMac)}, then export again: the archive adds ${them(onMac)}`,
    inBackups > 0 && `${whichMissing(inBackups, missing, 'in iCloud only, not in the backup')}: open ${its(inBackups)} in Messages on the iPhone to download ${them(inBackups)}, back the iPhone up again, then export the new backup: the archive adds ${them(inBackups)}`,
  ].filter((line): line is string => line !== false);
}

function whichMissing(some: number, missing: number, where: string): string {
  if (some < missing) return `${n(some)} of the ${n(missing)} missing attachments ${some === 1 ? 'is' : 'are'} ${where}`;
  return missing === 1 ? `The missing attachment is ${where}` : `All ${n(missing)} missing attachments are ${where}`;
}

const its = (x: number) => (x === 1 ? 'its conversation' : 'their conversations');
const them = (x: number) => (x === 1 ? 'it' : 'them');

/** "1 of them a Live Photo's movie; ", first in the attachments' parenthesis, when there are any. */
const livePhotoMovies = (movies: number) => (movies === 0 ? '' : `${n(movies)} of them ${movies === 1 ? "a Live Photo's movie" : "Live Photos' movies"}; `);
/** Why files were not copied: "outside the attachments folder", or with several reasons how many each. */
const notCopied = (why: Map<string, number>) => (why.size === 1 ? [...why.keys()][0] : [...why].map(([reason, x]) => `${n(x)} ${reason}`).join(', '));

/** An option taking one of a few words, in any letter case (`--page-size A4`). */
function choice(flags: string, description: string, words: string[]): Option {
  return new Option(flags, description).choices(words).argParser((value: string) => {
    const word = value.toLowerCase();
    if (!words.includes(word)) throw new InvalidArgumentError(`Allowed choices are ${words.join(', ')}.`);
    return word;
  });
}

function sourceOptions(command: Command): Command {
  return command
    .option('--db <path>', 'chat.db to read, may be repeated (default on macOS: ~/Library/Messages/chat.db); never modified', collect)
    .option('--backup <dir>', 'an iPhone backup folder (Finder/iTunes/Apple Devices), may be repeated; never modified', collect)
    .option('--password-file <file>', 'passwords of encrypted backups, one a line, each backup tried with each (else you are asked)')
    .addOption(new Option('--password <password>').hideHelp())
    .option('--attachments-root <dir>', 'folder that stands for ~/Library/Messages (default: the folder holding --db)')
    .option('--contacts <path>', 'names from a .vcf file, an AddressBook folder or an AddressBook.sqlitedb; may be repeated', collect)
    .option('--country <code>', 'region for phone numbers written without a country code (default US)')
    .option('--chat <terms>', 'only these conversations: ids (as `list` shows them), phone numbers, emails, or names; comma list, may be repeated; a person chooses every conversation they are in', joined)
    .option('--exact', '--chat terms must be a whole id, phone number, email or name (no part of a name)')
    .option('--since <date>', 'only messages on or after this day (YYYY-MM-DD) or instant (ISO 8601)')
    .option('--until <date>', 'only messages up to and including this day, or before this instant')
    .option('--timezone <zone>', 'show times in this IANA time zone (default: this computer’s)')
    .option('--me <name>', 'how to name the owner of the messages (event sentences say "you" for the default)', DEFAULT_OWNER_NAME)
    .option('--no-check', 'do not check the database for damage (PRAGMA quick_check)');
}


const program = new Command('textkeeper')
  .description('Archive Apple Messages (iMessage, SMS, MMS, RCS) from a chat.db or an iPhone backup into text, HTML, PDF, JSON, NDJSON and CSV.')
  .version(VERSION)
  // Commander's own errors (an unknown option or command, a missing argument) as one line like every other,
  // pointing to the help that lists the command's options.
  .configureOutput({ outputError: (text, write) => write(`textkeeper: ${text.replace(/^error: /, '').trim().split('\n').join(' ').replace(/\.$/, '')} (see ${helpFor(process.argv.slice(2))}).\n`) });

// Commander keeps an option's last value: given twice, the first was dropped without a word (--out a --out b).
program.hook('preAction', (_, command) => refuseRepeated(command, process.argv.slice(2)));

/** An option taking one value (not a list, as --db or --chat) given twice is refused, with both values. */
function refuseRepeated(command: Command, args: string[]): void {
  for (const option of command.options) {
    if (!option.long || !(option.required || option.optional) || option.parseArg === collect || option.parseArg === joined) continue;
    const given = valuesOf(args, option.long);
    if (given.length > 1) throw new UserError(`${option.long} was given ${given.length} times (${given.join(', ')}): give it once.`);
  }
}

/** `textkeeper list --help` for a mistake in list's options; `textkeeper --help` when no command is known. */
function helpFor(args: string[]): string {
  const command = args.find((arg) => !arg.startsWith('-'));
  return program.commands.some((c) => c.name() === command) ? `textkeeper ${command} --help` : 'textkeeper --help';
}

sourceOptions(program.command('export').description('write an archive of the conversations'))
  .option('--out <dir>', 'archive folder to write or update (an earlier --out: new messages are added, none is dropped)')
  .option('--archive <dir>', 'an archive folder (an earlier --out) read as a source, alone or with --db/--backup')
  .option('--format <list>', 'formats, comma-separated, may be repeated: txt, html, pdf, json, ndjson, csv (default: "txt")', joined)
  .addOption(choice('--attachments <mode>', 'copy attachment files into the archive; or leave them where they are, HTML linking to them (link) or showing none (none)', ['copy', 'link', 'none']).default('copy'))
  .addOption(choice('--pdf-style <style>', 'PDF layout', ['chat', 'transcript']).default('chat'))
  .addOption(choice('--page-size <size>', 'PDF paper size (default: from the locale)', ['letter', 'a4']))
  .addOption(choice('--pdf-standard <standard>', 'PDF: archival PDF/A-2b, or a plain PDF', ['pdf-a-2b', 'none']).default('pdf-a-2b'))
  .addOption(choice('--csv-bom <bool>', 'CSV: start files with a UTF-8 byte order mark', ['true', 'false']).default('true'))
  // No commander default: an option left out is not part of the CSV files' fingerprint.
  .addOption(choice('--csv-formulas <mode>', 'CSV and bates.csv: "quote" starts each cell beginning with =, +, -, @, tab or CR with an apostrophe, so spreadsheets do not run it as a formula; "keep" (the default) writes every text exactly', ['keep', 'quote']))
  .option('--max-attachment-size <size>', 'leave out (and list) attachment files larger than this, e.g. 500MB (default: no limit)')
  .option('--no-cover', 'PDF: leave out the cover page (sources with their SHA-256, period, counts, filters)')
  .option('--bates <prefix[:start]>', 'PDF: stamp every page of every PDF with a consecutive number PREFIX-000001 (in order of conversation title) and write bates.csv')
  .option('--bates-digits <n>', 'PDF: digits of a Bates number', '6')
  .option('--threads <n>', 'threads rendering conversations side by side (default: one per core)')
  .option('--no-progress', 'no progress (a bar on a terminal, else lines: a tenth read, each conversation finished, what is left to finish)')
  .option('--quiet', 'no progress, nor the list of conversations --chat chose; warnings and the summary only')
  .action(async (raw: RawOptions, command: Command) => {
    const options = await resolved(raw, true);
    refuseUnused((name) => command.getOptionValueSource(name) === 'cli', options.formats);
    const { runExport } = await import('../engine/export.js');
    const s = await runExport(options, signal);
    // Attachments are counted as files are written, and kept with them: a run that keeps files an older textkeeper
    // wrote does not count those conversations' attachments, and says nothing of them when it kept every file.
    const uncounted = s.kept > 0 && !s.keptCounted;
    const noneCounted = uncounted && s.kept === s.conversations;
    process.stdout.write(
      `Exported ${count(s.conversations, 'conversation')}, ${count(s.messages, 'message')}, ` +
        (noneCounted ? '' : `${count(s.attachments, 'attachment')} (${livePhotoMovies(s.livePhotoMovies)}${n(s.missingAttachments)} missing${s.withheldAttachments > 0 ? `, ${n(s.withheldAttachments)} not copied: ${notCopied(s.withheldWhy)}` : ''}${s.notInDatabase > 0 ? `, ${n(s.notInDatabase)} more not in the database` : ''}), `) +
        `${count(s.warnings, 'warning')} ` +
        `in ${s.seconds.toFixed(1)} s to ${options.outDir} (${options.formats.join(', ')}).\n`,
    );
    const { added = 0, changed = 0, absent = 0, returned = 0, replaced = 0 } = s.changes ?? {};
    const since = s.afterUnfinished ? 'since the last finished run' : 'since the last run';
    const back = returned > 0 ? `, ${n(returned)} back on the device` : '';
    if (added + changed + absent + returned > 0) process.stdout.write(`  ${since}: ${count(added, 'message')} added, ${n(changed)} changed, ${n(absent)} newly not on the device (kept by this archive)${back}\n`);
    if (replaced > 0) process.stdout.write(`  ${count(replaced, 'attachment')} whose file on the device changed since the archive copied it: the copy first archived is kept and shown, the new file kept beside it as a later version\n`);
    if (s.kept > 0) process.stdout.write(`  ${keptLine(s)}${uncounted && !noneCounted ? ` (${s.kept === 1 ? 'its' : 'their'} attachments are not counted above)` : ''}\n`);
    if (!noneCounted && s.missingAttachments > 0) {
      for (const line of inICloudLines(s.inICloudOnly, s.inICloudOnlyInBackups, s.missingAttachments)) process.stdout.write(`  ${line}\n`);
      for (const root of s.withoutAttachments) process.stdout.write(`  ${root} holds no Attachments folder: for a copied chat.db, give --attachments-root the folder its Attachments were copied into (it stands for ~/Library/Messages)\n`);
    }
    for (const { description, olderThan } of s.olderCopies) process.stdout.write(`  ${description}: an older copy of the database the run of ${options.dates.dateTime(olderThan)} read: what it lacks is not taken as gone from the device, nor does it change the messages the archive has from a later copy\n`);
    for (const source of s.notChecked) process.stdout.write(`  ${source}: not checked for damage again, an earlier run checked this very file (same SHA-256) and found nothing\n`);
    // Counted as conversations are written: a run that kept every file counted none.
    if ([...s.onlyIn.values()].reduce((sum, only) => sum + only, s.inEvery) > 0) {
      process.stdout.write(`  ${count(s.inEvery, 'message')} in every source (their sources are not marked)\n`);
      for (const [source, only] of s.onlyIn) process.stdout.write(`  ${count(only, 'message')} only in ${source}\n`);
    }
    // Kept outside the folder, it finds what rewriting SHA256SUMS and the store together hides from verify alone.
    if (!options.quiet) process.stdout.write(`Seal: ${SUMS_FILE} ${s.seal}\n`);
    if (s.skipped > 0) {
      process.stderr.write(`textkeeper: the archive is incomplete: ${count(s.skipped, 'conversation')} skipped (see above).\n`);
      process.exitCode = EXIT_INCOMPLETE;
    }
    if (s.damage.findings > 0) {
      process.stderr.write(`textkeeper: ${whatIsDamaged(s.damage)}; everything readable was exported, ${lost(s.damage)} (see above).\n${likelyCause(s.damage)}`);
      process.exitCode = EXIT_INCOMPLETE;
    }
  });

sourceOptions(program.command('list').description('list the conversations: id, name, participants, services, message count, first and last date'))
  .option('--archive <dir>', 'read an archive folder (an earlier --out) instead of --db/--backup: everything it kept')
  .addOption(choice('--sort <order>', 'order of the list', ['recent', 'name', 'messages']).default('recent'))
  .option('--json', 'print a JSON array instead of a table')
  // So that a script can give every command the same options: list shows no progress.
  .option('--no-progress', 'accepted as by export and stats (list shows no progress)')
  .option('--quiet', 'not the list of conversations --chat chose (a term that chooses none is still said)')
  .action(async (raw: RawOptions & { sort: ListSort; json?: boolean }) => {
    endOnSignal();
    const { runList } = await import('./list-command.js');
    sayDamage(await runList(await resolved(raw, false), { sort: raw.sort, json: raw.json === true }));
  });

sourceOptions(program.command('stats').description('messages per month and per person, busiest days, attachments and reactions, per conversation and in total'))
  .option('--archive <dir>', 'read an archive folder (an earlier --out) instead of --db/--backup: everything it kept')
  .option('--json', 'print the numbers as JSON')
  .option('--no-progress', 'no progress (a bar on a terminal, else a line per tenth read once it takes a while)')
  .option('--quiet', 'no progress, nor the list of conversations --chat chose (a term that chooses none is still said)')
  .action(async (raw: RawOptions & { json?: boolean }) => {
    endOnSignal();
    const { runStats } = await import('./stats-command.js');
    sayDamage(await runStats(await resolved(raw, false), raw.json === true));
  });

/**
 * list, stats and verify write nothing: Ctrl-C (or SIGTERM, SIGHUP) ends them at once, where it only marked an
 * export's signal and they ran on to exit 0. Their private copies of databases are removed at exit.
 */
function endOnSignal(): void {
  for (const name of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(name, () => {
      process.stderr.write('textkeeper: interrupted.\n');
      process.exit(EXIT_INTERRUPTED);
    });
  }
}

/** After list or stats of a damaged database: one line, and exit 3 (incomplete). */
function sayDamage(damage: DamageCounts): void {
  if (damage.findings === 0) return;
  process.stderr.write(`textkeeper: ${whatIsDamaged(damage)}; ${lost(damage)} (see above).\n${likelyCause(damage)}`);
  process.exitCode = EXIT_INCOMPLETE;
}

/** "the database is damaged", or which of the run's sources are. */
function whatIsDamaged(damage: DamageCounts): string {
  const named = damage.damaged ?? [];
  if (named.length === 0) return 'the database is damaged';
  return `${named.join(' and ')} ${named.length === 1 ? 'is' : 'are'} damaged`;
}

/**
 * Most damage met in a Mac's chat.db is in a copy made while Messages was writing to it: pages from before and
 * after a change, or the database without the -wal that held the rest (thousands of lines for a large one).
 */
function likelyCause(damage: DamageCounts): string {
  if (!damage.inMacDatabase) return '';
  return 'textkeeper: if this chat.db is a copy, it was likely made while Messages was writing to it: copy chat.db again together with chat.db-wal and chat.db-shm while Messages is closed (or read the Mac\'s own ~/Library/Messages/chat.db, which textkeeper copies safely), then run again.\n';
}

/**
 * "3 rows could not be read", or "at least 3 rows" when the damage hides how many (or "an unknown number of
 * rows"); "no row was lost" when every row was found (damage to the pages that lead to rows, or to part of a row).
 */
const lost = (damage: DamageCounts) => {
  if (!damage.uncounted) return damage.unreadable === 0 ? 'no row was lost' : `${count(damage.unreadable, 'row')} could not be read`;
  return `${damage.unreadable === 0 ? 'an unknown number of rows' : `at least ${count(damage.unreadable, 'row')}`} could not be read`;
};

program.command('verify').description('check an archive folder: every file its manifest lists is there, unchanged, and nothing else')
  .argument('<dir>', 'the archive folder (what --out was)')
  .option('--no-progress', 'no progress (a bar on a terminal, else a line per tenth read once it takes a while)')
  .option('--expect <sha256>', "the SHA-256 of the folder's SHA256SUMS as the export that wrote it printed it (its Seal line), kept elsewhere: verify fails when SHA256SUMS is another")
  .action(async (dir: string, options: { progress: boolean; expect?: string }) => {
    endOnSignal();
    const [{ verifyArchive }, { VerifyProgress }] = await Promise.all([import('../store/verify.js'), import('./verify-progress.js')]);
    const progress = new VerifyProgress(!options.progress ? 'none' : process.stderr.isTTY ? 'bar' : 'lines', (line) => process.stderr.write(`${line}\n`));
    refuseKeptQuote('verify', dir);
    const folder = resolve(expandHome(dir));
    if (options.expect !== undefined && !/^[0-9a-f]{64}$/i.test(options.expect)) {
      throw new UserError(`--expect takes a SHA-256, 64 hexadecimal digits (the export's Seal line gives SHA256SUMS's), not "${options.expect}".`);
    }
    const { problems, checked, alone, history } = await verifyArchive(folder, progress.update, options.expect).finally(() => progress.stop());
    for (const line of [...history, ...problems]) process.stdout.write(`${line}\n`);
    if (problems.length > 0) {
      process.stderr.write(`textkeeper: ${problems.length} problem${problems.length === 1 ? '' : 's'} in ${folder}.\n`);
      process.exitCode = 1;
    } else process.stdout.write(`${intact(checked, alone)}${options.expect ? `; ${SUMS_FILE} has the SHA-256 expected` : ''}.\n`);
  });

/** The verdict on an intact folder: checked against its store's manifest, or, without a store, against SHA256SUMS alone. */
function intact(checked: number, alone: boolean): string {
  if (!alone) return `Intact: ${n(checked)} files match the manifest`;
  return `Intact against ${SUMS_FILE} alone: ${n(checked)} files match it (no ${STORE_FILE}: the archive's own record is missing)`;
}

watchSignals(signal, EXIT_INTERRUPTED);
// A reader that stopped reading (`list | head`) has what it wanted, and a terminal closed (EIO) has no one to
// tell: the command ends as it would have, unheard, rather than stop halfway and leave its unfinished files.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE' && error.code !== 'EIO') throw error;
  });
}
// Whatever escapes (an error event of a stream, say) is still one line and a clear exit code.
process.on('uncaughtException', (error) => {
  report(error);
  process.exit();
});
// No top-level await: the command line's bundle is CommonJS (see src/build/bundle-cli.ts).
void program
  .parseAsync(process.argv)
  .catch(report)
  // Everything the command began has ended. Left to end by itself, Node would first free its heap object by
  // object (measured: ~14 ms CPU of an unchanged re-run of a 6,000-message history); what was printed is
  // let out first, as a pipe on macOS takes it asynchronously.
  .then(() => Promise.all([flushed(process.stdout), flushed(process.stderr)]))
  .then(() => process.exit());

/** Resolves once everything written to the stream before has been handed to the system. */
function flushed(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => stream.write('', () => resolve()));
}

function report(error: unknown): void {
  const [line, code] = explain(error);
  process.stderr.write(`textkeeper: ${line}\n`);
  process.exitCode = code;
}

function explain(error: unknown): [string, number] {
  const message = (error as Error).message;
  if (error instanceof UserError) return [message, EXIT_BAD_INPUT];
  // Only an export writes files to remove; list and stats stop at a backup's password prompt too.
  if (error instanceof Interrupted) return [process.argv[2] === 'export' ? 'interrupted; unfinished files were removed.' : 'interrupted.', EXIT_INTERRUPTED];
  if (error instanceof SystemFailure) return [`cannot go on: ${message}.`, EXIT_BAD_INPUT];
  if (systemReason(error)) return [`cannot go on: ${describeSystemError(error as NodeJS.ErrnoException)}.`, EXIT_BAD_INPUT];
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB')) {
    return [`the database is damaged and cannot be read completely (${message}).`, EXIT_BAD_INPUT];
  }
  if (typeof code === 'string' && code.startsWith('SQLITE_')) return [`the database cannot be read (${message}).`, EXIT_BAD_INPUT];
  const detail = process.env.TEXTKEEPER_DEBUG ? (error as Error).stack : `${message} (set TEXTKEEPER_DEBUG=1 for details)`;
  const command = process.argv.slice(2).find((arg) => !arg.startsWith('-')) ?? 'textkeeper';
  return [`${command} failed: ${detail}`, EXIT_INTERNAL];
}
