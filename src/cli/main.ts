#!/usr/bin/env node
// Entry point. It loads nothing else before deciding whether to restart with a heap cap (launcher.ts);
// once restarted, it starts an export's worker threads before loading the program (engine/shards.ts).
import { heapIsCapped, relaunchWithHeapCap } from './launcher.js';

if (heapIsCapped()) {
  (await import('../engine/shards.js')).prestartWorkers(process.argv.slice(2));
  await import('./program.js');
} else {
  process.exitCode = await relaunchWithHeapCap();
}
