#!/usr/bin/env node
// Entry point. It loads nothing else before deciding whether to restart with a heap cap (launcher.ts).
import { heapIsCapped, relaunchWithHeapCap } from './launcher.js';

if (heapIsCapped()) {
  await import('./program.js');
} else {
  process.exitCode = await relaunchWithHeapCap();
}
