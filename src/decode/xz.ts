// XZ streams (the handwriting payloads' stroke points), decoded by @napi-rs/lzma.
import { xz } from '@napi-rs/lzma';
import { DecodeError } from './errors.js';

/**
 * Decompresses a complete .xz stream; throws DecodeError when it is malformed, or when its length
 * is not the one the payload declares.
 */
export function decompressXz(data: Uint8Array, expectedLength?: number): Uint8Array {
  let output: Buffer;
  try {
    output = xz.decompressSync(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  } catch (error) {
    throw new DecodeError(`damaged XZ stream (${(error as Error).message})`);
  }
  if (expectedLength !== undefined && output.length !== expectedLength) {
    throw new DecodeError(`XZ stream holds ${output.length} bytes where ${expectedLength} were declared`);
  }
  return output;
}
