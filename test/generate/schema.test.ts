import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { createSchema, TABLES } from '../../src/generate/schema.js';
import { fixturePresent, fixturesDir } from './fixtures.js';

type ColumnInfo = { name: string; type: string; dflt_value: string | null };

function columns(db: Database.Database, table: string): Array<[string, string, string | null]> {
  return (db.pragma(`table_info(${table})`) as ColumnInfo[]).map((c) => [c.name, c.type, c.dflt_value]);
}

function indexes(db: Database.Database): Map<string, string> {
  const rows = db.prepare("SELECT name, tbl_name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL").all() as Array<{ name: string; tbl_name: string }>;
  return new Map(
    rows.map((r) => [r.name, `${r.tbl_name}(${(db.pragma(`index_info(${r.name})`) as Array<{ name: string }>).map((c) => c.name).join(',')})`]),
  );
}

const present = fixturePresent('chatdb_schema.sql');

describe.skipIf(!present)('generated schema matches the real macOS chat.db schema', () => {
  const real = new Database(':memory:');
  // describe.skipIf still collects the body: read the fixture only when it is there.
  if (present) real.exec(fs.readFileSync(path.join(fixturesDir, 'chatdb_schema.sql'), 'utf8'));
  const ours = new Database(':memory:');
  createSchema(ours);

  for (const table of TABLES) {
    it(`table ${table.name} has the same columns, types and defaults`, () => {
      expect(columns(ours, table.name)).toEqual(columns(real, table.name));
    });
  }

  it('has the real indexes on the generated tables, over the same columns', () => {
    const realIndexes = indexes(real);
    const ourIndexes = indexes(ours);
    for (const [name, definition] of ourIndexes) expect(realIndexes.get(name), name).toBe(definition);
    for (const name of [
      'chat_message_join_idx_message_date_id_chat_id',
      'message_idx_associated_message',
      'message_idx_thread_originator_guid',
      'message_idx_handle',
      'message_attachment_join_idx_message_id',
    ]) {
      expect(ourIndexes.has(name), name).toBe(true);
    }
  });
});

describe('legacy schema variant', () => {
  const legacy = new Database(':memory:');
  createSchema(legacy, true);
  const names = (table: string) => columns(legacy, table).map(([name]) => name);

  it('drops the columns newer macOS added', () => {
    const message = names('message');
    for (const gone of ['thread_originator_guid', 'thread_originator_part', 'date_edited', 'date_retracted', 'associated_message_emoji', 'message_summary_info', 'part_count']) {
      expect(message).not.toContain(gone);
    }
    expect(message).toEqual(expect.arrayContaining(['guid', 'text', 'attributedBody', 'date', 'associated_message_guid', 'reply_to_guid']));
    expect(names('attachment')).not.toContain('emoji_image_short_description');
  });

  it('still has the indexes on columns it keeps, and not the one on thread_originator_guid', () => {
    const ix = indexes(legacy);
    expect(ix.has('chat_message_join_idx_message_date_id_chat_id')).toBe(true);
    expect(ix.has('message_idx_thread_originator_guid')).toBe(false);
  });
});
