#!/usr/bin/env node
// Entry point. It loads nothing else before deciding whether to restart with a heap cap (launcher.ts).
import { relaunchWithHeapCap, setOptimizingBudget, startedAsNeeded } from './launcher.js';

if (startedAsNeeded(process.argv)) {
  setOptimizingBudget();
  await import('./program.js');
} else {
  process.exitCode = await relaunchWithHeapCap();
}
