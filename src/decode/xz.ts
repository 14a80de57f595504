// XZ streams (the handwriting payloads' stroke points), decoded by @napi-rs/lzma.
import { createRequire } from 'node:module';
import type * as Lzma from '@napi-rs/lzma';
import { DecodeError } from './errors.js';

// A native module, loaded when the first handwriting is decoded rather than by every run.
const require = createRequire(import.meta.url);
let loaded: typeof Lzma | undefined;
const lzma = () => (loaded ??= require('@napi-rs/lzma') as typeof Lzma);

/**
 * Decompresses a complete .xz stream; throws DecodeError when it is malformed, or when its length
 * is not the one the payload declares.
 */
export function decompressXz(data: Uint8Array, expectedLength?: number): Uint8Array {
  let output: Buffer;
  try {
    output = lzma().xz.decompressSync(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  } catch (error) {
    throw new DecodeError(`damaged XZ stream (${(error as Error).message})`);
  }
  if (expectedLength !== undefined && output.length !== expectedLength) {
    throw new DecodeError(`XZ stream holds ${output.length} bytes where ${expectedLength} were declared`);
  }
  return output;
}
