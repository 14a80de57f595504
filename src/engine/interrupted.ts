/** Thrown inside a message stream when the user pressed Ctrl-C, so renderers discard what they started. */
export class Interrupted extends Error {
  override readonly name = 'Interrupted';
}
