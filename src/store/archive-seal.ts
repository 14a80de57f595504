/**
 * What makes another archive's store, read as a source (`--archive`), other than the one its last run sealed;
 * undefined: it is that one. `log`: a log beside it that no run left (see `unsealedLog`).
 */
export function unsealedReason(log: string | undefined): string | undefined {
  return log && `${log} lay beside it, left by no export`;
}
