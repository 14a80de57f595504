// Loaded by `node --import` into the CLI and each of its threads: the process believes it runs on Windows
// (os.tmpdir() then wants TEMP set). When HELD_OPEN_NAME is set, renaming a finished file onto the one of that
// name is refused as Windows refuses it while another program has that file open (EPERM), HELD_OPEN_TRIES
// times per thread (every time when not set).
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { basename } from 'node:path';

Object.defineProperty(process, 'platform', { value: 'win32' });
const name = process.env.HELD_OPEN_NAME;
let refusals = Number(process.env.HELD_OPEN_TRIES ?? Infinity);
const held = (to) => basename(String(to)) === name && refusals-- > 0;
const refused = (from, to) =>
  Object.assign(new Error(`EPERM: operation not permitted, rename '${from}' -> '${to}'`), { code: 'EPERM', syscall: 'rename', path: String(from), dest: String(to) });
const { rename } = fs.promises;
fs.promises.rename = async (from, to) => {
  if (held(to)) throw refused(from, to);
  return rename(from, to);
};
syncBuiltinESMExports();
