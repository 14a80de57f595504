// The same messages come out of a generated chat.db and of plain and encrypted backups made from it,
// read through the real reader and normalizer, with names from the generated contacts.
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadContacts, type ContactBook } from '../../src/contacts/contact-book.js';
import { writeBackup } from '../../src/generate/backup.js';
import { contactsForHandles, handlesFromChatDb, writeIphoneAddressBook } from '../../src/generate/contacts.js';
import { generateChatDb } from '../../src/generate/generator.js';
import type { Message } from '../../src/model/types.js';
import { SourceArchive } from '../../src/normalize/source-archive.js';
import { chatDbSource } from '../../src/read/chat-db-source.js';
import type { MessageSource } from '../../src/read/source.js';
import { openBackup } from '../../src/sources/backup/open-backup.js';
import { hashTree } from './tree-hash.js';

let work: string;
let chatDb: string;
let book: ContactBook;
let plainDir: string;
let encryptedDir: string;

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'tk-roundtrip-'));
  chatDb = path.join(work, 'mac', 'chat.db');
  await generateChatDb({ path: chatDb, messages: 400, seed: 11 });
  const contacts = contactsForHandles(handlesFromChatDb(chatDb), 11);
  const addressBook = path.join(work, 'AddressBook.sqlitedb');
  writeIphoneAddressBook(addressBook, contacts);
  const base = { chatDb, attachmentsDir: path.join(work, 'mac', 'Attachments'), seed: 11, addressBook };
  plainDir = path.join(work, 'plain');
  encryptedDir = path.join(work, 'encrypted');
  await writeBackup({ ...base, outDir: plainDir });
  await writeBackup({ ...base, outDir: encryptedDir, encryption: { password: 'pw', dpIterations: 1000, iterations: 10 } });
  book = (await loadContacts({ backupAddressBook: addressBook })).book;
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

/**
 * Every conversation with its messages, attachment paths replaced by a digest of the file they point at
 * (a missing file has no path: a backup cannot name a file it does not hold). Where each source says it
 * keeps the file (storedPath), whether it is a temporary decrypted copy, and that it was read from a backup
 * (fromBackup) differ by design.
 */
async function readAll(source: MessageSource) {
  const archive = await SourceArchive.open(source, source.description, { window: {}, chatTerms: [], contacts: book, meName: 'Me' });
  try {
    const digest = (file?: string) => (file && existsSync(file) ? createHash('sha1').update(readFileSync(file)).digest('hex') : undefined);
    const plain = (message: Message) =>
      JSON.parse(JSON.stringify(message, (key, value) => (key === 'storedPath' || key === 'transient' || key === 'fromBackup' ? undefined : key === 'path' && typeof value === 'string' ? digest(value) : value)));
    return archive.conversations().map((plan) => ({
      conversation: plan.conversation,
      messages: [...archive.messages(plan)()].map(plain),
    }));
  } finally {
    await archive.close();
  }
}

describe('backup round trip through the reader', () => {
  it('plain and encrypted backups give the same conversations and messages as the chat.db', async () => {
    const expected = await readAll(chatDbSource(chatDb, path.dirname(chatDb)));
    const messageCount = expected.reduce((sum, c) => sum + c.messages.length, 0);
    const attachments = expected.flatMap((c) => c.messages.flatMap((m) => m.parts.filter((p: { kind: string }) => p.kind === 'attachment')));
    expect(messageCount).toBeGreaterThan(300);
    expect(attachments.filter((p) => !p.attachment.missing).length).toBeGreaterThan(5);
    expect(attachments.some((p) => p.attachment.missing)).toBe(true);
    // Contact names reached the participants.
    const named = expected.flatMap((c) => c.conversation.participants).filter((p) => p.name !== p.handle);
    expect(named.map((p) => p.name)).toContain('Mom');

    for (const dir of [plainDir, encryptedDir]) {
      const before = hashTree(dir);
      const source = await openBackup(dir, { password: async () => 'pw' });
      try {
        expect(await readAll(source)).toEqual(expected);
      } finally {
        await source.dispose();
      }
      expect(hashTree(dir)).toBe(before);
    }
  });
});
