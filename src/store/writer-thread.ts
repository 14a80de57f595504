// The archive store's writer thread (see store-writer.ts): writes, in order, what the main thread reads.
import { parentPort, workerData } from 'node:worker_threads';
import { ArchiveStore } from './archive-store.js';
import { AttachmentFiles } from './attachment-files.js';
import { HashesInPieces } from './hashes-in-pieces.js';
import { unpackMessages, type ChatMark } from './rows.js';
import { writeAhead } from './schema.js';
import { crossingThreads } from '../errors.js';
import type { WriterOrder, WriterReport } from './store-writer.js';

const { store, files } = openForWriting(workerData as { dir: string; made: boolean });
const report = (message: WriterReport) => parentPort!.postMessage(message);
const failed = (error: unknown, key?: string) => {
  const { name, message, code, path, dest, syscall } = error as NodeJS.ErrnoException & { dest?: string };
  report({ type: 'failed', key, error: { name, message, code, path, dest, syscall } });
};
const hashes = new HashesInPieces((error) => failed(error));
/** The conversation being written; undefined once its writing failed (what is left of it is ignored). */
let writing: string | undefined;

parentPort!.on('message', (order: WriterOrder) => {
  try {
    obey(order);
  } catch (error) {
    failed(error, writing);
    writing = undefined;
    reporting(() => store.abandon());
  }
  if (order.type === 'messages') report({ type: 'written' });
  if (writing === undefined && order.type !== 'close') reporting(saveHashed);
});

function openForWriting({ dir, made }: { dir: string; made: boolean }): { store: ArchiveStore; files: AttachmentFiles } {
  try {
    const store = ArchiveStore.open(dir, { create: false, readonly: false, unindexed: made });
    writeAhead(store.db);
    return { store, files: new AttachmentFiles(store.dir, store.db) };
  } catch (error) {
    throw crossingThreads(error);
  }
}

/** Does `work`; what fails is reported, never thrown out of the thread (where it would lose its message). */
function reporting(work: () => void): void {
  try {
    work();
  } catch (error) {
    failed(error);
  }
}

/** The files hashed in pieces since, and the chat marks that waited for them: between conversations, never inside one. */
function saveHashed(): void {
  for (const { path, info, sha256, marks } of hashes.take()) {
    const found = files.collect();
    files.learn(path, info, sha256);
    store.saveFiles(found);
    for (const mark of marks) store.rememberChatMark({ ...mark, sha256 });
  }
}

function obey(order: WriterOrder): void {
  switch (order.type) {
    case 'begin':
      store.joinRun(order.run);
      writing = order.head.key;
      return store.begin(order.head);
    case 'messages':
      if (writing !== undefined) store.writeMessages(unpackMessages(order.batch));
      return;
    case 'end':
      if (writing !== undefined) store.end(order.end);
      writing = undefined;
      return;
    case 'abandon':
      writing = undefined;
      return store.abandon();
    case 'chatMark':
      return rememberChatMark(order.chatMark);
    case 'hash':
      return hashes.add(order.path);
    case 'hold':
      return store.hold();
    case 'release':
      return store.release();
    case 'commit':
      store.commit();
      return report({ type: 'committed' });
    case 'close':
      // The last order: what is still being hashed is waited for.
      return void hashes.finish().then(close);
  }
}

/**
 * A chat mark is kept with its database's hash. The marks found as the sources open come before the run asks
 * for that hash (see archive-run.ts): a mark starts the hashing in pieces and waits for it, so that the file is
 * read once, and the writer is not held up reading it whole.
 */
function rememberChatMark(mark: ChatMark): void {
  const sha256 = mark.sha256 ?? files.knownSha256(mark.path);
  if (sha256 !== undefined) return store.rememberChatMark({ ...mark, sha256 });
  hashes.add(mark.path);
  // Not held: its hashing failed (reported), or it was hashed and taken as it changed since.
  if (!hashes.holds(mark)) store.rememberChatMark({ ...mark, sha256: files.sha256Of(mark.path) });
}

function close(): void {
  reporting(saveHashed);
  // The last commit holds every conversation written while the sources' check held them: its failure must be told.
  reporting(() => store.finishWriting());
  reporting(() => store.close(true));
  report({ type: 'closed', counts: store.counts });
  parentPort!.close();
}
