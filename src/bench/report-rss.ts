// Preloaded into a measured process (`node --import`): reports its peak resident memory on exit.
import { writeSync } from 'node:fs';

process.on('exit', () => {
  writeSync(2, `\ntextkeeper-bench peak-rss-kb ${process.resourceUsage().maxRSS}\n`);
});
