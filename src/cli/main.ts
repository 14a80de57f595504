#!/usr/bin/env node
// Entry point. It loads nothing but the launcher and the loader before deciding whether to restart with a heap
// cap (launcher.ts).
import { closeGoneTerminalAtExit } from './hangup.js';
import { relaunchWithHeapCap, setOptimizingBudget, startedAsNeeded } from './launcher.js';
import { runProgram } from './program-loader.js';
import { removeLeftBehind, RUN_TEMP } from '../sources/temp-dir.js';

closeGoneTerminalAtExit();
// Not in the restarted process: its temporary folder is the launcher's own.
if (process.env[RUN_TEMP] === undefined) removeLeftBehind();

if (startedAsNeeded(process.argv)) {
  setOptimizingBudget();
  await runProgram();
} else {
  process.exitCode = await relaunchWithHeapCap();
}
