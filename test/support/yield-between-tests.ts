// Set up before every test file (vitest.config.ts). Synchronous tests run back to back without the
// event loop turning, so vitest's answers to the worker pile up unread; after a minute of that (a busy
// machine), its RPC times out and fails the run. One turn of the loop before each test reads them.
import { afterAll, beforeEach } from 'vitest';
import { removeTempDirs } from './cli.js';

beforeEach(() => new Promise<void>((resolve) => setImmediate(resolve)));
// The test file's own afterAll hooks run first (unmounting, closing), then its temporary folders go.
afterAll(removeTempDirs);
