// Shared by the robustness tests: a generated database to spoil, and what every failure must look like.
import { spawn } from 'node:child_process';
import { cpSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'vitest';
import { generateChatDb } from '../../src/generate/index.js';
import { ROOT, runCli, tempDir, type CliResult } from '../support/cli.js';

/** A generated chat.db (with its Attachments folder) in `dir`/base; copies of it are spoiled per test. */
export async function makeBase(dir: string, messages = 120, seed = 11): Promise<string> {
  const path = join(dir, 'base', 'chat.db');
  await generateChatDb({ path, messages, seed });
  return path;
}

/** A fresh copy of the base database's folder, changed by `spoil`; returns the copy's chat.db. */
export function spoiledCopy(base: string, dir: string, label: string, spoil: (db: Database.Database) => void = () => {}): string {
  const folder = join(dir, label);
  cpSync(join(base, '..'), folder, { recursive: true });
  const path = join(folder, 'chat.db');
  const db = new Database(path);
  try {
    spoil(db);
  } finally {
    db.close();
  }
  return path;
}

/** 2023-03-04 in Apple nanoseconds: a normal date for added messages. */
export const NORMAL_DATE = 699_667_200_000_000_000n;
/** A second in Apple nanoseconds, to date added messages apart. */
export const SECOND = 1_000_000_000n;

/** The database's first one-to-one chat: where addMessage adds. */
function firstOneToOne(db: Database.Database): { id: number; identifier: string } {
  return db.prepare("SELECT ROWID AS id, chat_identifier AS identifier FROM chat WHERE style = 45 ORDER BY ROWID LIMIT 1").get() as { id: number; identifier: string };
}

/**
 * Adds a message from the owner with this text (or other columns) to the database's first one-to-one
 * chat; returns its GUID and the chat's identifier (for --chat).
 */
export function addMessage(db: Database.Database, columns: Record<string, unknown>, guid = `ODD-${Math.random().toString(36).slice(2)}`): { guid: string; chat: string } {
  const chat = firstOneToOne(db);
  const values: Record<string, unknown> = { guid, text: 'an added message', handle_id: 0, is_from_me: 1, service: 'iMessage', date: NORMAL_DATE, ...columns };
  const names = Object.keys(values);
  const id = db.prepare(`INSERT INTO message (${names.join(', ')}) VALUES (${names.map(() => '?').join(', ')})`).run(...Object.values(values)).lastInsertRowid;
  db.prepare('INSERT INTO chat_message_join (chat_id, message_id, message_date) VALUES (?, ?, ?)').run(chat.id, id, typeof values.date === 'bigint' || typeof values.date === 'number' ? values.date : 0);
  return { guid, chat: chat.identifier };
}

/**
 * A small generated database (30 messages) in a new test folder, `add` adding messages to it (addMessage: to
 * its first one-to-one chat); gives the folder, the database and that chat's identifier (for --chat).
 */
export async function smallChat(label: string, add: (db: Database.Database) => void): Promise<{ dir: string; db: string; chat: string }> {
  const dir = tempDir(label);
  let chat = '';
  const db = spoiledCopy(await makeBase(dir, 30), dir, label, (d) => {
    add(d);
    chat = firstOneToOne(d).identifier;
  });
  return { dir, db, chat };
}

/** Exports that one chat (--exact) into `out` in these formats, in UTC and quietly; the run must succeed. */
export async function exportChat(db: string, chat: string, out: string, formats: string, extra: string[] = []): Promise<void> {
  const result = await runCli(['export', '--db', db, '--out', out, '--format', formats, '--chat', chat, '--exact', '--timezone', 'UTC', '--quiet', ...extra]);
  expect(result.code, result.stderr).toBe(0);
}

/** Exactly one line on stderr, starting "textkeeper: ", matching `pattern`; this exit code; no stack trace. */
export function expectOneLine(result: CliResult, code: number, pattern: RegExp): void {
  const lines = result.stderr.trim().split('\n');
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^textkeeper: /);
  expect(lines[0]).toMatch(pattern);
  expect(result.stderr).not.toMatch(/\n\s+at /);
  expect(result.code, result.stderr).toBe(code);
}

/** Every file below a folder, relative, sorted. */
export function filesBelow(folder: string): string[] {
  return readdirSync(folder, { recursive: true }).map(String).sort();
}

/** The text of the first file below `folder` whose path ends with `ending`. */
export function fileOf(folder: string, ending: string): string {
  return readFileSync(join(folder, filesBelow(folder).find((f) => f.endsWith(ending))!), 'utf8');
}

export function expectNoPartials(folder: string): void {
  expect(filesBelow(folder).filter((f) => f.endsWith('.partial'))).toEqual([]);
}

/** Adds a message from the owner carrying one attachment row with these columns; returns the chat's identifier. */
export function addAttachment(db: Database.Database, columns: Record<string, unknown>): string {
  const { chat, guid } = addMessage(db, { text: '\uFFFC', attributedBody: null, cache_has_attachments: 1 });
  const message = db.prepare('SELECT ROWID FROM message WHERE guid = ?').pluck().get(guid) as number;
  const values: Record<string, unknown> = { guid: `AT-${guid}`, original_guid: `AT-${guid}`, mime_type: 'application/octet-stream', total_bytes: 0, ...columns };
  const names = Object.keys(values);
  const id = db.prepare(`INSERT INTO attachment (${names.join(', ')}) VALUES (${names.map(() => '?').join(', ')})`).run(...Object.values(values)).lastInsertRowid;
  db.prepare('INSERT INTO message_attachment_join (message_id, attachment_id) VALUES (?, ?)').run(message, id);
  return chat;
}

/** runCli without blocking the test worker (a long export would stall vitest's own messages). */
export function runCliAsync(args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, 'dist', 'cli', 'main.js'), ...args], { env: { ...process.env, TZ: 'UTC' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/**
 * A copy of `base` as a Mac whose Messages is at work: what `add` writes (`count` long messages labelled
 * `label`) stays in the -wal until a checkpoint writes it into the database.
 */
export function liveMessages(base: string, dir: string, name: string): { path: string; db: Database.Database; add: (count: number, label: string) => void } {
  const path = spoiledCopy(base, dir, name);
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('wal_autocheckpoint = 0');
  const add = (count: number, label: string) => db.transaction(() => {
    for (let i = 0; i < count; i++) addMessage(db, { text: `${label} ${i} ${'words '.repeat(40)}` }, `${label}-${i}`);
  })();
  return { path, db, add };
}
