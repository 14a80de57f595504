import { execFile, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateChatDb } from '../../src/generate/index.js';
import { ROOT, runCli, tempDir } from '../support/cli.js';
import { readNdjson } from './support.js';

/** A script of a program that depends on textkeeper; it prints what it found as JSON. */
const CONSUMER = `
import { openArchive, render } from 'textkeeper';
const [db, out] = process.argv.slice(2);
const archive = await openArchive({ db, backup: [], contacts: [], timezone: 'UTC' });
const conversations = archive.conversations();
const messages = {};
for (const c of conversations) messages[c.id] = [...archive.messages(c.id)].map((m) => ({ guid: m.guid, date: m.date.toISOString(), parts: m.parts.length }));
const first = archive.messages(conversations[0].id);
const twice = [[...first].length, [...first].length];
const summary = await render(archive, { format: ['ndjson', 'csv'], out, csvBom: false });
await archive.close();
let afterClose = '';
try { archive.messages(conversations[0].id); } catch (error) { afterClose = error.message; }
let iteratedAfterClose = '';
try { [...first]; } catch (error) { iteratedAfterClose = error.message; }
console.log(JSON.stringify({ conversations, messages, twice, afterClose, iteratedAfterClose, summary: { conversations: summary.conversations, messages: summary.messages } }));
`;

/** The same program reading an archive folder (an earlier export's --out) instead of a database. */
const FOLDER_CONSUMER = `
import { openArchive } from 'textkeeper';
const archive = await openArchive({ archive: process.argv[2], timezone: 'UTC' });
const messages = {};
for (const c of archive.conversations()) messages[c.id] = [...archive.messages(c.id)].map((m) => m.guid);
await archive.close();
console.log(JSON.stringify(messages));
`;

const TYPED_CONSUMER = `
import { openArchive, render, UserError, type Message, type ConversationRecord } from 'textkeeper';
const archive = await openArchive({ db: ['chat.db'] });
const first: ConversationRecord | undefined = archive.conversations()[0];
const texts: string[] = [];
for (const m of archive.messages(first!.id) as Iterable<Message>) if (m.parts[0]?.kind === 'text') texts.push(m.parts[0].text);
try {
  await render(archive, { format: ['txt', 'pdf'], out: 'out' });
  // @ts-expect-error: no such format
  await render(archive, { format: 'docx', out: 'out' });
} catch (error) {
  if (!(error instanceof UserError)) throw error;
}
await archive.close();
`;

/** A program whose database is replaced, by one that is no Messages database, between opening and rendering it. */
const REFUSED_CONSUMER = `
import { copyFileSync } from 'node:fs';
import { openArchive, render } from 'textkeeper';
const [db, other, out] = process.argv.slice(2);
const archive = await openArchive({ db, backup: [], contacts: [], timezone: 'UTC' });
copyFileSync(other, db);
try {
  await render(archive, { format: 'txt', out });
  console.log('rendered');
} catch (error) {
  console.log('refused: ' + error.message);
}
await archive.close();
`;

/** A program asking for what is not there: a conversation no one has, a date that is none, a format that is none. */
const MISTAKEN_CONSUMER = `
import { openArchive, render, UserError } from 'textkeeper';
const [db, out] = process.argv.slice(2);
const said = [];
// A refusal is told from a fault by its class, as the command line tells them apart.
const refused = (error) => said.push(error instanceof UserError ? error.message : 'not a UserError: ' + error.stack);
for (const options of [{ chat: 'Nobody at all' }, { since: 'yesterday' }]) {
  try { await openArchive({ db, ...options }); said.push('opened'); } catch (error) { refused(error); }
}
const archive = await openArchive({ db });
for (const options of [{ format: 'docx' }, { format: ['txt'], pageSize: 'a4' }, { format: 'html', csvFormulas: 'quote' }]) {
  try { await render(archive, { ...options, out }); said.push('rendered'); } catch (error) { refused(error); }
}
await archive.close();
console.log(JSON.stringify(said));
`;

/** A program given a password file no backup needs: the warning reaches its onWarning. */
const WARNED_CONSUMER = `
import { openArchive } from 'textkeeper';
const [db, passwords] = process.argv.slice(2);
const warnings = [];
const archive = await openArchive({ db, passwordFile: passwords, onWarning: (line) => warnings.push(line) });
await archive.close();
console.log(JSON.stringify(warnings));
`;

/** A program that counts the warnings of opening an archive and of rendering it apart, as its onWarning gets them. */
const COUNTING_CONSUMER = `
import { openArchive, render } from 'textkeeper';
const [db, passwords, out] = process.argv.slice(2);
const said = { open: [], render: [] };
let step = 'open';
const archive = await openArchive({ db, passwordFile: passwords, onWarning: (line) => said[step].push(line) });
step = 'render';
const summary = await render(archive, { format: 'txt', out });
await archive.close();
console.log(JSON.stringify({ ...said, counted: summary.warnings }));
`;

/** A program reading a part of the history, then asking a closed archive to render, and an archive folder to take a database. */
const LIMITED_CONSUMER = `
import { openArchive, render } from 'textkeeper';
const [db, folder, out] = process.argv.slice(2);
const archive = await openArchive({ db, since: '2020-01-01', until: '2030-01-01', timezone: 'UTC' });
const selections = Object.fromEntries(archive.conversations().map((c) => [c.id, c.selection]));
await render(archive, { format: 'json', out });
await archive.close();
const refused = (error) => error.constructor.name + ': ' + error.message;
const closed = await render(archive, { format: 'txt', out: out + '-closed' }).then(() => 'rendered', refused);
const mixed = await openArchive({ archive: folder, db }).then(() => 'opened', refused);
console.log(JSON.stringify({ selections, closed, mixed }));
`;

describe('textkeeper as a dependency of another program', () => {
  const dir = tempDir('library');
  const db = join(dir, 'chat.db');
  const app = join(dir, 'app');

  beforeAll(async () => {
    await generateChatDb({ path: db, messages: 600, seed: 81 });
    // As npm links a dependency: the package folder under node_modules, found by name.
    mkdirSync(join(app, 'node_modules'), { recursive: true });
    symlinkSync(ROOT, join(app, 'node_modules', 'textkeeper'), 'dir');
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', type: 'module', private: true }));
    writeFileSync(join(app, 'main.mjs'), CONSUMER);
    writeFileSync(join(app, 'folder.mjs'), FOLDER_CONSUMER);
    writeFileSync(join(app, 'refused.mjs'), REFUSED_CONSUMER);
    writeFileSync(join(app, 'mistaken.mjs'), MISTAKEN_CONSUMER);
    writeFileSync(join(app, 'warned.mjs'), WARNED_CONSUMER);
    writeFileSync(join(app, 'counting.mjs'), COUNTING_CONSUMER);
    writeFileSync(join(app, 'limited.mjs'), LIMITED_CONSUMER);
  });

  it('opens a database by import name, lists its conversations and iterates their messages, as the CLI sees them', async () => {
    const out = join(dir, 'out');
    const run = await runNode(['main.mjs', db, out], app, { TZ: 'UTC' });
    expect(run.stderr).toBe('');
    const result = JSON.parse(run.stdout) as {
      conversations: { id: string; messageCount: number; participants: { handle: string; name: string }[]; chatIdentifiers: string[]; lastDate: string }[];
      messages: Record<string, { guid: string; date: string }[]>;
      summary: { conversations: number; messages: number };
      twice: number[];
      afterClose: string;
      iteratedAfterClose: string;
    };
    expect(result.afterClose).toBe('This archive was closed: open it again to read it.');
    // What messages() gives is read again at each iteration, as an array would be, until the archive is closed.
    expect(result.twice).toEqual([result.conversations[0]!.messageCount, result.conversations[0]!.messageCount]);
    expect(result.iteratedAfterClose).toBe(result.afterClose);
    const cli = readNdjson(join(await runCliNdjson(db, join(dir, 'cli')), 'messages.ndjson'));
    expect(result.conversations.length).toBeGreaterThan(2);
    expect(result.summary).toEqual({ conversations: result.conversations.length, messages: cli.length });
    for (const c of result.conversations) {
      expect(c.chatIdentifiers.length).toBeGreaterThan(0);
      expect(result.messages[c.id]!.length, c.id).toBe(c.messageCount);
      expect(result.messages[c.id]!.map((m) => m.guid)).toEqual(cli.filter((l) => l.conversationId === c.id).map((l) => l.guid));
    }
    const dates = result.conversations.map((c) => c.lastDate);
    expect([...dates].sort().reverse()).toEqual(dates);
    // render() wrote the same lines as the CLI would.
    // Attachments are the copies each archive folder keeps: compared by their place in it.
    const within = (lines: unknown[], folder: string) => JSON.stringify(lines).replaceAll(folder, '<archive>');
    expect(within(readNdjson(join(out, 'messages.ndjson')), out)).toEqual(within(cli, join(dir, 'cli')));
  });

  it('reads an archive folder by itself: every conversation and message an export put there', async () => {
    const folder = join(dir, 'archive-folder');
    const lines = readNdjson(join(await runCliNdjson(db, folder), 'messages.ndjson'));
    const run = await runNode(['folder.mjs', folder], app);
    expect(run.stderr).toBe('');
    const messages = JSON.parse(run.stdout) as Record<string, string[]>;
    const ids = [...new Set(lines.map((l) => l.conversationId))];
    expect(Object.keys(messages).sort()).toEqual(ids.sort());
    for (const id of ids) expect(messages[id], id).toEqual(lines.filter((l) => l.conversationId === id).map((l) => l.guid));
  });

  // A new archive's store writer starts as the sources open, and is closed when they cannot be: nothing is left running or written.
  it('gets a refusal it can catch, and its process then ends by itself, when a source cannot be read', async () => {
    const replaced = join(dir, 'replaced.db');
    copyFileSync(db, replaced);
    const other = join(dir, 'other.db');
    const sqlite = new Database(other);
    sqlite.exec('CREATE TABLE notes (text TEXT)');
    sqlite.close();
    const out = join(dir, 'refused-out');
    const run = await runNode(['refused.mjs', replaced, other, out], app);
    expect(run.signal, 'the program did not end by itself').toBeNull();
    expect(run.stdout).toMatch(/^refused: .*not a Messages database/);
    expect(existsSync(out)).toBe(false);
  });

  it('is refused a chat no conversation matches, or an option for a format it is not writing, as the command line is, in errors that name its own options', async () => {
    const run = await runNode(['mistaken.mjs', db, join(dir, 'mistaken-out')], app);
    const [chat, since, format, pageSize, csvFormulas, ...more] = JSON.parse(run.stdout) as string[];
    expect(chat).toMatch(/^No conversation matches chat Nobody at all; no name is close to it; .*give contacts for names \(see conversations\(\)\)\.$/);
    expect(since).toBe('since yesterday: use a date like 2023-01-31 or a date-time like 2023-01-31T18:00:00Z.');
    expect(format).toMatch(/^format docx: /);
    expect(pageSize).toBe('pageSize is for PDF files, and format txt has no pdf.');
    expect(csvFormulas).toBe('csvFormulas is for CSV files, and format html has no csv.');
    expect(more).toEqual([]);
    for (const line of [chat, since, format, pageSize, csvFormulas]) expect(line).not.toMatch(/--|textkeeper list/);
    expect(existsSync(join(dir, 'mistaken-out'))).toBe(false);
  });

  it('is warned in its own options\' names too (a warning said --password-file and --backup)', async () => {
    const passwords = join(dir, 'passwords.txt');
    writeFileSync(passwords, 'hunter2\n');
    const run = await runNode(['warned.mjs', db, passwords], app);
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual([`warning: passwordFile ${passwords} was not needed: no backup given is encrypted`]);
  });

  // render() reads the sources again, and its worker thread renders some of the conversations (enough of them that it
  // gets some): each warning is said once, where it belongs.
  it('gets each warning once: opening\'s at openArchive, the messages\' at render, whose summary counts what it said; the CLI says the same', async () => {
    const spoiled = join(dir, 'many', 'chat.db');
    mkdirSync(dirname(spoiled));
    await generateChatDb({ path: spoiled, messages: 3000, seed: 7 });
    const sqlite = new Database(spoiled);
    const firstTexts = 'SELECT MIN(message_id) FROM chat_message_join JOIN message ON message.ROWID = message_id WHERE text IS NOT NULL AND associated_message_type = 0 GROUP BY chat_id';
    sqlite.prepare(`UPDATE message SET text = CAST(X'48656C6C6FFFFE80' AS TEXT), attributedBody = NULL WHERE ROWID IN (${firstTexts})`).run();
    const guids = (sqlite.prepare(`SELECT guid FROM message WHERE ROWID IN (${firstTexts})`).pluck().all() as string[]).sort();
    sqlite.close();
    expect(guids.length).toBeGreaterThan(2);
    const passwords = join(dir, 'counting-passwords.txt');
    writeFileSync(passwords, 'hunter2\n');
    const run = await runNode(['counting.mjs', spoiled, passwords, join(dir, 'counting-out')], app);
    expect(run.stderr).toBe('');
    const said = JSON.parse(run.stdout) as { open: string[]; render: string[]; counted: number };
    expect(said.open).toEqual([`warning: passwordFile ${passwords} was not needed: no backup given is encrypted`]);
    expect(said.render.map((line) => /^warning: message (\S+): The message's text holds bytes that are not UTF-8/.exec(line)?.[1]).sort()).toEqual(guids);
    expect(said.counted).toBe(said.render.length);
    const cli = await runCli(['export', '--db', spoiled, '--password-file', passwords, '--out', join(dir, 'counting-cli'), '--format', 'txt', '--no-progress']);
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stderr.split('\n').filter((line) => line.startsWith('warning:')).length).toBe(said.open.length + said.render.length);
  });

  it('gives each conversation the selection its JSON file has, refuses to render once closed, and leaves a command it suggests a command', async () => {
    const out = join(dir, 'limited-out');
    const run = await runNode(['limited.mjs', db, join(dir, 'archive-folder'), out], app);
    expect(run.stderr).toBe('');
    const said = JSON.parse(run.stdout) as { selections: Record<string, unknown>; closed: string; mixed: string };
    const files = readdirSync(out).filter((name) => name.endsWith('.json')).map((name) => JSON.parse(readFileSync(join(out, name), 'utf8')) as { conversation: { id: string; selection: unknown } });
    expect(files.length).toBe(Object.keys(said.selections).length);
    for (const { conversation } of files) expect(said.selections[conversation.id], conversation.id).toEqual(conversation.selection);
    expect(files[0]!.conversation.selection).toEqual({ options: '--since 2020-01-01 --until 2030-01-01', from: '2020-01-01T00:00:00.000+00:00', before: '2030-01-02T00:00:00.000+00:00' });
    expect(said.closed).toBe('UserError: This archive was closed: open it again to read it.');
    expect(existsSync(`${out}-closed`)).toBe(false);
    expect(said.mixed).toBe('UserError: archive reads an archive folder alone here: to add db or backup to it, export them into it first (`textkeeper export --out`).');
  });

  // As npm installs it: the package's files, and beside them only the packages it depends on (not its devDependencies),
  // compiled without --skipLibCheck (TypeScript's default), so that every declaration its types reach is checked. A
  // Node program without the DOM's types: mediabunny's @types/dom-webcodecs clashes with TypeScript's own lib.dom.
  it('has TypeScript declarations a dependent program compiles against, with only the packages npm installs beside it', async () => {
    const typed = join(dir, 'typed-app');
    const own = join(typed, 'node_modules', 'textkeeper');
    mkdirSync(own, { recursive: true });
    for (const name of ['package.json', 'dist', 'schema', 'templates']) symlinkSync(join(ROOT, name), join(own, name));
    const { dependencies } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    // @types/node: the program's own, as a Node program in TypeScript has it.
    for (const name of withTheirDependencies([...Object.keys(dependencies), '@types/node'])) {
      mkdirSync(dirname(join(typed, 'node_modules', name)), { recursive: true });
      symlinkSync(join(ROOT, 'node_modules', name), join(typed, 'node_modules', name), 'dir');
    }
    writeFileSync(join(typed, 'package.json'), JSON.stringify({ name: 'typed-app', type: 'module', private: true }));
    writeFileSync(join(typed, 'typed.ts'), TYPED_CONSUMER);
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const args = ['--noEmit', '--strict', '--preserveSymlinks', '--lib', 'es2022', '--types', 'node', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', 'typed.ts'];
    const run = await runNode([tsc, ...args], typed);
    expect(run.stdout + run.stderr).toBe('');
    expect(run.status).toBe(0);
  });

  it('packs only what runs: compiled code, templates, schemas, README', async () => {
    const packed = JSON.parse((await promisify(execFile)('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' })).stdout) as { files: { path: string }[] }[];
    const paths = packed[0]!.files.map((f) => f.path);
    for (const needed of ['dist/index.js', 'dist/index.d.ts', 'dist/cli/main.js', 'dist/engine/worker.js', 'schema/message.schema.json', 'schema/conversation.schema.json', 'templates/html', 'README.md']) {
      expect(paths.some((p) => p.startsWith(needed)), needed).toBe(true);
    }
    const stray = paths.filter((p) => !/^(dist|templates|schema)\/|^(README\.md|package\.json|LICENSE)$/.test(p) || /^dist\/(bench|generate|build)\//.test(p));
    expect(stray).toEqual([]);
  });
});

/**
 * Runs a program of the test app in Node, as spawnSync would but without blocking the test worker (a minute of
 * that on a busy machine times vitest's messages out); one that has not ended after 150 s is killed as hung.
 */
function runNode(args: string[], cwd: string, env: Record<string, string> = {}): Promise<{ status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd, env: { ...process.env, ...env }, timeout: 150_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr }));
  });
}

async function runCliNdjson(db: string, out: string): Promise<string> {
  const result = await runCli(['export', '--db', db, '--out', out, '--format', 'ndjson', '--timezone', 'UTC']);
  expect(result.code, result.stderr).toBe(0);
  return out;
}

/** These packages, their dependencies, theirs, and so on, as npm installs them (those of another platform are not in node_modules). */
function withTheirDependencies(names: string[]): string[] {
  const found = new Set<string>();
  const visit = (name: string) => {
    const manifest = join(ROOT, 'node_modules', name, 'package.json');
    if (found.has(name) || !existsSync(manifest)) return;
    found.add(name);
    const { dependencies = {}, optionalDependencies = {} } = JSON.parse(readFileSync(manifest, 'utf8')) as Record<string, Record<string, string>>;
    for (const dependency of Object.keys({ ...dependencies, ...optionalDependencies })) visit(dependency);
  };
  names.forEach(visit);
  return [...found];
}
