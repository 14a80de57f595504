/** A problem the user can fix (bad path, wrong password, …): shown as one line, exit code 1, no stack trace. */
export class UserError extends Error {
  override readonly name = 'UserError';
}
