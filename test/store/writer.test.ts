import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ArchiveStore as Store } from '../../src/store/archive-store.js';
import type { MessageRow } from '../../src/store/rows.js';
import type { StoreWriter as Writer } from '../../src/store/store-writer.js';
import { ROOT, tempDir } from '../support/cli.js';

// The writer's thread runs the built script (dist), as in an export.
const { ArchiveStore } = (await import(join(ROOT, 'dist', 'store', 'archive-store.js'))) as { ArchiveStore: typeof Store };
const { StoreWriter } = (await import(join(ROOT, 'dist', 'store', 'store-writer.js'))) as { StoreWriter: typeof Writer };

const NO_FILES = { copies: [], hashes: [] };

function rows(prefix: string, count: number, start = 0): MessageRow[] {
  return Array.from({ length: count }, (_, i) => ({ guid: `${prefix}-${start + i}`, date: 1_700_000_000_000 + start + i, seq: start + i, body: JSON.stringify({ text: `${prefix} ${start + i}` }) }));
}

function head(key: string) {
  return { key, body: JSON.stringify({ title: key }), people: [], chatGuids: [`chat-${key}`], sources: ['chat.db'] };
}

function openStore(): Store {
  const store = ArchiveStore.open(tempDir('writer'), { create: true, readonly: false });
  store.beginRun('test', [{ description: 'chat.db' }]);
  return store;
}

function messagesOf(store: Store, key: string): number {
  return store.db.prepare('SELECT COUNT(*) FROM messages WHERE conversation_key = ?').pluck().get(key) as number;
}

function hasConversation(store: Store, key: string): boolean {
  return store.db.prepare('SELECT 1 FROM conversations WHERE key = ?').get(key) !== undefined;
}

describe("the store's writer thread keeps each conversation whole or not at all", () => {
  it('leaves out a conversation abandoned after some of its batches, and one begun but not ended when it closes', async () => {
    const store = openStore();
    const writer: Writer = new StoreWriter(store);
    writer.begin(head('abandoned'));
    for (let start = 0; start < 3000; start += 500) await writer.write(rows('a', 500, start));
    writer.abandon();
    writer.begin(head('whole'));
    for (let start = 0; start < 1200; start += 400) await writer.write(rows('w', 400, start));
    writer.end({ files: NO_FILES });
    await writer.commit();
    writer.begin(head('unended'));
    await writer.write(rows('u', 10));
    await writer.close();
    expect(hasConversation(store, 'abandoned')).toBe(false);
    expect(messagesOf(store, 'abandoned')).toBe(0);
    expect(messagesOf(store, 'whole')).toBe(1200);
    expect(hasConversation(store, 'unended')).toBe(false);
    expect(store.counts.added).toBe(1200);
    expect(store.db.prepare('SELECT DISTINCT first_run FROM messages').pluck().all()).toEqual([store.run]);
    store.close();
  });

  it('gives back a conversation it could not write, and writes the next ones', async () => {
    const store = openStore();
    const writer: Writer = new StoreWriter(store);
    writer.begin(head('spoiled'));
    await writer.write(rows('s', 500));
    // A message without a date breaks a NOT NULL constraint: that conversation is rolled back, the run goes on.
    await writer.write([{ ...rows('s', 1, 500)[0]!, date: Number.NaN }]);
    writer.end({ files: NO_FILES });
    writer.begin(head('next'));
    await writer.write(rows('n', 20));
    writer.end({ files: NO_FILES });
    await writer.commit();
    const failures = writer.failures();
    expect(failures.map(([key]) => key)).toEqual(['spoiled']);
    expect(failures[0]![1].message).toMatch(/NOT NULL/);
    await writer.close();
    expect(hasConversation(store, 'spoiled')).toBe(false);
    expect(messagesOf(store, 'next')).toBe(20);
    expect(store.counts.added).toBe(20);
    store.close();
  });

  it('finds a message given twice to a store it is making (which has no message index yet), and leaves the store indexed', async () => {
    const store = openStore();
    const writer: Writer = new StoreWriter(store);
    writer.begin(head('first'));
    await writer.write(rows('m', 300));
    writer.end({ files: NO_FILES });
    // The first message given again has the indexes built, within a conversation then abandoned: they are built again.
    writer.begin(head('dropped'));
    await writer.write(rows('m', 10));
    writer.abandon();
    writer.begin(head('again'));
    await writer.write(rows('m', 10, 295));
    writer.end({ files: NO_FILES });
    await writer.close();
    expect(writer.failures()).toEqual([]);
    expect(store.counts).toEqual({ added: 305, changed: 0, absent: 0, returned: 0, replaced: 0 });
    // The five given again moved to the conversation that now has them.
    expect(messagesOf(store, 'first')).toBe(295);
    expect(messagesOf(store, 'again')).toBe(10);
    const indexes = store.db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'messages' ORDER BY name").pluck().all();
    expect(indexes).toEqual(['messages_by_guid', 'messages_in_order', 'messages_kept_only']);
    store.close();
  });
});

describe("the store's writer thread keeps what was read only once the sources' check lets it", () => {
  /** A check that passes or fails when told to. */
  function pendingCheck(): { check: Promise<void>; pass: () => void; fail: (error: Error) => void } {
    let pass!: () => void;
    let fail!: (error: Error) => void;
    const check = new Promise<void>((resolve, reject) => {
      pass = resolve;
      fail = reject;
    });
    return { check, pass, fail };
  }

  async function writeConversation(writer: Writer, key: string, count: number): Promise<void> {
    writer.begin(head(key));
    for (let start = 0; start < count; start += 500) await writer.write(rows(key, Math.min(500, count - start), start));
    writer.end({ files: NO_FILES });
  }

  const count = (store: Store, table: string) => store.db.prepare(`SELECT COUNT(*) FROM ${table}`).pluck().get() as number;

  it('leaves out everything written while the check ran when it fails, more than one transaction holds too', async () => {
    const store = openStore();
    const writer: Writer = new StoreWriter(store);
    const { check, fail } = pendingCheck();
    writer.holdUntil(check);
    for (const key of ['a', 'b', 'c']) await writeConversation(writer, key, 9000);
    await writer.commit();
    fail(new Error('the -wal does not match'));
    await expect(writer.checked()).rejects.toThrow('the -wal does not match');
    await writer.close();
    expect([count(store, 'messages'), count(store, 'conversations')]).toEqual([0, 0]);
    expect(store.counts.added).toBe(0);
    store.close();
  });

  it('commits once the check has passed; closed before the check is known (a run stopped meanwhile), it keeps nothing', async () => {
    const passed = openStore();
    const writer: Writer = new StoreWriter(passed);
    const { check, pass } = pendingCheck();
    writer.holdUntil(check);
    await writeConversation(writer, 'before', 100);
    pass();
    await writeConversation(writer, 'after', 100);
    await writer.checked();
    await writer.close();
    expect([messagesOf(passed, 'before'), messagesOf(passed, 'after')]).toEqual([100, 100]);
    passed.close();

    const stopped = openStore();
    const unchecked: Writer = new StoreWriter(stopped);
    unchecked.holdUntil(pendingCheck().check);
    await writeConversation(unchecked, 'unchecked', 100);
    await unchecked.commit();
    await unchecked.close();
    expect(hasConversation(stopped, 'unchecked')).toBe(false);
    stopped.close();
  });

  it('starts no thread to hold nothing: a run that writes nothing (an unchanged re-run) waits for the check alone', async () => {
    const store = openStore();
    const writer: Writer = new StoreWriter(store);
    const { check, pass } = pendingCheck();
    writer.holdUntil(check);
    pass();
    await writer.checked();
    await writer.close();
    // Its thread is private; starting it for the hold alone took a third of a 6,000-message unchanged re-run (0.09 → 0.13 s).
    expect(Reflect.get(writer, 'worker')).toBeUndefined();
    store.close();
  });
});
