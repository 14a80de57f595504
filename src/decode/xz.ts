// XZ decompression for handwriting strokes.
import { DecodeError } from './errors.js';

/** Decompresses a complete .xz stream; throws DecodeError when it is malformed. */
export function decompressXz(_data: Uint8Array, _expectedLength?: number): Uint8Array {
  throw new DecodeError('XZ decompression is not available yet');
}
