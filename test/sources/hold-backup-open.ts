// Child process for the Ctrl-C tests: opens the encrypted backup given as argv[2] (password argv[3]),
// prints where it decrypted sms.db, then waits to be interrupted. With argv[4] = "graceful" it has its own
// SIGINT handler, like the CLI: it keeps resolving an attachment for a moment, then exits with 130.
import { openBackup } from '../../src/sources/backup/open-backup.js';

const source = await openBackup(process.argv[2], { password: async () => process.argv[3] });
if (process.argv[4] === 'graceful') {
  process.on('SIGINT', () => {
    const photo = source.resolveAttachment('~/Library/SMS/Attachments/ab/11/AAA-1/IMG_0001.jpeg');
    process.stdout.write(`resolved ${photo}\n`);
    setTimeout(() => process.exit(130), 100);
  });
}
process.stdout.write(`${source.dbPath}\n`);
setInterval(() => {}, 1000);
