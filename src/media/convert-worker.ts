import { convertImage } from './convert.js';
import { serveJobs } from './worker-pool.js';

// Worker thread entry: converts images posted by the main thread, one at a time.
serveJobs(convertImage);
