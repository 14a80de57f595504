// Preloaded into a CLI run (NODE_OPTIONS=--require) by tests of a run that does not finish: once KILL_AFTER_RENAMES
// files whose path matches KILL_RENAMED (a regular expression) were renamed into place, the process is killed (SIGKILL),
// as a power loss would stop it, at the same point at every run.
const fs = require('node:fs');
const pattern = new RegExp(process.env.KILL_RENAMED);
let left = Number(process.env.KILL_AFTER_RENAMES);
const counted = (to) => {
  if (pattern.test(String(to)) && --left <= 0) process.kill(process.pid, 'SIGKILL');
};
const rename = fs.promises.rename;
fs.promises.rename = async (from, to) => {
  await rename(from, to);
  counted(to);
};
const renameSync = fs.renameSync;
fs.renameSync = (from, to) => {
  renameSync(from, to);
  counted(to);
};
