/** An image's pixels, four bytes (RGBA) each. */
export interface Pixels {
  width: number;
  height: number;
  data: Uint8Array;
}

export type HeicDecoder = (bytes: Uint8Array) => Promise<Pixels>;

/** Loads libheif (its WebAssembly starts for most of a second) on the calling thread, once. */
export async function loadHeicDecoder(): Promise<typeof import('heic-decode').default> {
  return (await import('heic-decode')).default;
}

/** Decodes HEIC on the calling thread; libheif is loaded on first use. */
export async function decodeHeicHere(bytes: Uint8Array): Promise<Pixels> {
  const decodeHeic = await loadHeicDecoder();
  const { width, height, data } = await decodeHeic({ buffer: bytes });
  return { width, height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}
