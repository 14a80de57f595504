// A simulated phone for archive tests: a generated history, of which the device holds a slice at a time.
import { cpSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import Database from 'better-sqlite3';
import { parsePlist } from '../../src/decode/plist.js';
import { generateChatDb } from '../../src/generate/index.js';
import { runCli, tempDir } from '../support/cli.js';

export interface History {
  /** The full generated history (never changed). */
  dir: string;
  /** Apple-time dates (ns since 2001) splitting the visible messages in thirds. */
  thirds: [number, number];
}

export async function generateHistory(messages: number, seed: number, conversations = 4): Promise<History> {
  const dir = tempDir('history');
  await generateChatDb({ path: join(dir, 'chat.db'), messages, seed, conversations, images: Math.round(messages / 40) });
  const db = new Database(join(dir, 'chat.db'), { readonly: true });
  const dates = db.prepare('SELECT date FROM message ORDER BY date').pluck().all() as number[];
  db.close();
  return { dir, thirds: [dates[Math.floor(dates.length / 3)]!, dates[Math.floor((dates.length * 2) / 3)]!] };
}

/**
 * A copy of the history as the device holds it: messages before `from` deleted (with their attachment
 * files), and those from `until` on not yet received.
 */
export function deviceSlice(history: History, from: number | undefined, until: number | undefined): string {
  const dir = tempDir('device');
  cpSync(history.dir, dir, { recursive: true });
  const db = new Database(join(dir, 'chat.db'));
  const gone = `(${from === undefined ? '0' : `date < ${from}`} OR ${until === undefined ? '0' : `date >= ${until}`})`;
  const files = db.prepare(`SELECT a.filename FROM attachment a JOIN message_attachment_join j ON j.attachment_id = a.ROWID
    JOIN message m ON m.ROWID = j.message_id WHERE ${gone.replaceAll('date', 'm.date')}`).pluck().all() as string[];
  db.exec(`DELETE FROM message_attachment_join WHERE message_id IN (SELECT ROWID FROM message WHERE ${gone});
    DELETE FROM chat_message_join WHERE message_id IN (SELECT ROWID FROM message WHERE ${gone});
    DELETE FROM message WHERE ${gone};
    DELETE FROM attachment WHERE ROWID NOT IN (SELECT attachment_id FROM message_attachment_join);`);
  db.close();
  for (const file of files) rmSync(join(dir, file.replace(/^~\/Library\/Messages\//, '')), { force: true });
  return dir;
}

/** The rows `withoutOne` deletes the first of: a text message, or a group event (someone added, removed, the group renamed). */
const ONE_OF = { text: 'associated_message_type = 0 AND text IS NOT NULL', event: 'item_type IN (1, 2)' };

/**
 * The same history on another Mac: its chats and handles numbered in another order (the order that Mac met
 * them), as its own database does.
 */
export function anotherMac(device: string): string {
  const db = new Database(join(device, 'chat.db'));
  db.pragma('foreign_keys = OFF');
  db.exec(`UPDATE chat SET ROWID = 1000 - ROWID; UPDATE chat_message_join SET chat_id = 1000 - chat_id;
    UPDATE chat_handle_join SET chat_id = 1000 - chat_id, handle_id = 1000 - handle_id; UPDATE handle SET ROWID = 1000 - ROWID;
    UPDATE message SET handle_id = 1000 - handle_id WHERE handle_id > 0; UPDATE message SET other_handle = 1000 - other_handle WHERE other_handle > 0;`);
  db.close();
  return device;
}

/**
 * Deletes from the device the first text message (or group event) sent from `from` on (before `until`): one it
 * lost while another device kept it, in a time both hold messages of (their sources are then named under it).
 */
export function withoutOne(device: string, from: number, until: number, kind: keyof typeof ONE_OF = 'text'): string {
  const db = new Database(join(device, 'chat.db'));
  const id = db.prepare(`SELECT ROWID FROM message WHERE date >= ? AND date < ? AND ${ONE_OF[kind]}
    AND ROWID NOT IN (SELECT message_id FROM message_attachment_join) ORDER BY date LIMIT 1`).pluck().get(from, until) as number;
  db.prepare('DELETE FROM chat_message_join WHERE message_id = ?').run(id);
  db.prepare('DELETE FROM message WHERE ROWID = ?').run(id);
  db.close();
  return device;
}

/**
 * The device as it was before its messages were edited or unsent (a Mac that stopped getting messages before
 * another device saw the edits), for messages without attachments: an edited one shows its first version (when
 * only its first part was edited), an unsent one a text (its first version, when it had been edited, else another
 * message's). Gives their GUIDs.
 */
export function beforeEdits(device: string): { edited: string[]; unsent: string[] } {
  const db = new Database(join(device, 'chat.db'));
  try {
    const rows = db.prepare(`SELECT ROWID AS id, guid, date_retracted AS unsent, message_summary_info AS info FROM message
      WHERE (date_edited > 0 OR date_retracted > 0) AND ROWID NOT IN (SELECT message_id FROM message_attachment_join)`)
      .all() as { id: number; guid: string; unsent: number; info: Buffer | null }[];
    const plain = db.prepare('SELECT attributedBody FROM message WHERE attributedBody IS NOT NULL AND date_edited = 0 AND associated_message_type = 0 LIMIT 1').pluck().get() as Buffer;
    const update = db.prepare('UPDATE message SET attributedBody = ?, text = NULL, date_edited = 0, date_retracted = 0, message_summary_info = NULL WHERE ROWID = ?');
    const changed = { edited: [] as string[], unsent: [] as string[] };
    for (const { id, guid, unsent, info } of rows) {
      const versions = info ? (parsePlist(info) as { ec?: Record<string, { t: Uint8Array }[]> }).ec : undefined;
      const first = versions && Object.keys(versions).join() === '0' ? versions['0']![0]!.t : undefined;
      if (!unsent && !first) continue;
      update.run(first ?? plain, id);
      changed[unsent ? 'unsent' : 'edited'].push(guid);
    }
    return changed;
  } finally {
    db.close();
  }
}

export async function exportFrom(device: string, out: string, formats = 'txt', extra: string[] = []) {
  const result = await runCli(['export', '--db', join(device, 'chat.db'), '--out', out, '--format', formats, '--no-progress', ...extra]);
  if (result.code !== 0) throw new Error(`export failed: ${result.stderr}`);
  return result;
}

export function exportedCount(stdout: string): number {
  return Number(/, ([\d,]+) messages,/.exec(stdout)![1]!.replace(/,/g, ''));
}

/** Every .txt of a folder, by name, with the lines that name the run (export time, sources) left out. */
export function transcripts(out: string): Map<string, string> {
  return new Map(
    readdirSync(out)
      .filter((f) => f.endsWith('.txt'))
      .map((f) => [f, readFileSync(join(out, f), 'utf8').replace(/^Exported .*$/m, '')]),
  );
}

/** Files of a folder, relative, sorted. */
export function filesOf(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

/** A copy of the history's device, changed by `change` on its database. */
export function changedDevice(history: History, change: (db: Database.Database) => void): string {
  const dir = tempDir('changed');
  cpSync(history.dir, dir, { recursive: true });
  const db = new Database(join(dir, 'chat.db'));
  change(db);
  db.close();
  return dir;
}
