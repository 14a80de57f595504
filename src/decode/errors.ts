/** Thrown by every decoder in src/decode when its input is malformed or not the expected format. */
export class DecodeError extends Error {
  override name = 'DecodeError';
}
