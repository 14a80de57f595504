import { decodeHeicHere, loadHeicDecoder, type Pixels } from './heic.js';
import { serveJobs } from './worker-pool.js';

const NO_PIXELS: Pixels = { width: 0, height: 0, data: new Uint8Array(0) };

// Worker thread entry: decodes the HEIC images posted to it, handing their pixels over without a copy.
// An empty job only loads libheif, so that the first image does not wait for it.
serveJobs(
  async (bytes: Uint8Array) => (bytes.length > 0 ? decodeHeicHere(bytes) : loadHeicDecoder().then(() => NO_PIXELS)),
  (pixels) => (pixels.data.length > 0 ? [pixels.data.buffer as ArrayBuffer] : []),
);
