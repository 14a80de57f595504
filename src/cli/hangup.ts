import { closeSync } from 'node:fs';
import { isatty } from 'node:tty';

/**
 * Node 20 sets its terminal back as it found it when it exits, and aborts when it cannot (nodejs/node#51519,
 * fixed in later versions): when the terminal was closed during a run, its windows' "Aborted" and a crash
 * report were the run's last word. A standard stream that was a terminal as the process started and is none
 * now (a terminal gone no longer says it is one) is closed as the process exits, and Node passes it over.
 */
export function closeGoneTerminalAtExit(): void {
  const terminals = [0, 1, 2].filter((fd) => isatty(fd));
  if (terminals.length === 0) return;
  process.on('exit', () => {
    for (const fd of terminals) if (!isatty(fd)) closeSync(fd);
  });
}
