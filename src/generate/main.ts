#!/usr/bin/env node
// `npm run sample-data -- --messages N [--seed S] [--out DIR]`: writes DIR/chat.db, DIR/Attachments and DIR/contacts.vcf.
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { contactsForHandles, handlesFromChatDb, writeVcf } from './contacts.js';
import { generateChatDb } from './generator.js';

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number');
  return n;
}

const program = new Command()
  .name('sample-data')
  .description('Generate a synthetic Apple Messages chat.db with attachments, deterministically from a seed.')
  .option('--messages <n>', 'number of message rows', positiveInt, 2000)
  .option('--seed <n>', 'random seed', positiveInt, 1)
  .option('--out <dir>', 'output folder (gets chat.db, Attachments/ and contacts.vcf)', 'sample-data')
  .option('--conversations <n>', 'number of chats (default: scaled with --messages)', positiveInt)
  .option('--single-conversation', 'put every message in one 1:1 conversation')
  .option('--images <n>', 'exact number of image messages, spread evenly', positiveInt)
  .option('--legacy-schema', 'older macOS layout: fewer columns, dates in seconds')
  .option('--live-photos', "every HEIC photo a Live Photo: a movie beside it, as Messages keeps one (the database is the same)")
  .action(async (opts) => {
    const out = path.resolve(opts.out);
    const started = process.hrtime.bigint();
    const summary = await generateChatDb({
      path: path.join(out, 'chat.db'),
      attachmentsDir: path.join(out, 'Attachments'),
      messages: opts.messages,
      seed: opts.seed,
      conversations: opts.conversations,
      singleConversation: opts.singleConversation,
      images: opts.images,
      legacySchema: opts.legacySchema,
      livePhotos: opts.livePhotos,
    });
    const chatDb = path.join(out, 'chat.db');
    // Names for the handles, as people keep them in Contacts: the demo passes this file with --contacts.
    writeVcf(path.join(out, 'contacts.vcf'), contactsForHandles(handlesFromChatDb(chatDb), opts.seed));
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    console.log(
      `Wrote ${chatDb} and contacts.vcf: ${summary.messages} messages in ${summary.conversations.length} conversations, ` +
        `${summary.attachments} attachments (${summary.missingAttachments} missing on purpose) in ${seconds.toFixed(1)} s`,
    );
  });

program.parseAsync().catch((error: unknown) => {
  console.error(`sample-data: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
