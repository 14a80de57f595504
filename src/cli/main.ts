#!/usr/bin/env node
// Entry point. It loads nothing else before deciding whether to restart with a heap cap (launcher.ts).
import { relaunchWithHeapCap, startedAsNeeded } from './launcher.js';

if (startedAsNeeded(process.argv)) {
  await import('./program.js');
} else {
  process.exitCode = await relaunchWithHeapCap();
}
