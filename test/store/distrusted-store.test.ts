import { createHash } from 'node:crypto';
import { cpSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateChatDb } from '../../src/generate/index.js';
import { runCli, tempDir } from '../support/cli.js';
import { pdfText } from '../pdf/pdf-tools.js';

let db: string;
let sealed: string;

beforeAll(async () => {
  const root = tempDir('distrusted-src');
  db = join(root, 'chat.db');
  await generateChatDb({ path: db, messages: 120, seed: 62, conversations: 2, images: 0 });
  sealed = join(root, 'archive');
  expect((await runCli(['export', '--db', db, '--out', sealed, '--format', 'txt,html,pdf', '--no-progress'])).code).toBe(0);
});

interface Row {
  guid: string;
  date: number;
  body: string;
  revision: number;
}

/** A copy of the sealed archive whose store `forge` changed as another program would. */
function forged(forge: (store: Database.Database, row: Row) => void): { out: string; row: Row } {
  const out = join(tempDir('distrusted'), 'archive');
  cpSync(sealed, out, { recursive: true, preserveTimestamps: true });
  const store = new Database(join(out, 'textkeeper.sqlite'));
  // A text without reactions, in the middle of the conversation.
  const row = store.prepare(`SELECT guid, date, body, revision FROM messages WHERE body LIKE '%"text":"%' AND body NOT LIKE '%"tapbacks"%' ORDER BY date LIMIT 1 OFFSET 5`).get() as Row;
  forge(store, row);
  store.close();
  return { out, row };
}

async function exportAgain(out: string) {
  const result = await runCli(['export', '--db', db, '--out', out, '--format', 'txt,html,pdf', '--no-progress']);
  expect(result.code, result.stderr).toBe(0);
  expect(result.stderr).toMatch(/^warning: textkeeper\.sqlite was changed since the last export, not by textkeeper/);
  return result;
}

function storeRows<T>(out: string, sql: string, ...values: unknown[]): T[] {
  const store = new Database(join(out, 'textkeeper.sqlite'), { readonly: true });
  try {
    return store.prepare(sql).all(...values) as T[];
  } finally {
    store.close();
  }
}

describe('a store changed by another program keeps what it held of a message a run then changes', () => {
  it('a date the device gives otherwise: the store’s is kept in message_history, with the body it had', async () => {
    const { out, row } = forged((store, { guid }) => store.prepare('UPDATE messages SET date = date + 86400000 WHERE guid = ?').run(guid));
    const result = await exportAgain(out);
    expect(result.stdout).toMatch(/since the last run: 0 messages added, 1 changed,/);
    const [now] = storeRows<Row>(out, 'SELECT guid, date, body, revision FROM messages WHERE guid = ?', row.guid);
    expect(now).toEqual({ ...row, revision: 2 });
    const history = storeRows<{ revision: number; body: string }>(out, 'SELECT revision, body FROM message_history WHERE guid = ?', row.guid);
    expect(history).toHaveLength(1);
    expect(history[0]!.revision).toBe(1);
    const { date, ...kept } = JSON.parse(history[0]!.body) as { date: number };
    expect(date).toBe(row.date + 86400000);
    expect(kept).toEqual(JSON.parse(row.body));
  });

  it('a reaction waiting for it, put there by another program: what the store held before is kept in message_history, and counted as a change', async () => {
    const reactions = { tapbacks: [[0, [{ kind: 'love', emoji: '❤️', sender: { handle: '+15555550100', name: '+15555550100' }, date: 1420088439169 }]]] };
    const { out, row } = forged((store, { guid }) => {
      store.prepare(`INSERT INTO waiting_reactions (conversation_key, guid, source, reactions) SELECT conversation_key, guid, 'another-device', ? FROM messages WHERE guid = ?`).run(JSON.stringify(reactions), guid);
    });
    const result = await exportAgain(out);
    expect(result.stdout).toMatch(/since the last run: 0 messages added, 1 changed,/);
    const [now] = storeRows<Row>(out, 'SELECT guid, date, body, revision FROM messages WHERE guid = ?', row.guid);
    expect(now!.body).toContain('"kind":"love"');
    expect(now!.revision).toBe(2);
    expect(storeRows(out, 'SELECT revision, body FROM message_history WHERE guid = ?', row.guid)).toEqual([{ revision: 1, body: row.body }]);
  });

  it('a SHA-256 it remembers of the source database is not taken: the database is hashed anew for the run’s record, the Runs page and the PDF cover', async () => {
    const fake = 'f'.repeat(64);
    const { out } = forged((store) => expect(store.prepare('UPDATE file_hashes SET sha256 = ? WHERE source_path = ?').run(fake, db).changes).toBe(1));
    await exportAgain(out);
    const sha256 = createHash('sha256').update(readFileSync(db)).digest('hex');
    const recorded = storeRows<{ sources: string }>(out, 'SELECT sources FROM runs ORDER BY id').map((r) => (JSON.parse(r.sources) as { sha256: string }[])[0]!.sha256);
    expect(recorded).toEqual([sha256, sha256]);
    expect(storeRows(out, 'SELECT sha256 FROM file_hashes WHERE source_path = ?', db)).toEqual([{ sha256 }]);
    const index = readFileSync(join(out, 'index.html'), 'utf8');
    expect(index).not.toContain(fake);
    expect(index).toContain(`SHA-256 ${sha256}`);
    const pdf = readdirSync(out).find((f) => f.endsWith('.pdf'))!;
    const cover = pdfText(join(out, pdf), { first: 1, last: 1 });
    expect(cover).toContain(`SHA-256: ${sha256}`);
    expect(cover).not.toContain(fake);
  });
});

describe('a store changed by another program is not asked the SHA-256 of an attachment’s file', () => {
  it('a forged one (the file’s path, size and time kept): the file is hashed anew, filed and linked under its own, and the row corrected', async () => {
    const root = tempDir('distrusted-files');
    const withImages = join(root, 'chat.db');
    await generateChatDb({ path: withImages, messages: 60, seed: 63, conversations: 1, images: 2 });
    const out = join(root, 'archive');
    const run = () => runCli(['export', '--db', withImages, '--out', out, '--format', 'txt,json', '--no-progress']);
    expect((await run()).code).toBe(0);
    const fake = 'f'.repeat(64);
    const store = new Database(join(out, 'textkeeper.sqlite'));
    const { key, sha256, path } = store
      .prepare('SELECT h.source_path AS key, h.sha256, a.path FROM file_hashes h JOIN attachments a USING (sha256) ORDER BY a.path LIMIT 1')
      .get() as { key: string; sha256: string; path: string };
    store.prepare('UPDATE file_hashes SET sha256 = ? WHERE source_path = ?').run(fake, key);
    store.close();
    const result = await run();
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/^warning: textkeeper\.sqlite was changed since the last export, not by textkeeper/);
    const linked = storeRows<{ body: string }>(out, 'SELECT body FROM messages').filter((r) => r.body.includes(`attachments/${sha256.slice(0, 2)}/${sha256}/`));
    expect(linked.length).toBeGreaterThan(0);
    expect(storeRows(out, 'SELECT body FROM messages WHERE body LIKE ?', `%${fake}%`)).toEqual([]);
    expect(createHash('sha256').update(readFileSync(join(out, path))).digest('hex')).toBe(sha256);
    expect(existsSync(join(out, 'attachments', 'ff', fake))).toBe(false);
    expect(storeRows(out, 'SELECT sha256 FROM file_hashes WHERE source_path = ?', key)).toEqual([{ sha256 }]);
    expect(storeRows(out, 'SELECT 1 FROM attachments WHERE sha256 = ?', fake)).toEqual([]);
    const verified = await runCli(['verify', out]);
    expect(verified.code, verified.stdout + verified.stderr).toBe(0);
    expect(verified.stdout).not.toContain(fake);
  });
});
