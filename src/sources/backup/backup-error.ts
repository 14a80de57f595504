import { UserError } from '../../errors.js';

/** A problem with a backup the user can act on; a UserError, so the CLI shows it as one line without a stack trace. */
export class BackupError extends UserError {}
