// The command line: commands, options, and how every error is reported.
import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import { describeSystemError, systemReason, UserError } from '../errors.js';
import { runExport } from '../engine/export.js';
import { Interrupted } from '../engine/interrupted.js';
import { watchSignals } from './launcher.js';
import { runList } from './list-command.js';
import { runStats } from './stats-command.js';
import { verifyArchive } from '../store/verify.js';
import { VERSION } from '../version.js';
import { resolveOptions, type RawOptions } from '../engine/options.js';

/** Exit codes: see the README ("Bad input"). */
const EXIT_BAD_INPUT = 1;
const EXIT_INTERNAL = 2;
const EXIT_INCOMPLETE = 3;
const EXIT_INTERRUPTED = 130;

const signal = { interrupted: false };

const collect = (value: string, previous: string[] = []) => [...previous, value];

function sourceOptions(command: Command): Command {
  return command
    .option('--db <path>', 'chat.db to read, may be repeated (default on macOS: ~/Library/Messages/chat.db); never modified', collect)
    .option('--backup <dir>', 'an iPhone backup folder (Finder/iTunes/Apple Devices), may be repeated; never modified', collect)
    .option('--password-file <file>', 'first line is the password of encrypted backups (else you are asked)')
    .addOption(new Option('--password <password>').hideHelp())
    .option('--attachments-root <dir>', 'folder that stands for ~/Library/Messages (default: the folder holding --db)')
    .option('--contacts <path>', 'names from a .vcf file, an AddressBook folder or an AddressBook.sqlitedb; may be repeated', collect)
    .option('--country <code>', 'region for phone numbers written without a country code (default US)')
    .option('--chat <terms>', 'only conversations matching these phone numbers, emails or names (comma list)')
    .option('--since <date>', 'only messages from this day (YYYY-MM-DD) or instant (ISO 8601) on')
    .option('--until <date>', 'only messages up to and including this day, or before this instant')
    .option('--timezone <zone>', 'show times in this IANA time zone (default: this computer’s)')
    .option('--me <name>', 'how to name the owner of the messages', 'Me')
    .option('--no-check', 'do not check the database for damage first (PRAGMA quick_check)');
}


const program = new Command('textkeeper')
  .description('Archive Apple Messages (iMessage, SMS, RCS) from a chat.db into text, HTML and PDF.')
  .version(VERSION)
  .showHelpAfterError('(run with --help for usage)');

sourceOptions(program.command('export').description('write an archive of the conversations'))
  .option('--out <dir>', 'folder to write the archive into')
  .option('--format <list>', 'formats, comma-separated: txt, html, pdf, json, ndjson, csv', 'txt')
  .addOption(new Option('--attachments <mode>', 'HTML: copy files into the archive, link to them, or leave them out').choices(['copy', 'link', 'none']).default('copy'))
  .addOption(new Option('--pdf-style <style>', 'PDF layout').choices(['chat', 'transcript']).default('chat'))
  .addOption(new Option('--page-size <size>', 'PDF paper size (default: from the locale)').choices(['letter', 'a4']))
  .addOption(new Option('--pdf-standard <standard>', 'PDF: archival PDF/A-2b, or a plain PDF').choices(['pdf-a-2b', 'none']).default('pdf-a-2b'))
  .addOption(new Option('--csv-bom <bool>', 'CSV: start files with a UTF-8 byte order mark').choices(['true', 'false']).default('true'))
  .option('--max-attachment-size <size>', 'leave out (and list) attachment files larger than this, e.g. 500MB (default: no limit)')
  .option('--no-cover', 'PDF: leave out the cover page (sources with their SHA-256, period, counts, filters)')
  .option('--bates <prefix[:start]>', 'PDF: stamp every page of every PDF with a consecutive number PREFIX-000001 (in order of conversation title) and write bates.csv')
  .option('--bates-digits <n>', 'PDF: digits of a Bates number', '6')
  .option('--threads <n>', 'threads rendering conversations side by side (default: one per core)')
  .option('--no-progress', 'do not show a progress bar')
  .action(async (raw: RawOptions) => {
    const options = resolveOptions(raw, true);
    const s = await runExport(options, signal);
    const n = (x: number) => x.toLocaleString('en-US');
    process.stdout.write(
      `Exported ${n(s.conversations)} conversation${s.conversations === 1 ? '' : 's'}, ${n(s.messages)} messages, ` +
        `${n(s.attachments)} attachments (${n(s.missingAttachments)} missing), ${n(s.warnings)} warnings ` +
        `in ${s.seconds.toFixed(1)} s to ${options.outDir} (${options.formats.join(', ')}).\n`,
    );
    for (const [source, count] of s.onlyIn) process.stdout.write(`  ${n(count)} messages only in ${source}\n`);
    if (s.skipped > 0) {
      process.stderr.write(`textkeeper: the archive is incomplete: ${n(s.skipped)} conversation${s.skipped === 1 ? '' : 's'} skipped (see above).\n`);
      process.exitCode = EXIT_INCOMPLETE;
    }
    if (s.damage.findings > 0) {
      process.stderr.write(`textkeeper: the database is damaged; everything readable was exported, ${n(s.damage.unreadable)} rows could not be read (see above).\n`);
      process.exitCode = EXIT_INCOMPLETE;
    }
  });

sourceOptions(program.command('list').description('list the conversations: id, name or participants, message count, first and last date'))
  .action(async (raw: RawOptions) => {
    const damage = await runList(resolveOptions(raw, false));
    if (damage.findings > 0) {
      process.stderr.write(`textkeeper: the database is damaged; ${damage.unreadable} rows could not be read (see above).\n`);
      process.exitCode = EXIT_INCOMPLETE;
    }
  });

sourceOptions(program.command('stats').description('messages per month and per person, busiest days, attachments and reactions, per conversation and in total'))
  .option('--json', 'print the numbers as JSON')
  .action(async (raw: RawOptions & { json?: boolean }) => runStats(resolveOptions(raw, false), raw.json === true));

program.command('verify').description('check an archive folder: every file its manifest lists is there, unchanged, and nothing else')
  .argument('<dir>', 'the archive folder (what --out was)')
  .action(async (dir: string) => {
    const { problems, checked } = await verifyArchive(resolve(dir));
    for (const line of problems) process.stdout.write(`${line}\n`);
    if (problems.length > 0) {
      process.stderr.write(`textkeeper: ${problems.length} problem${problems.length === 1 ? '' : 's'} in ${resolve(dir)}.\n`);
      process.exitCode = 1;
    } else process.stdout.write(`Intact: ${checked.toLocaleString('en-US')} files match the manifest.\n`);
  });

watchSignals(signal, EXIT_INTERRUPTED);
// Whatever escapes (an error event of a stream, say) is still one line and a clear exit code.
process.on('uncaughtException', (error) => {
  report(error);
  process.exit();
});
await program.parseAsync(process.argv).catch(report);

function report(error: unknown): void {
  const [line, code] = explain(error);
  process.stderr.write(`textkeeper: ${line}\n`);
  process.exitCode = code;
}

function explain(error: unknown): [string, number] {
  const message = (error as Error).message;
  if (error instanceof UserError) return [message, EXIT_BAD_INPUT];
  if (error instanceof Interrupted) return ['interrupted; unfinished files were removed.', EXIT_INTERRUPTED];
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB')) {
    return [`the database is damaged and cannot be read completely (${message}).`, EXIT_BAD_INPUT];
  }
  if (typeof code === 'string' && code.startsWith('SQLITE_')) return [`the database cannot be read (${message}).`, EXIT_BAD_INPUT];
  if (systemReason(error)) return [`cannot go on: ${describeSystemError(error as NodeJS.ErrnoException)}.`, EXIT_BAD_INPUT];
  const detail = process.env.TEXTKEEPER_DEBUG ? (error as Error).stack : `${message} (set TEXTKEEPER_DEBUG=1 for details)`;
  return [`export failed: ${detail}`, EXIT_INTERNAL];
}
