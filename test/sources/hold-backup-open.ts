// Child process for the Ctrl-C test: opens the encrypted backup given as argv[2] (password argv[3]),
// prints where it decrypted sms.db, then waits to be interrupted.
import { openBackup } from '../../src/sources/backup/open-backup.js';

const source = await openBackup(process.argv[2], { password: async () => process.argv[3] });
process.stdout.write(`${source.dbPath}\n`);
setInterval(() => {}, 1000);
