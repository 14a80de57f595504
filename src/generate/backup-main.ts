#!/usr/bin/env node
// `node dist/generate/backup-main.js --out DIR [--db sample-data/chat.db] [--encrypt-with PASSWORD] [--contacts-out DIR]`:
// writes an iPhone backup folder made from a generated chat.db, and optionally contact files for its handles.
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { writeBackup } from './backup.js';
import { writeContacts } from './contacts.js';

function wholeNumber(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number');
  return n;
}

const program = new Command()
  .name('sample-backup')
  .description('Write an iPhone backup (plain or encrypted) from a generated chat.db and its Attachments folder.')
  .requiredOption('--out <dir>', 'backup folder to create (must be new or empty)')
  .option('--db <path>', 'generated chat.db to put in the backup', 'sample-data/chat.db')
  .option('--attachments <dir>', 'folder standing for ~/Library/Messages/Attachments (default: Attachments beside --db)')
  .option('--seed <n>', 'seed for keys and names', wholeNumber, 1)
  .option('--encrypt-with <password>', 'encrypt the backup with this password (sample data only)')
  .option('--apple-iterations', 'use Apple’s key-derivation cost (seconds per unlock) instead of a fast one')
  .option('--contacts-out <dir>', 'also write a Mac address book, an iPhone AddressBook.sqlitedb and a .vcf here')
  .action(async (opts) => {
    const chatDb = path.resolve(opts.db);
    const contacts = opts.contactsOut ? writeContacts({ chatDb, outDir: path.resolve(opts.contactsOut), seed: opts.seed }) : undefined;
    const written = await writeBackup({
      chatDb,
      attachmentsDir: path.resolve(opts.attachments ?? path.join(path.dirname(chatDb), 'Attachments')),
      outDir: path.resolve(opts.out),
      seed: opts.seed,
      addressBook: contacts?.iphoneAddressBook,
      encryption: opts.encryptWith ? {
        password: opts.encryptWith,
        ...(opts.appleIterations ? { dpIterations: 10_000_000, iterations: 10_000 } : {}),
      } : undefined,
    });
    console.log(
      `Wrote ${opts.encryptWith ? 'an encrypted' : 'a plain'} backup of “${written.device.name}” to ${path.resolve(opts.out)}: ` +
        `${written.files} files, ${written.attachments} attachments` +
        (contacts ? `; ${contacts.contacts.length} contacts in ${path.resolve(opts.contactsOut)}` : ''),
    );
  });

program.parseAsync().catch((error: unknown) => {
  console.error(`sample-backup: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
