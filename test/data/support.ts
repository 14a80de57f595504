import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import Database from 'better-sqlite3';
import { decodeAttributedBody } from '../../src/decode/attributed-body.js';
import { ROOT } from '../support/cli.js';

export interface MessageLine {
  conversationId: string;
  guid: string;
  date: string;
  appleDate: string;
  text: string;
  sender: { handle: string; name: string };
  isFromMe: boolean;
  ownerHandle?: string;
  service: string;
  edited: boolean;
  parts: { kind: string; tapbacks: unknown[] }[];
  replyTo?: { guid: string };
  subject?: string;
  satellite?: true;
  junk?: true;
  effect?: string;
  kind: 'message' | 'event';
}

export interface ConversationFile {
  schemaVersion: number;
  conversation: { id: string; title: string; messageCount: number; isGroup: boolean; participants: { handle: string; name: string }[]; ownerHandles?: string[] };
  messages: MessageLine[];
}

/** Validators for the published schemas (schema/*.schema.json), with the 2020-12 dialect. */
export function schemaValidators() {
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  const load = (name: string) => JSON.parse(readFileSync(join(ROOT, 'schema', name), 'utf8')) as object;
  ajv.addSchema(load('message.schema.json'));
  ajv.addSchema(load('conversation.schema.json'));
  const explain = (v: { errors?: unknown }) => JSON.stringify(v.errors?.slice?.(0, 3) ?? v.errors);
  const message = ajv.getSchema('urn:textkeeper:schema:1:message')!;
  const conversation = ajv.getSchema('urn:textkeeper:schema:1:conversation')!;
  return {
    message: (data: unknown) => (message(data) ? '' : explain(message)),
    conversation: (data: unknown) => (conversation(data) ? '' : explain(conversation)),
  };
}

export function readNdjson(path: string): MessageLine[] {
  return readFileSync(path, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as MessageLine);
}

export function readJsonFiles(out: string): Map<string, ConversationFile> {
  const files = readdirSync(out).filter((f) => f.endsWith('.json'));
  return new Map(files.map((f) => [f.slice(0, -'.json'.length), JSON.parse(readFileSync(join(out, f), 'utf8')) as ConversationFile]));
}

/**
 * What the database says, read with plain SQL: per visible message GUID, the non-blank pieces of its text. A
 * poll's votes (4000) and later versions (2) are folded into the poll.
 */
export function expectedTexts(dbPath: string): Map<string, string[]> {
  const db = new Database(dbPath, { readonly: true });
  const rows = db
    .prepare(
      `SELECT m.guid, m.text, m.attributedBody AS body FROM message m
       WHERE m.associated_message_type NOT BETWEEN 1000 AND 3999 AND m.associated_message_type NOT IN (2, 4000) AND m.item_type = 0`,
    )
    .all() as { guid: string; text: string | null; body: Buffer | null }[];
  db.close();
  return new Map(rows.map((row) => {
    const text = row.body ? decodeAttributedBody(row.body).text : (row.text ?? '');
    return [row.guid, text.split('\ufffc').filter((piece) => piece.trim().length > 0)];
  }));
}

/** Adds a plain text message from the owner at the end of the first chat. */
export function addTextMessage(dbPath: string, text: string): void {
  const db = new Database(dbPath);
  const { chatId, last } = db.prepare('SELECT chat_id AS chatId, MAX(message_date) AS last FROM chat_message_join GROUP BY chat_id ORDER BY chat_id LIMIT 1').get() as { chatId: number; last: number };
  const date = BigInt(last) + 1_000_000_000n;
  const row = db.prepare(
    `INSERT INTO message (guid, text, handle_id, is_from_me, service, date, associated_message_type, item_type)
     VALUES ('ADDED-' || ?, ?, 0, 1, 'iMessage', ?, 0, 0)`,
  ).run(date, text, date);
  db.prepare('INSERT INTO chat_message_join (chat_id, message_id, message_date) VALUES (?, ?, ?)').run(chatId, row.lastInsertRowid, date);
  db.close();
}
